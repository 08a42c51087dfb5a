/**
 * The client's side of a conversation as a small state machine, with no I/O:
 * server lines and the user's own lines go in, events and an ending come out.
 * session.ts feeds it from a socket; tests feed it lines.
 *
 *   greeting --(cap)--> naming --(ev=welcome)--> joined
 *   greeting --(cap, password=1)--> password --(ev=passwordAccepted)--> naming
 *   greeting --(cap, RESUME sent)--> resuming --(ev=resumed)--> joined
 *   resuming --(ev=resumeFailed)--> password or naming, as a new connection
 *   password --(ev=wrongPassword)--> password (asked again)
 *   naming --(a refusal)--> naming (asked again)
 *   joined --(/quit sent)--> quitting --(ev=bye, then socket closed)--> ended
 *   greeting, resuming, password, naming --(we close)--> quitting --(socket closed)--> ended
 *
 * Only the lines' tags move it (meaning.ts, protocol version 2): what people
 * write never carries a server's `ev`, so no user line can pass for one.
 */

import { SERVER_DEFAULTS } from "../../config.ts";
import { nameKey } from "../../protocol/names.ts";
import { parseInput } from "../../protocol/parse.ts";
import type { Position } from "../../protocol/tags.ts";
import type { ServerLine } from "./meaning.ts";

export type Phase =
  | "greeting"
  | "resuming"
  | "password"
  | "naming"
  | "joined"
  | "quitting"
  | "ended";

export interface SessionState {
  phase: Phase;
  /** A RESUME line was sent after CAP: the server answers it before anything else. */
  resuming: boolean;
  /** The room wants its password before a name (the CAP answer says). */
  password: boolean;
  /** The name the server accepted (updated by /nick). */
  name: string;
  /** A name sent and not yet answered. */
  asked: string | null;
  /** A /quit sent and not yet confirmed with ev=bye. */
  awaitingBye: boolean;
  /** The last error before joining: the reason a join failed. */
  lastError: string | null;
  /** What kind of refusal lastError was, where it matters for trying again. */
  lastCause: RefusalCause;
  /** The server's shutdown notice, once it came. */
  shutdown: string | null;
  /** An operator's notice that removed us (kick or ban), once it came. */
  removed: string | null;
  /** The longest line the server takes: the CAP answer says, until then the protocol default. */
  maxLineBytes: number;
  /** The name asked for is kept for operators: the next line we send is the operator password. */
  reserved: boolean;
}

/** Why the server would not have us: "banned" will not change, "name-timeout" is ours to fix. */
export type RefusalCause = "banned" | "name-timeout" | "other";

/** What a server line meant, beyond being shown. */
export type SessionEvent =
  /** Every line but the CAP answer, in order; shown by the terminal, printed by piped mode. */
  | { kind: "line"; line: ServerLine }
  /**
   * The server is ready for us: it wants a name, or first the room's
   * password; or, `resuming`, it is about to answer our RESUME. `lang` is the
   * server's language for us when it says (a language papo knows or not).
   */
  | { kind: "greeted"; password: boolean; lang: string | null; resuming: boolean }
  | { kind: "password-accepted" }
  | { kind: "password-rejected"; reason: string }
  | { kind: "rejected"; reason: string; taken: boolean }
  /** In the room as a new member: its resume token, and the position the room starts at for it. */
  | {
      kind: "joined";
      name: string;
      token: string | null;
      pos: Position | null;
      /** Joined as an operator (a kept name and the operator password). */
      operator: boolean;
    }
  /** Back in the room where we left it, operator if we were one; the lines missed follow. */
  | { kind: "resumed"; name: string; token: string | null; operator: boolean }
  /** The server could not resume us: this connection goes on as a new one (greeted follows). */
  | { kind: "resume-failed" }
  /** Our own /nick went through. */
  | { kind: "renamed"; name: string }
  /** The server's limits: lines longer than this are refused before sending. */
  | { kind: "limits"; maxLineBytes: number }
  /** An operator kicked or banned us; the connection closes next. */
  | { kind: "removed"; notice: string }
  /** Flood control: the server delays our lines and works through them at `rate` a second. */
  | { kind: "delayed"; rate: number }
  /** The server refused a line we sent (muted, slow or quiet mode, …), and names it: `text`. */
  | { kind: "not-said"; text: string }
  /** The name asked for is kept for operators: the server waits for the operator password. */
  | { kind: "operator-password"; name: string };

