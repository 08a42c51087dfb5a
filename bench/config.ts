/**
 * Every tunable of the benchmark suite in one block: scenario sizes (full and
 * --quick), time bounds, and the pass/fail limits. Scenario sizes become
 * command-line flags (`--room-clients 200`), generated from this table.
 */

/** One size of one scenario: its full value, its --quick value, and what it means. */
export interface Size {
  full: number;
  quick: number;
  help: string;
}

export type ScenarioName =
  | "room"
  | "web-room"
  | "crowd"
  | "web"
  | "tls"
  | "paced"
  | "big"
  | "slow-reader"
  | "hiccup"
  | "resume"
  | "cleanup"
  | "cluster"
  | "store";

/**
 * Scenario order in a run and in the report: web-room right after the room it
 * repeats, web and tls right after the crowd.
 */
export const SCENARIOS: readonly ScenarioName[] = [
  "room",
  "web-room",
  "crowd",
  "web",
  "tls",
  "paced",
  "slow-reader",
  "hiccup",
  "resume",
  "big",
  "cleanup",
  "cluster",
  "store",
];

/** The plain-TCP scenario each transport scenario repeats on another transport. */
export const OVER_TCP: Partial<Record<ScenarioName, ScenarioName>> = {
  "web-room": "room",
  web: "crowd",
  tls: "crowd",
};

/**
 * Figures divided by one another's are measured taking turns, a round of
 * each at a time, so that what the two shared cores were doing besides falls
 * on both sides of a ratio alike; every figure is then the median of all
 * rounds' runs (or of the rounds'). That is papo's and the floor's runs of
 * every scenario both run, and the scenarios grouped here with the one they
 * are divided by: WebSocket and TLS by plain TCP.
 */
export const TAKEN_IN_TURN: readonly (readonly ScenarioName[])[] = [
  ["room", "web-room"],
  ["crowd", "web", "tls"],
];

/** Rounds of each group above (with --quick, one: nothing is judged there). */
export const ROUNDS = { full: 3, quick: 1 };

const size = (full: number, quick: number, help: string): Size => ({ full, quick, help });

/**
 * Measured floods of a naive baseline, at most, whatever the scenario asks:
 * one of its crowd floods takes some 50 s, and it is compared by rate alone.
 */
export const NAIVE_RUNS = 3;

/** The help of a flood's runs where the naive baselines run too. */
const RUNS_WITH_NAIVE = `measured floods (the naive baselines: ${NAIVE_RUNS} at most), reported as their median and range`;

