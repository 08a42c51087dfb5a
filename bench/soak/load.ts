/**
 * The soak's load, as loops that run until told to stop: residents that talk,
 * read slowly, stop reading for seconds, or are cut and resume; members that
 * come and go; floods that come and go; an operator who kicks and bans. Every
 * interval is drawn from a seeded generator, so two soaks do the same things.
 */

import { SOAK } from "../config.ts";
import type { Ledger } from "./ledger.ts";
import { type Door, Member, type Tally, type Via } from "./member.ts";

/** The operator's password given to the soak's server. */
export const OP_PASSWORD = "soak-operator";

/** A small seeded generator (mulberry32): the soak's randomness, repeatable. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Load {
  /** Members in the room now (joined and connected), the witness and the operator included. */
  readonly live = new Set<Member>();
  readonly tally: Tally = { unexpectedCloses: 0, resumeRefused: 0, oddities: [] };
  /** Members that could not join or resume in time (first few kept). */
  readonly failures: string[] = [];
  /** What the load did, for the report. */
  readonly done = { churned: 0, resumes: 0, stops: 0, floods: 0, kicks: 0, bans: 0 };
  private running = true;
  private wake: () => void = () => {};
  /** Resolves when the load is told to stop: every wait ends early then. */
  private readonly stopped = new Promise<void>((resolve) => {
    this.wake = resolve;
  });
  private readonly loops: Array<Promise<void>> = [];
  private readonly rand = random(20);
  private residents: Member[] = [];
  private operator: Member | null = null;
  private victims = 0;
  private readonly churning = new Set<Promise<void>>();

  constructor(
    private readonly door: Door,
    private readonly ledger: Ledger,
  ) {}

  /** A member of the load, joined; null (and a failure noted) if it could not join. */
  async join(name: string, via: Via, options: { witness?: boolean; localAddress?: string } = {}) {
    const m = new Member(name, via, this.door, this.ledger, this.tally, options);
    if (!(await m.open(SOAK.joinTimeoutMs))) {
      this.fail(`${name} (${via}) could not join`);
      await m.drop();
      return null;
    }
    this.live.add(m);
    return m;
  }

  /** The operator and the residents join; then every loop starts. */
  async start(): Promise<void> {
    this.operator = await this.join("operator", "tcp");
    if (this.operator === null) throw new Error("the operator could not join");
    if (!(await this.operator.op(OP_PASSWORD, SOAK.joinTimeoutMs)))
      throw new Error("the operator's /op was not accepted");
    const joined = await Promise.all(
      Array.from({ length: SOAK.residents }, (_, i) =>
        this.join(`res${i}`, i % 2 === 0 ? "tcp" : "websocket"),
      ),
    );
    this.residents = joined.filter((m): m is Member => m !== null);
    const tcp = this.residents.filter((m) => m.via === "tcp");
    const slow = tcp.slice(0, SOAK.slowReaders);
    const stoppers = tcp.slice(SOAK.slowReaders, SOAK.slowReaders + SOAK.stoppers);
    // Resumers: from the end, so TCP and WebSocket alternate and none reads slowly too.
    const resumers = this.residents.slice(-SOAK.resumers);
    const talkers = this.residents.slice(0, SOAK.talkers);
    for (const m of talkers) this.every(SOAK.talkEveryMs, async () => m.say(SOAK.lineBytes));
    for (const m of slow) this.loops.push(this.readSlowly(m));
    for (const m of stoppers) this.every(SOAK.stopEveryMs, () => this.stopReading(m));
    for (const m of resumers) this.every(SOAK.resumeEveryMs, () => this.cutAndResume(m));
    // Churners overlap: each lives longer than the interval between two.
    this.every(1000 / SOAK.churnPerSecond, async () => {
      const life = this.churn();
      this.churning.add(life);
      void life.finally(() => this.churning.delete(life));
    });
    this.every(SOAK.floodEveryMs, async () => this.flood(talkers));
    this.every(SOAK.kickEveryMs, () => this.kick());
  }

  /** Stop every loop and wait for each to finish what it was doing (a stop ends, a resume completes). */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await Promise.all(this.loops);
    await Promise.all(this.churning);
  }

  /** The end: nobody's close is unexpected any more. */
  closeAll(): void {
    for (const m of this.live) m.closingForEnd();
  }

  /** Wait `ms`, or less if the load stops meanwhile. */
  private nap(ms: number): Promise<void> {
    return Promise.race([Bun.sleep(ms), this.stopped]);
  }

  private fail(why: string): void {
    if (this.failures.length < 10) this.failures.push(why);
  }

  /** `act` about every `meanMs` (half to one and a half times it), until the load stops. */
  private every(meanMs: number, act: () => Promise<void>): void {
    this.loops.push(
      (async () => {
        // The first time comes anywhere in the first interval, so that loops do not march in step.
        await this.nap(this.rand() * meanMs);
        while (this.running) {
          await act();
          await this.nap(meanMs * (0.5 + this.rand()));
        }
      })(),
    );
  }

  private async readSlowly(m: Member): Promise<void> {
    while (this.running) {
      m.pause();
      await this.nap(SOAK.slowPauseMs);
      m.resume();
      await this.nap(SOAK.slowCycleMs - SOAK.slowPauseMs);
    }
  }

  private async stopReading(m: Member): Promise<void> {
    const forMs = SOAK.stopShortestMs + this.rand() * (SOAK.stopLongestMs - SOAK.stopShortestMs);
    m.pause();
    this.done.stops++;
    await this.nap(forMs);
    m.resume();
  }

  private async cutAndResume(m: Member): Promise<void> {
    this.live.delete(m);
    await m.cut();
    await this.nap(this.rand() * SOAK.resumeAwayMs);
    if (await m.open(SOAK.joinTimeoutMs)) {
      this.live.add(m);
      this.done.resumes++;
    } else this.fail(`${m.name} (${m.via}) could not resume`);
  }

  /** One member comes, says a line or two, and goes: by /quit, by closing, or by a reset. */
  private async churn(): Promise<void> {
    const i = this.done.churned++;
    const m = await this.join(`ch${i}`, i % 2 === 0 ? "tcp" : "websocket");
    if (m === null) return;
    const lifeMs = this.rand() * SOAK.churnLifeMs;
    m.say(SOAK.lineBytes);
    await this.nap(lifeMs / 2);
    m.say(SOAK.lineBytes);
    await this.nap(lifeMs / 2);
    this.live.delete(m);
    // A v2 member that vanishes is away for the resume grace: those pile up and must go too.
    if (i % 3 === 0) await m.quit();
    else await m.drop();
  }

  private flood(talkers: readonly Member[]): void {
    this.done.floods++;
    const from = Math.floor(this.rand() * talkers.length);
    for (let k = 0; k < SOAK.floodSenders; k++) {
      talkers[(from + k) % talkers.length]?.flood(SOAK.floodLines, SOAK.lineBytes);
    }
  }

  /** A member joins from its own loopback address, says a line, and the operator kicks or bans it. */
  private async kick(): Promise<void> {
    const op = this.operator;
    if (op === null) return;
    const i = this.victims++;
    const ban = i % 2 === 1;
    // 127.0.0.2 to 127.0.0.254, never the operator's own 127.0.0.1.
    const localAddress = `127.0.0.${2 + (i % 253)}`;
    const m = await this.join(`kv${i}`, "tcp", { localAddress });
    if (m === null) return;
    m.say(SOAK.lineBytes);
    await this.nap(200);
    const gone = m.whenClosed();
    op.command(ban ? `/ban ${m.name}` : `/kick ${m.name} soak`);
    await Promise.race([gone, Bun.sleep(SOAK.joinTimeoutMs)]);
    this.live.delete(m);
    if (!m.kicked) this.fail(`${m.name} was not told it was ${ban ? "banned" : "kicked"}`);
    if (ban) {
      this.done.bans++;
      await this.nap(SOAK.unbanAfterMs);
      op.command(`/unban ${m.name}`);
    } else this.done.kicks++;
  }
}