/** How a session ended, once its socket closed. */
export type Ending =
  /** Left on purpose: the server confirmed our /quit, or we closed before joining. */
  | { kind: "quit" }
  /** Closed with no word from the server (a /quit that ev=bye never answered included). */
  | { kind: "lost" }
  | { kind: "shutdown"; notice: string }
  /** An operator removed us; `notice` is the server's words. */
  | { kind: "removed"; notice: string }
  /** Closed before we joined, after the server said why. */
  | { kind: "refused"; reason: string; cause: RefusalCause };

export function initialState(): SessionState {
  return {
    phase: "greeting",
    resuming: false,
    password: false,
    name: "",
    asked: null,
    reserved: false,
    awaitingBye: false,
    lastError: null,
    lastCause: "other",
    shutdown: null,
    removed: null,
    maxLineBytes: SERVER_DEFAULTS.maxLineBytes,
  };
}

/** An error for this client alone: the v1 shape "! text", which no user can produce. */
const isError = (line: ServerLine): boolean => line.text.startsWith("! ");

/** Strip the "! " or "* " marker, leaving the server's words. */
const words = (line: ServerLine): string => line.text.slice(2);

/** Advance on one server line; returns what it meant, the line itself first (but the CAP answer). */
export function receive(state: SessionState, line: ServerLine): SessionEvent[] {
  const m = line.meaning;
  if (m?.kind === "cap") return capped(state, m.password, m.maxLineBytes, m.lang);
  const events: SessionEvent[] = [{ kind: "line", line }];
  if (m?.kind === "shutdown") state.shutdown = words(line);
  if (m?.kind === "slow-down") {
    // Not an answer to anything: a name or command of ours is still coming up.
    events.push({ kind: "delayed", rate: m.rate });
    return events;
  }
  switch (state.phase) {
    case "greeting":
      // The untagged greeting asks nothing of a v2 client: the CAP answer does.
      if (isError(line)) refusal(state, line, m?.kind === "banned-here" ? "banned" : "other");
      break;
    case "resuming":
      resuming(state, line, events);
      break;
    case "password":
      if (m?.kind === "password-accepted") {
        state.phase = "naming";
        events.push({ kind: "password-accepted" });
      } else if (m?.kind === "wrong-password") {
        events.push({ kind: "password-rejected", reason: words(line) });
      } else if (isError(line)) {
        refusal(state, line, m?.kind === "name-timeout" ? "name-timeout" : "other");
      }
      break;
    case "naming":
      naming(state, line, events);
      break;
    case "joined":
      joined(state, line, events);
      break;
    case "quitting":
      if (m?.kind === "bye") state.awaitingBye = false;
      break;
    default:
      break;
  }
  return events;
}

/** The CAP answer: the server speaks version 2 to us, and says what comes first. */
function capped(
  state: SessionState,
  password: boolean,
  maxLineBytes: number | null,
  lang: string | null,
): SessionEvent[] {
  if (state.phase !== "greeting") return [];
  state.password = password;
  const events: SessionEvent[] = [];
  if (maxLineBytes !== null) {
    state.maxLineBytes = maxLineBytes;
    events.push({ kind: "limits", maxLineBytes });
  }
  state.phase = state.resuming ? "resuming" : password ? "password" : "naming";
  events.push({ kind: "greeted", password, lang, resuming: state.resuming });
  return events;
}