export const SIZES = {
  room: {
    clients: size(100, 50, "clients in the room"),
    senders: size(10, 5, "clients that send"),
    messages: size(1000, 400, "messages per sender"),
    bytes: size(64, 64, "bytes of text per message"),
    // Eleven, as the crowd: web-room's CPU per delivery is divided by this one's (goal within 1.5x).
    runs: size(11, 3, RUNS_WITH_NAIVE),
  },
  // The room again with every client on the web client's WebSocket: most
  // members read a turn they took no part in, so it shows what one turn's
  // frame costs per member, next to plain TCP's room in the same run.
  "web-room": {
    clients: size(100, 50, "WebSocket clients in the room"),
    senders: size(10, 5, "clients that send"),
    messages: size(1000, 400, "messages per sender"),
    bytes: size(64, 64, "bytes of text per message"),
    runs: size(11, 3, "measured floods, reported as their median and range"),
  },
  crowd: {
    clients: size(1000, 300, "clients, every one of them sends"),
    messages: size(5, 5, "messages per client"),
    bytes: size(64, 64, "bytes of text per message"),
    // One run's CPU per delivery moves by a third on a busy machine: papo / floor
    // from 9 runs each (3 a round) read 0.8–1.4× between invocations, from 33
    // (11 a round) 0.94–1.18×, and from 120 each 0.94×.
    runs: size(11, 3, RUNS_WITH_NAIVE),
  },
  // The crowd again with every client on the web client's WebSocket, then on TLS:
  // what each transport costs, next to plain TCP in the same run.
  web: {
    clients: size(1000, 300, "WebSocket clients, every one of them sends"),
    messages: size(5, 5, "messages per client"),
    bytes: size(64, 64, "bytes of text per message"),
    // As many as the crowd: its CPU per delivery is divided by the crowd's (goal within 1.5x).
    runs: size(11, 3, "measured floods, reported as their median and range"),
  },
  // Three: TLS's cost over TCP is reported, never judged.
  tls: {
    clients: size(1000, 300, "TLS clients, every one of them sends"),
    messages: size(5, 5, "messages per client"),
    bytes: size(64, 64, "bytes of text per message"),
    runs: size(3, 3, "measured floods, reported as their median and range"),
  },
  paced: {
    clients: size(1000, 200, "clients in the room"),
    senders: size(100, 20, "clients that send"),
    rate: size(1000, 500, "messages per second, all senders together"),
    seconds: size(5, 2, "seconds of sending"),
    bytes: size(64, 64, "bytes of text per message, the timestamp included"),
  },
  "slow-reader": {
    clients: size(100, 50, "clients that read; one more never reads"),
    senders: size(10, 10, "clients that send"),
    // The slow reader's share (~77 bytes a line, 46 MB full, 23 MB quick)
    // must outgrow the kernel's buffers (4 MiB or more on Linux loopback) and
    // the window, so that it falls out of the window: nobody waits for it, and
    // it is told how many lines it missed once it reads again.
    messages: size(60_000, 30_000, "messages per sender"),
    bytes: size(64, 64, "bytes of text per message"),
    "window-kib": size(8192, 8192, "--window-bytes given to the server, in KiB"),
    runs: size(5, 3, "floods with a slow reader, and as many without (medians compared)"),
  },
  // Readers that stop for a moment: each keeps its position in the room's log
  // and catches up, losing nothing, while the others go on at their pace.
  // Each reader's share must outgrow the kernel's buffers for the server to
  // feel the stop at all.
  hiccup: {
    clients: size(100, 50, "clients that read throughout, the senders among them"),
    senders: size(10, 5, "clients that send"),
    messages: size(30_000, 30_000, "messages per sender"),
    bytes: size(64, 64, "bytes of text per message"),
    hiccups: size(3, 3, "more readers that each stop reading once, for 0.5 to 1.5 s"),
    runs: size(5, 1, "floods with hiccups, and as many without (medians compared)"),
  },
  // papo's own clients (protocol v2) cut at once and back at once with their
  // resume tokens: every line said while they were away, once, nothing twice.
  resume: {
    clients: size(1000, 300, "v2 clients cut and reconnected at once"),
    before: size(20, 20, "lines said before the cut, which every client reads"),
    away: size(50, 50, "lines said while they are away"),
  },
  // The room kept on disk (SQLite) against --no-store, alternating: a line-heavy
  // load (short lines, a small room: where a line's storage cost shows) and the paced load.
  store: {
    clients: size(20, 10, "clients in the room, every one of them sends"),
    senders: size(20, 10, "clients that send (all of them)"),
    messages: size(5000, 2000, "messages per sender"),
    bytes: size(16, 16, "bytes of text per message"),
    rate: size(1000, 500, "paced: messages per second, all senders together"),
    seconds: size(5, 2, "paced: seconds of sending"),
    runs: size(5, 3, "runs with the store and as many without, alternating (medians)"),
  },
  big: {
    clients: size(10_000, 2000, "clients that connect and stay idle"),
    rejoins: size(5, 3, "times they all reset and as many join again (median reported)"),
    senders: size(10, 5, "clients that then send"),
    messages: size(10, 5, "messages per sender"),
    bytes: size(64, 64, "bytes of text per message"),
  },
  cleanup: {
    clients: size(5000, 1000, "clients that reset their connections at once"),
    resets: size(5, 1, "mass resets measured, after one unmeasured (median reported)"),
    "churn-seconds": size(30, 5, "seconds of churn after the mass reset"),
    "churn-rate": size(200, 100, "connections opened (and closed) per second while churning"),
    "churn-life-ms": size(300, 200, "how long a churning client stays, in milliseconds"),
    talkers: size(20, 10, "of the steady clients, how many talk during the churn"),
    steady: size(200, 100, "clients that stay through the churn"),
    "talk-rate": size(200, 100, "messages per second while churning, all talkers together"),
  },
  cluster: {
    clients: size(1000, 200, "clients, split over the two servers"),
    messages: size(5, 5, "crowd: messages per client"),
    bytes: size(64, 64, "bytes of text per message"),
    runs: size(3, 3, "measured crowd floods, reported as their median and range"),
    senders: size(100, 20, "paced: clients that send, all on the first server"),
    rate: size(1000, 500, "paced: messages per second, all senders together"),
    seconds: size(5, 2, "paced: seconds of sending"),
  },
} as const satisfies Record<ScenarioName, Record<string, Size>>;

