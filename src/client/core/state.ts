/**
 * The client's side of a conversation as a small state machine, with no I/O:
 * server lines and the user's own lines go in, events and an ending come out.
 * session.ts feeds it from a socket; tests feed it strings.
 *
 *   greeting --(first notice)--> naming --("* hello NAME!")--> joined
 *   greeting --(password greeting)--> password --("password accepted")--> naming
 *   password --("! wrong password")--> password (asked again)
 *   naming --("! reason")--> naming (asked again)
 *   joined --(/quit sent)--> quitting --("* bye", then socket closed)--> ended
 *   greeting, password, naming --(we close)--> quitting --(socket closed)--> ended
 *
 * Only lines no user can produce move it (heard.ts recognizes them, in every
 * language the server speaks). Users reach other people only as
 * "<NAME> text", "* <NAME> action" and "[private] <NAME> text"; names hold no
 * spaces, "<" or ">". So every line read here is either an error ("! ", never
 * a user's), or a notice whose text does not start with "<", matched whole or
 * up to a name, never a line that merely contains the server's words.
 */

import { SERVER_DEFAULTS } from "../../config.ts";
import type { Lang } from "../../protocol/lang.ts";
import { nameKey } from "../../protocol/names.ts";
import { parseInput } from "../../protocol/parse.ts";
import { type Heard, hear } from "./heard.ts";

export type Phase = "greeting" | "password" | "naming" | "joined" | "quitting" | "ended";

export interface SessionState {
  phase: Phase;
  /** The name the server accepted (updated by /nick). */
  name: string;
  /** A name sent and not yet answered. */
  asked: string | null;
  /** A /quit sent and not yet confirmed with "* bye". */
  awaitingBye: boolean;
  /** The last "! " line before joining: the reason a join failed. */
  lastError: string | null;
  /** What kind of refusal lastError was, where it matters for trying again. */
  lastCause: RefusalCause;
  /** The server's shutdown notice, once it came. */
  shutdown: string | null;
  /** An operator's notice that removed us (kick or ban), once it came. */
  removed: string | null;
  /** The longest line the server takes: its limits line says, until then the protocol default. */
  maxLineBytes: number;
}

/** Why the server would not have us: "banned" will not change, "name-timeout" is ours to fix. */
export type RefusalCause = "banned" | "name-timeout" | "other";

/** What a server line meant, beyond being shown. */
export type SessionEvent =
  /** Every line, sanitized, in order; shown by the terminal, printed by piped mode. */
  | { kind: "line"; line: string }
  /**
   * The greeting came: the server wants a name, or first the room's password.
   * `lang` is the greeting's language when it is one papo knows.
   */
  | { kind: "greeted"; password: boolean; lang: Lang | null }
  | { kind: "password-accepted" }
  | { kind: "password-rejected"; reason: string }
  | { kind: "rejected"; reason: string; taken: boolean }
  | { kind: "joined"; name: string }
  /** Our own /nick went through. */
  | { kind: "renamed"; name: string }
  /** The server's limits line: lines longer than this are refused before sending. */
  | { kind: "limits"; maxLineBytes: number }
  /** An operator kicked or banned us; the connection closes next. */
  | { kind: "removed"; notice: string }
  /** Flood control: the server delays our lines and works through them at `rate` a second. */
  | { kind: "delayed"; rate: number };

/** How a session ended, once its socket closed. */
export type Ending =
  /** Left on purpose: the server confirmed our /quit, or we closed before joining. */
  | { kind: "quit" }
  /** Closed with no word from the server (a /quit that "* bye" never answered included). */
  | { kind: "lost" }
  | { kind: "shutdown"; notice: string }
  /** An operator removed us; `notice` is the server's words. */
  | { kind: "removed"; notice: string }
  /** Closed before we joined, after the server said why. */
  | { kind: "refused"; reason: string; cause: RefusalCause };