function resuming(state: SessionState, line: ServerLine, events: SessionEvent[]): void {
  const m = line.meaning;
  if (m?.kind === "resumed") {
    state.phase = "joined";
    state.name = m.name;
    events.push({ kind: "resumed", name: m.name, token: m.token, operator: m.operator });
  } else if (m?.kind === "resume-failed") {
    state.resuming = false;
    state.phase = state.password ? "password" : "naming";
    events.push(
      { kind: "resume-failed" },
      { kind: "greeted", password: state.password, lang: null, resuming: false },
    );
  } else if (isError(line)) {
    refusal(state, line, "other");
  }
}

function refusal(state: SessionState, line: ServerLine, cause: RefusalCause): void {
  state.lastError = words(line);
  state.lastCause = cause;
}

function naming(state: SessionState, line: ServerLine, events: SessionEvent[]): void {
  const m = line.meaning;
  if (m?.kind === "name-reserved" && state.asked !== null) {
    state.reserved = true;
    events.push({ kind: "operator-password", name: m.name });
    return;
  }
  if (isError(line)) {
    state.reserved = false;
    // The time limit is no verdict on the name: the connection closes next.
    const timeout = m?.kind === "name-timeout";
    refusal(state, line, timeout ? "name-timeout" : "other");
    if (state.asked !== null && !timeout) {
      state.asked = null;
      const taken = m?.kind === "name-refused" && m.taken;
      events.push({ kind: "rejected", reason: words(line), taken });
    }
    return;
  }
  if (m?.kind === "welcome" && state.asked !== null) {
    state.reserved = false;
    state.phase = "joined";
    state.name = m.name;
    state.asked = null;
    state.lastError = null;
    state.lastCause = "other";
    events.push({
      kind: "joined",
      name: state.name,
      token: m.token,
      pos: m.pos,
      operator: m.operator,
    });
  }
}

function joined(state: SessionState, line: ServerLine, events: SessionEvent[]): void {
  const m = line.meaning;
  if (m === null) return;
  if (m.kind === "limits") {
    state.maxLineBytes = m.maxLineBytes;
    events.push({ kind: "limits", maxLineBytes: m.maxLineBytes });
  } else if (m.kind === "renamed" && nameKey(m.from) === nameKey(state.name)) {
    // Names are unique, so a rename of our name is about us: our own /nick,
    // or the servers of a split room giving our name to someone else.
    // The new name is the server's: the cleaned form of what was asked.
    state.name = m.to;
    events.push({ kind: "renamed", name: state.name });
  } else if (m.kind === "not-said" && m.text !== null) {
    // The server names the refused line (lines sent after it may be on their way): that one.
    events.push({ kind: "not-said", text: m.text });
  } else if (m.kind === "removed" && nameKey(m.name) === nameKey(state.name)) {
    state.removed = words(line);
    events.push({ kind: "removed", notice: state.removed });
  }
}

/** Record a name about to be sent. */
export function askName(state: SessionState, name: string): void {
  state.asked = name;
}

/**
 * Record a line the user is about to send while joined.
 * Returns true when the line is a /quit, which starts leaving.
 */
export function sending(state: SessionState, line: string): boolean {
  if (parseInput(line).kind !== "quit") return false;
  state.phase = "quitting";
  state.awaitingBye = true;
  return true;
}

/** Leaving before joining: we close, and nothing needs confirming ("/quit" would be a name). */
export function abandon(state: SessionState): void {
  state.phase = "quitting";
}

/** The ending, decided when the socket closes; the phase becomes "ended". */
export function closed(state: SessionState): Ending {
  const phase = state.phase;
  state.phase = "ended";
  if (phase === "quitting" && !state.awaitingBye) return { kind: "quit" };
  if (state.removed !== null) return { kind: "removed", notice: state.removed };
  if (phase === "joined" || phase === "quitting" || phase === "ended") {
    return state.shutdown !== null
      ? { kind: "shutdown", notice: state.shutdown }
      : { kind: "lost" };
  }
  // Never joined: a server that gave a reason refused us; one that did not, dropped us.
  if (state.lastError !== null) {
    return { kind: "refused", reason: state.lastError, cause: state.lastCause };
  }
  return state.shutdown !== null ? { kind: "shutdown", notice: state.shutdown } : { kind: "lost" };
}
