/**
 * Parses one line a user typed into what it asks for. Pure; the server
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
  | { kind: "topic"; text: string }
  | { kind: "lang"; lang: string }
  | { kind: "op"; password: string }
  | { kind: "kick"; name: string; reason: string }
  | { kind: "ban"; name: string }
  | { kind: "unban"; what: string }
  /** `minutes` undefined: until /unmute. */
  | { kind: "mute"; name: string; minutes?: number }
  | { kind: "unmute"; name: string }
  | { kind: "slow"; seconds: number }
  | { kind: "quiet"; on: boolean }
  | { kind: "transcript" }
  | { kind: "quit"; reason: string }
  | { kind: "usage"; usage: string }
  | { kind: "unknown"; command: string };

export type CommandName =
  | "who"
  | "nick"
  | "me"
  | "msg"
  | "topic"
  | "lang"
  | "op"
  | "kick"
  | "ban"
  | "unban"
  | "mute"
  | "unmute"
  | "slow"
  | "quiet"
  | "transcript"
  | "quit"
  | "help"
  | "slash";

/** Commands with their usage, in /help order; each language describes them (messages.ts). */
export const COMMANDS: ReadonlyArray<{ name: CommandName; usage: string; operator?: true }> = [
  { name: "who", usage: "/who" },
  { name: "nick", usage: "/nick NAME" },
  { name: "me", usage: "/me ACTION" },
  { name: "msg", usage: "/msg NAME TEXT" },
  { name: "topic", usage: "/topic [TEXT]" },
  { name: "lang", usage: "/lang en|pt" },
  { name: "op", usage: "/op PASSWORD" },
  { name: "kick", usage: "/kick NAME [REASON]", operator: true },
  { name: "ban", usage: "/ban NAME", operator: true },
  { name: "unban", usage: "/unban NAME|ADDRESS", operator: true },
  { name: "mute", usage: "/mute NAME [MINUTES]", operator: true },
  { name: "unmute", usage: "/unmute NAME", operator: true },
  { name: "slow", usage: "/slow SECONDS", operator: true },
  { name: "quiet", usage: "/quiet [off]", operator: true },
  { name: "transcript", usage: "/transcript", operator: true },
  { name: "quit", usage: "/quit [REASON]" },
  { name: "help", usage: "/help" },
  { name: "slash", usage: "//TEXT" },
];

const usageOf = (name: CommandName): Input => ({
  kind: "usage",
  usage: COMMANDS.find((c) => c.name === name)?.usage ?? name,
});

/** "first rest of it" split at the first whitespace; rest trimmed. */
function firstWord(text: string): [string, string] {
  const gap = text.search(/\s/);
  return gap === -1 ? [text, ""] : [text.slice(0, gap), text.slice(gap + 1).trim()];
}

/** A count typed as digits with an optional fraction ("5", "0.5"); null when it is not one. */
function amount(text: string): number | null {
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : null;
}

/** Parse a line; `line` is already sanitized. */
export function parseInput(line: string): Input {
  if (line.trim().length === 0) return { kind: "empty" };
  if (line.charCodeAt(0) !== 0x2f /* / */) return { kind: "message", text: line };
  if (line.charCodeAt(1) === 0x2f) return { kind: "message", text: line.slice(1) };

  const [word, rest] = firstWord(line);
  const command = word.toLowerCase();

  switch (command) {
    case "/who":
      return { kind: "who" };
    case "/help":
      return { kind: "help" };
    case "/nick":
      return rest ? { kind: "nick", name: rest } : usageOf("nick");
    case "/me":
      return rest ? { kind: "me", action: rest } : usageOf("me");
    case "/msg": {
      const [to, text] = firstWord(rest);
      return to && text ? { kind: "msg", to, text } : usageOf("msg");
    }
    case "/topic":
      return { kind: "topic", text: rest };
    case "/lang":
      return { kind: "lang", lang: rest.toLowerCase() };
    case "/op":
      // The password as typed after "/op ", spaces inside it kept, around it not.
      return rest ? { kind: "op", password: rest } : usageOf("op");
    case "/kick": {
      const [name, reason] = firstWord(rest);
      return name ? { kind: "kick", name, reason } : usageOf("kick");
    }
    case "/ban":
      return rest && !/\s/.test(rest) ? { kind: "ban", name: rest } : usageOf("ban");
    case "/unban":
      return rest && !/\s/.test(rest) ? { kind: "unban", what: rest } : usageOf("unban");
    case "/mute": {
      const [name, more] = firstWord(rest);
      const minutes = more === "" ? undefined : amount(more);
      if (!name || minutes === null || minutes === 0) return usageOf("mute");
      return minutes === undefined ? { kind: "mute", name } : { kind: "mute", name, minutes };
    }
    case "/unmute":
      return rest && !/\s/.test(rest) ? { kind: "unmute", name: rest } : usageOf("unmute");
    case "/slow": {
      const seconds = amount(rest);
      return seconds === null ? usageOf("slow") : { kind: "slow", seconds };
    }
    case "/quiet": {
      const word = rest.toLowerCase();
      if (word === "" || word === "on") return { kind: "quiet", on: true };
      return word === "off" ? { kind: "quiet", on: false } : usageOf("quiet");
    }
    case "/transcript":
      return { kind: "transcript" };
    case "/quit":
      return { kind: "quit", reason: rest };
    default:
      return { kind: "unknown", command };
  }
}