/** Load-generator processes; more than one spreads the client side over cores. */
export const DEFAULT_LOADGENS = 2;

/** Connections a load generator has opening (not yet joined) at once. */
export const CONNECT_CONCURRENCY = 256;

/** How often the parent asks the load generators how far they are (ms). */
export const POLL_MS = 20;

/** A flood that makes no progress for this long is over: what is missing is lost (ms). */
export const STALL_MS = 10_000;

/** Upper bound of any one wait for deliveries, whatever the size (ms). */
export const MAX_WAIT_MS = 180_000;

/**
 * The slowest delivery rate a wait allows for before giving up (deliveries/s).
 * The naive baselines deliver 40-80k/s on a busy 2-core machine (a CPU-bound
 * process beside the bench): a flood still moving is waited for, and one that
 * stops is caught by STALL_MS.
 */
export const MIN_RATE = 20_000;

/** A server must print its listening line within this long (ms). */
export const START_TIMEOUT_MS = 10_000;

/** After SIGTERM, a server or load generator gets this long before SIGKILL (ms). */
export const STOP_TIMEOUT_MS = 5_000;

/** Time allowed for connecting, per thousand clients, before it counts as a failure (ms). */
export const CONNECT_MS_PER_1000 = 10_000;

/**
 * Pause before server memory is read. Bun collects the garbage of a connection
 * storm within about two seconds; reading earlier overstates the cost of a
 * connection by half (measured: 3.3 KiB at once, 2.1 KiB after 2 s).
 */
export const MEMORY_SETTLE_MS = 3000;

/**
 * How long big watches server memory after its clients joined, taking the
 * lowest reading. The collection that frees the connection storm's garbage
 * comes anywhere from 2 to 10 s later (measured); before it, idle connections
 * look 20–60% dearer than they are.
 */
export const IDLE_MEMORY_WATCH_MS = { full: 12_000, quick: 3000 } as const;
export const IDLE_MEMORY_SAMPLE_MS = 250;

/** The floor's pause before its mass reset: it measures no memory, only lets the joins' garbage go (ms). */
export const FLOOR_SETTLE_MS = 1000;

/** How often the cleanup scenario samples the server's descriptors (ms). */
export const CLEANUP_POLL_MS = 5;

/** Longest wait for the server to forget mass-reset clients (ms). */
export const CLEANUP_TIMEOUT_MS = 30_000;

/** Longest wait for an answer to "/who" (ms). */
export const WHO_TIMEOUT_MS = 5000;

/**
 * The hiccup scenario's stops: the first reader stops as the flood starts,
 * each next one this much later (ms); the stops last from the shortest to the
 * longest, evenly spread.
 */
export const HICCUP = { staggerMs: 200, shortestMs: 500, longestMs: 1500 } as const;

/** How long the hiccup readers may take to catch up once the flood is over (ms). */
export const HICCUP_CATCH_UP_MS = 10_000;

