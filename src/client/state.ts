/**
 * The client's side of a conversation as a small state machine, with no I/O:
 * server lines and the user's own lines go in, events and an ending come out.
 * session.ts feeds it from a socket; tests feed it strings.
 *
 *   greeting --(first "* " line)--> naming --("* hello NAME!")--> joined
 *   naming --("! reason")--> naming (asked again)
 *   joined --(/quit sent)--> quitting --(socket closed)--> ended
 */

import { parseInput } from "../protocol/commands.ts";
import { server as say } from "../protocol/messages.ts";

export type Phase = "greeting" | "naming" | "joined" | "quitting" | "ended";

export interface SessionState {
  phase: Phase;
  /** The name the server accepted (updated by /nick). */
  name: string;
  /** A name sent and not yet answered. */
  asked: string | null;
  /** A /nick sent and not yet confirmed. */
  nick: string | null;
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
  | { kind: "renamed"; name: string };

/** How a session ended, once its socket closed. */
export type Ending =
  | { kind: "quit" }
  | { kind: "lost" }
  | { kind: "shutdown"; notice: string }
  /** Closed before we joined, after the server said why. */
  | { kind: "refused"; reason: string };

export function initialState(): SessionState {
  return { phase: "greeting", name: "", asked: null, nick: null, lastError: null, shutdown: null };
}

const WELCOME = /^\* hello ([^\s!]+)! /;
const SHUTDOWN = say.shuttingDown();
/** "* OLD is now known as " – what precedes the new name in a rename notice. */
const renamedPrefix = (old: string): string => say.renamed(old, "");

/** Strip the "! " or "* " marker, leaving the server's words. */
const words = (line: string): string => line.slice(2);

/** Advance on one (sanitized) server line; returns what it meant, the line itself first. */
export function receive(state: SessionState, line: string): SessionEvent[] {
  const events: SessionEvent[] = [{ kind: "line", line }];
  if (line === SHUTDOWN) state.shutdown = words(line);
  switch (state.phase) {
    case "greeting":
      if (line.startsWith("! ")) state.lastError = words(line);
      else if (line.startsWith("* ")) {
        state.phase = "naming";
        events.push({ kind: "greeted" });
      }
      break;
    case "naming":
      naming(state, line, events);
      break;
    case "joined":
      if (state.nick !== null && line.startsWith(renamedPrefix(state.name))) {
        // Take the name from the server's line: it is the cleaned form of what was asked.
        state.name = line.slice(renamedPrefix(state.name).length);
        state.nick = null;
        events.push({ kind: "renamed", name: state.name });
      } else if (state.nick !== null && line.startsWith("! ")) {
        // The server answers a refused /nick with an error; stop waiting for it.
        state.nick = null;
      }
      break;
    default:
      break;
  }
  return events;
}

function naming(state: SessionState, line: string, events: SessionEvent[]): void {
  if (line.startsWith("! ")) {
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
 * Record a line the user is about to send while joined; notes /quit and /nick.
 * Returns true when the line is a /quit, which starts leaving.
 */
export function sending(state: SessionState, line: string): boolean {
  const input = parseInput(line);
  if (input.kind === "nick") state.nick = input.name;
  if (input.kind !== "quit") return false;
  state.phase = "quitting";
  return true;
}

/** The ending, decided when the socket closes; the phase becomes "ended". */
export function closed(state: SessionState): Ending {
  const phase = state.phase;
  state.phase = "ended";
  if (phase === "quitting") return { kind: "quit" };
  if (phase === "joined" || phase === "ended") {
    return state.shutdown !== null
      ? { kind: "shutdown", notice: state.shutdown }
      : { kind: "lost" };
  }
  // Never joined: a server that gave a reason refused us; one that did not, dropped us.
  if (state.lastError !== null) return { kind: "refused", reason: state.lastError };
  return state.shutdown !== null ? { kind: "shutdown", notice: state.shutdown } : { kind: "lost" };
}
