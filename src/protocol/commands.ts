/**
 * Parses one line a named user typed into what it asks for. Pure; the server
 * session carries it out. Lines starting with "/" are commands, "//text" sends
 * "/text" as a message, blank lines are nothing.
 */

export type Input =
  | { kind: "empty" }
  | { kind: "message"; text: string }
  | { kind: "who" }
  | { kind: "help" }
  | { kind: "nick"; name: string }
  | { kind: "me"; action: string }
  | { kind: "msg"; to: string; text: string }
  | { kind: "quit"; reason: string }
  | { kind: "usage"; usage: string }
  | { kind: "unknown"; command: string };

/** Commands with their usage and a one-line description, in /help order. */
export const COMMANDS: ReadonlyArray<{ usage: string; help: string }> = [
  { usage: "/who", help: "list who is online" },
  { usage: "/nick NAME", help: "change your name" },
  { usage: "/me ACTION", help: "describe an action (* <NAME> ACTION)" },
  { usage: "/msg NAME TEXT", help: "send a private message" },
  { usage: "/quit [REASON]", help: "leave the room" },
  { usage: "/help", help: "show this list" },
  { usage: "//TEXT", help: "send a message that starts with /" },
];

/** Parse a line; `line` is already sanitized. */
export function parseInput(line: string): Input {
  if (line.trim().length === 0) return { kind: "empty" };
  if (line.charCodeAt(0) !== 0x2f /* / */) return { kind: "message", text: line };
  if (line.charCodeAt(1) === 0x2f) return { kind: "message", text: line.slice(1) };

  const space = line.search(/\s/);
  const command = (space === -1 ? line : line.slice(0, space)).toLowerCase();
  const rest = space === -1 ? "" : line.slice(space + 1).trim();

  switch (command) {
    case "/who":
      return { kind: "who" };
    case "/help":
      return { kind: "help" };
    case "/nick":
      return rest ? { kind: "nick", name: rest } : { kind: "usage", usage: "/nick NAME" };
    case "/me":
      return rest ? { kind: "me", action: rest } : { kind: "usage", usage: "/me ACTION" };
    case "/msg": {
      const gap = rest.search(/\s/);
      if (gap === -1) return { kind: "usage", usage: "/msg NAME TEXT" };
      const text = rest.slice(gap + 1).trim();
      if (!text) return { kind: "usage", usage: "/msg NAME TEXT" };
      return { kind: "msg", to: rest.slice(0, gap), text };
    }
    case "/quit":
      return { kind: "quit", reason: rest };
    default:
      return { kind: "unknown", command };
  }
}
