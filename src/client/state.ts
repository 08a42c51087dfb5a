/**
 * The client's side of a conversation as a small state machine, with no I/O:
 * server lines and the user's own lines go in, events and an ending come out.
 * session.ts feeds it from a socket; tests feed it strings.
 *
 *   greeting --(first notice)--> naming --("* hello NAME!")--> joined
 *   naming --("! reason")--> naming (asked again)
 *   joined --(/quit sent)--> quitting --("* bye", then socket closed)--> ended
 *   greeting, naming --(we close)--> quitting --(socket closed)--> ended
 *
 * Only lines no user can produce move it. Users reach other people only as
 * "<NAME> text", "* <NAME> action" and "[private] <NAME> text"; names hold no
 * spaces, "<" or ">". So every line read here is either an error ("! ", never
 * a user's), or a notice whose text does not start with "<", matched whole or
 * up to a name, never a line that merely contains the server's words.
 */

import { parseInput } from "../protocol/commands.ts";
import { SERVER_TEXT } from "../protocol/messages.ts";

const say = SERVER_TEXT.en;

export type Phase = "greeting" | "naming" | "joined" | "quitting" | "ended";

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
  /** The server's shutdown notice, once it came. */
  shutdown: string | null;
}

/** What a server line meant, beyond being shown. */
export type SessionEvent =
  /** Every line, sanitized, in order; shown by the terminal, printed by piped mode. */
  | { kind: "line"; line: string }
  /** The greeting came: the server wants a name. */
  | { kind: "greeted" }
  | { kind: "rejected"; reason: string }
  | { kind: "joined"; name: string }
  /** Our own /nick went through. */
  | { kind: "renamed"; name: string }
  /** Flood control: the server delays our lines and works through them at `rate` a second. */
  | { kind: "delayed"; rate: number };

/** How a session ended, once its socket closed. */
export type Ending =
  /** Left on purpose: the server confirmed our /quit, or we closed before joining. */
  | { kind: "quit" }
  /** Closed with no word from the server (a /quit that "* bye" never answered included). */
  | { kind: "lost" }
  | { kind: "shutdown"; notice: string }
  /** Closed before we joined, after the server said why. */
  | { kind: "refused"; reason: string };

export function initialState(): SessionState {
  return {
    phase: "greeting",
    name: "",
    asked: null,
    awaitingBye: false,
    lastError: null,
    shutdown: null,
  };
}

const WELCOME = /^\* hello ([^\s!]+)! /;
const SHUTDOWN = say.shuttingDown();
const BYE = say.bye();
/** The number in say.slowDown's "! slow down: over N lines a second, ...". */
const SLOW_DOWN = /^! slow down: over (\d+(?:\.\d+)?) lines a second/;
/** "* OLD is now known as " – what precedes the new name in a rename notice. */
const renamedPrefix = (old: string): string => say.renamed(old, "");

/** A notice from the server: "* text" whose text does not start with "<" (an action). */
const isNotice = (line: string): boolean => line.startsWith("* ") && !line.startsWith("* <");
const isError = (line: string): boolean => line.startsWith("! ");

/** Strip the "! " or "* " marker, leaving the server's words. */
const words = (line: string): string => line.slice(2);

/** Advance on one (sanitized) server line; returns what it meant, the line itself first. */
export function receive(state: SessionState, line: string): SessionEvent[] {
  const events: SessionEvent[] = [{ kind: "line", line }];
  if (line === SHUTDOWN) state.shutdown = words(line);
  const slowDown = SLOW_DOWN.exec(line);
  if (slowDown) {
    // Not an answer to anything: a name or command of ours is still coming up.
    events.push({ kind: "delayed", rate: Number(slowDown[1]) });
    return events;
  }
  switch (state.phase) {
    case "greeting":
      if (isError(line)) state.lastError = words(line);
      else if (isNotice(line)) {
        state.phase = "naming";
        events.push({ kind: "greeted" });
      }
      break;
    case "naming":
      naming(state, line, events);
      break;
    case "joined":
      // Names are unique and hold no spaces, so a rename notice that starts
      // with our name is about us; only our own /nick makes the server send it.
      if (line.startsWith(renamedPrefix(state.name))) {
        // Take the name from the server's line: it is the cleaned form of what was asked.
        state.name = line.slice(renamedPrefix(state.name).length);
        events.push({ kind: "renamed", name: state.name });
      }
      break;
    case "quitting":
      if (line === BYE) state.awaitingBye = false;
      break;
    default:
      break;
  }
  return events;
}

function naming(state: SessionState, line: string, events: SessionEvent[]): void {
  if (isError(line)) {
    state.lastError = words(line);
    if (state.asked !== null) {
      state.asked = null;
      events.push({ kind: "rejected", reason: words(line) });
    }
    return;
  }
  const welcome = WELCOME.exec(line);
  if (welcome && state.asked !== null) {
    state.phase = "joined";
    state.name = welcome[1] as string;
    state.asked = null;
    state.lastError = null;
    events.push({ kind: "joined", name: state.name });
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
  if (phase === "joined" || phase === "quitting" || phase === "ended") {
    return state.shutdown !== null
      ? { kind: "shutdown", notice: state.shutdown }
      : { kind: "lost" };
  }
  // Never joined: a server that gave a reason refused us; one that did not, dropped us.
  if (state.lastError !== null) return { kind: "refused", reason: state.lastError };
  return state.shutdown !== null ? { kind: "shutdown", notice: state.shutdown } : { kind: "lost" };
}