export function initialState(): SessionState {
  return {
    phase: "greeting",
    name: "",
    asked: null,
    awaitingBye: false,
    lastError: null,
    lastCause: "other",
    shutdown: null,
    removed: null,
    maxLineBytes: SERVER_DEFAULTS.maxLineBytes,
  };
}

/** A notice from the server: "* text" whose text does not start with "<" (an action). */
const isNotice = (line: string): boolean => line.startsWith("* ") && !line.startsWith("* <");
const isError = (line: string): boolean => line.startsWith("! ");

/** Strip the "! " or "* " marker, leaving the server's words. */
const words = (line: string): string => line.slice(2);

/** Advance on one (sanitized) server line; returns what it meant, the line itself first. */
export function receive(state: SessionState, line: string): SessionEvent[] {
  const events: SessionEvent[] = [{ kind: "line", line }];
  const heard = hear(line);
  if (heard?.kind === "shutdown") state.shutdown = words(line);
  if (heard?.kind === "slow-down") {
    // Not an answer to anything: a name or command of ours is still coming up.
    events.push({ kind: "delayed", rate: heard.rate });
    return events;
  }
  switch (state.phase) {
    case "greeting":
      if (isError(line)) refusal(state, line, heard?.kind === "banned-here" ? "banned" : "other");
      else if (isNotice(line)) {
        const password = heard?.kind === "greeting" && heard.password;
        state.phase = password ? "password" : "naming";
        events.push({
          kind: "greeted",
          password,
          lang: heard?.kind === "greeting" ? heard.lang : null,
        });
      }
      break;
    case "password":
      if (heard?.kind === "password-accepted") {
        state.phase = "naming";
        events.push({ kind: "password-accepted" });
      } else if (heard?.kind === "wrong-password") {
        events.push({ kind: "password-rejected", reason: words(line) });
      } else if (isError(line)) {
        refusal(state, line, heard?.kind === "name-timeout" ? "name-timeout" : "other");
      }
      break;
    case "naming":
      naming(state, line, heard, events);
      break;
    case "joined":
      joined(state, line, heard, events);
      break;
    case "quitting":
      if (heard?.kind === "bye") state.awaitingBye = false;
      break;
    default:
      break;
  }
  return events;
}

function refusal(state: SessionState, line: string, cause: RefusalCause): void {
  state.lastError = words(line);
  state.lastCause = cause;
}

function naming(
  state: SessionState,
  line: string,
  heard: Heard | null,
  events: SessionEvent[],
): void {
  if (isError(line)) {
    // The time limit is no verdict on the name: the connection closes next.
    const timeout = heard?.kind === "name-timeout";
    refusal(state, line, timeout ? "name-timeout" : "other");
    if (state.asked !== null && !timeout) {
      state.asked = null;
      events.push({ kind: "rejected", reason: words(line), taken: heard?.kind === "name-taken" });
    }
    return;
  }
  if (heard?.kind === "welcome" && state.asked !== null) {
    state.phase = "joined";
    state.name = heard.name;
    state.asked = null;
    state.lastError = null;
    state.lastCause = "other";
    events.push({ kind: "joined", name: state.name });
  }
}

function joined(
  state: SessionState,
  line: string,
  heard: Heard | null,
  events: SessionEvent[],
): void {
  if (heard === null) return;
  if (heard.kind === "limits") {
    state.maxLineBytes = heard.maxLineBytes;
    events.push({ kind: "limits", maxLineBytes: heard.maxLineBytes });
  } else if (heard.kind === "renamed" && heard.from === state.name) {
    // Names are unique and hold no spaces, so a rename notice that starts
    // with our name is about us; only our own /nick makes the server send it.
    // The new name is the server's: the cleaned form of what was asked.
    state.name = heard.to;
    events.push({ kind: "renamed", name: state.name });
  } else if (heard.kind === "removed" && nameKey(heard.name) === nameKey(state.name)) {
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