/** How long the slow reader, once it reads again, may take to read what it is owed (ms). */
export const READ_BACK_WITHIN_MS = 15_000;
/** resume: how long the clients may take to join, read, and resume and catch up (ms). */
export const RESUME_TIMEOUT_MS = 30_000;

/** A repeated scenario's unmeasured warm-up flood is this many times smaller than a measured one. */
export const WARM_UP_FRACTION = 10;

/**
 * Warm-up floods go on until the server's JIT compiler threads used at most
 * this share of its CPU in one of them...
 */
export const WARM_UP_QUIET_SHARE = 0.05;

/** ...or this many have run. */
export const WARM_UP_MAX_FLOODS = 60;

/** big: unmeasured rounds of rejoining, until one leaves the JIT compiler as quiet, at most this many. */
export const REJOIN_WARM_UP_MAX = 4;

/** How long one churning client may take to join, and to be gone after leaving (ms). */
export const CHURN_CYCLE_TIMEOUT_MS = 10_000;

/** How often memory and descriptors are sampled during churn (ms). */
export const CHURN_SAMPLE_MS = 1000;

/**
 * Churn memory check: RSS at the end may exceed RSS after the warm-up third by
 * at most this many bytes plus the fraction below. Generous on purpose: a
 * garbage-collected heap breathes; a real leak of clients is caught exactly by
 * the descriptor and /who counts.
 */
export const CHURN_RSS_SLACK_BYTES = 24 * 1024 * 1024;
export const CHURN_RSS_SLACK_FRACTION = 0.25;

/**
 * A slow-reader flood may raise server RSS, over its level just before the
 * flood, by at most cap × this plus the slack. The server copies only unsent
 * bytes into a client's own outbox, so a reader that never reads holds about
 * its cap; the rest is the turn's arena, the senders' reads and garbage not yet
 * collected. Measured on 2 vCPUs: 2–17 MiB per run in full runs (1 MiB cap,
 * 27 runs) and 2–21 MiB in quick ones (256 KiB cap, 36 runs). The bound (34 and
 * 32.5 MiB) leaves over 10 MiB of headroom, and still fails a server whose slow
 * reader's backlog pins the shared buffers it was cut from (80–220 MiB).
 */
export const SLOW_RSS_WINDOW_FACTOR = 2;
export const SLOW_RSS_SLACK_BYTES = 32 * 1024 * 1024;

/** Targets from the issue, shown in the report (never a reason to fail: machines are noisy). */
export const GOALS = {
  /** papo deliveries/s in crowd divided by the Node baseline's. */
  crowdVsNode: 20,
  /** Paced p99 latency, ms. */
  pacedP99Ms: 30,
  /** Server memory per idle connection in big, bytes: "at or under about 2 KiB". */
  bytesPerConnection: 2048,
  /** How far past it still counts as "about": a tenth. */
  bytesPerConnectionSlack: 0.1,
  /**
   * Server CPU per delivery of WebSocket members over TCP members, in the
   * room (web-room over room) and the crowd (web over crowd): at most this.
   */
  webWithin: 1.5,
  /** store: the line-heavy rate with the room kept on disk, over --no-store's: at least this. */
  storeShare: 0.9,
  /** slow-reader: the readers' rate with one member that never reads, over the control's: at least this. */
  slowReaderRate: 0.9,
  /** Cluster: cross-server paced p99 at most this much over same-server p99, ms. */
  clusterCrossP99Ms: 5,
  /** Cluster: the pair's crowd deliveries/s over a single server's. */
  clusterCrowdShare: 0.7,
  /**
   * papo over the floor (the leanest relay on Bun) in CPU per delivery,
   * memory per idle connection, join time and mass-reset cleanup: at most this.
   */
  floorWithin: 1.2,
} as const;

/** Where results go unless --json says otherwise (gitignored). */
export const RESULTS_DIR = "bench/results";

/**
 * `bun bench soak`: a long mixed load on one papo with flood control on.
 * Rates are per second of the whole soak; "every" figures are mean intervals
 * (the actual ones vary by up to half either way, so that events drift apart).
 * Light on purpose: the soak looks for what grows over an hour, not for speed,
 * and must leave the second core to the server on a 2-core machine.
 */
export const SOAK = {
  /** Minutes of a full soak, and of --quick (what CI runs). */
  minutes: { full: 10, quick: 1 },
  /** Members that stay the whole soak, half on TCP and half on the WebSocket. */
  residents: 40,
  /** Of the residents, how many talk: one line every talkEveryMs each, within flood control. */
  talkers: 16,
  talkEveryMs: 2000,
  /** TCP residents that read slowly: their socket paused slowPauseMs of every slowCycleMs. */
  slowReaders: 4,
  slowCycleMs: 1000,
  slowPauseMs: 900,
  /** TCP residents that stop reading now and then, for stopShortestMs to stopLongestMs. */
  stoppers: 4,
  stopEveryMs: 15_000,
  stopShortestMs: 1000,
  stopLongestMs: 8000,
  /** Residents (TCP and WebSocket alternately) cut without /quit every resumeEveryMs, back with RESUME after up to resumeAwayMs. */
  resumers: 6,
  resumeEveryMs: 20_000,
  resumeAwayMs: 3000,
  /** Members that join, say a few lines, and leave (/quit, close, or reset) after up to churnLifeMs. */
  churnPerSecond: 2,
  churnLifeMs: 10_000,
  /** A flood every floodEveryMs: floodSenders talkers write floodLines lines at once; flood control trickles them out. */
  floodEveryMs: 30_000,
  floodSenders: 8,
  floodLines: 60,
  /** The operator kicks (and every other time bans, then unbans after unbanAfterMs) a member that joined to be kicked. */
  kickEveryMs: 10_000,
  unbanAfterMs: 5000,
  /** Bytes of text in a line, its "#seq" included. */
  lineBytes: 80,
  /**
   * The room's window given to the server (--window-bytes). Small, so that it
   * fills within the first minute (at these rates 10 to 25 KB/s of renderings):
   * the default 64 MiB would fill for over an hour, a growth by design that
   * the soak would take for a leak. A member resumed during a flood may then
   * fall past it, which is counted apart. A reader that stops for seconds
   * does not: the kernel's buffers (megabytes on loopback) hold its share.
   */
  windowBytes: 64 * 1024,
  /** How often the server is sampled (RSS, descriptors, /metrics), in ms; a minute's row is its samples' median. */
  sampleMs: 5000,
  /** After the load stops: how long the members still in the room may take to read the last line (ms). */
  drainMs: 30_000,
  /** Longest wait for a member to be welcomed (ms). */
  joinTimeoutMs: 10_000,
} as const;

/**
 * When the soak says memory or descriptors "grow without bound": over the
 * second half of the samples the least-squares slope is above the bound AND
 * the last level is above the level after the first minute by more than the
 * slack. Both, because a heap that breathes gives slopes either way over a
 * short stretch, and one step up (a cache filling) is growth that stopped;
 * a leak does both. At the full 10 minutes, 2 MiB/min leaks 20 MiB.
 */
export const SOAK_GROWTH = {
  rssMiBPerMinute: 2,
  rssSlackMiB: 32,
  heapMiBPerMinute: 2,
  heapSlackMiB: 16,
  fdsPerMinute: 1,
  fdsSlack: 32,
  /** Samples the second half needs before a slope means anything. */
  minSamples: 6,
  /** Minutes a soak needs before growth is judged at all (--quick's one minute only reports). */
  minMinutes: 3,
} as const;

/** Run this long or more, the soak's plot goes to docs/ unless --svg says otherwise. */
export const SOAK_DOCS_MINUTES = 60;
export const SOAK_DOCS_SVG = "docs/soak.svg";
