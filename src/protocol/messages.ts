/**
 * The exact text of every line the server sends (protocol v1). Chat lines are
 * "<name> text", notices start with "* ", errors for one client with "! ".
 * Pure string building; encoding to bytes happens where lines are sent.
 */

import { PROTOCOL } from "../config.ts";
import { COMMANDS } from "./commands.ts";

export const notice = (text: string): string => `* ${text}`;
export const error = (text: string): string => `! ${text}`;
export const chat = (name: string, text: string): string => `<${name}> ${text}`;

/** "a, b, c" capped at `max` names, then ", and K more". */
export function nameList(names: readonly string[], total: number, max: number): string {
  const shown = names.slice(0, max).join(", ");
  return total > max ? `${shown}, and ${total - max} more` : shown;
}

export const server = {
  greeting: () => notice("welcome to papo! what is your name?"),
  welcome: (name: string, total: number, names: readonly string[]) =>
    notice(
      `hello ${name}! ${total} online: ${nameList(names, total, PROTOCOL.welcomeNames)} (type /help for commands)`,
    ),
  joined: (name: string) => notice(`${name} joined`),
  left: (name: string, reason?: string) =>
    notice(reason ? `${name} left (${reason})` : `${name} left`),
  renamed: (from: string, to: string) => notice(`${from} is now known as ${to}`),
  /**
   * "* <NAME> action": a notice never starts with "<" (names cannot contain
   * it), so no /me can imitate a server notice.
   */
  action: (name: string, action: string) => notice(`<${name}> ${action}`),
  who: (total: number, names: readonly string[]) =>
    notice(`online (${total}): ${nameList(names, total, PROTOCOL.whoNames)}`),
  privateTo: (to: string, text: string) => `[private to ${to}] ${text}`,
  privateFrom: (from: string, text: string) => `[private] <${from}> ${text}`,
  help: (): string[] => [
    notice("commands:"),
    ...COMMANDS.map((c) => notice(`  ${c.usage.padEnd(16)} ${c.help}`)),
  ],
  bye: () => notice("bye"),
  shuttingDown: () => notice("server shutting down"),

  invalidName: (reason: string) => error(`invalid name: ${reason}`),
  nameTaken: (name: string) => error(`name taken: ${name}`),
  sameName: (name: string) => error(`you are already called ${name}`),
  nameTimeout: (seconds: number) => error(`no name given within ${seconds} s, closing`),
  lineTooLong: () => error("line too long"),
  slowDown: (rate: number) =>
    error(`slow down: over ${rate} lines a second, your lines are delayed (none are lost)`),
  serverFull: () => error("server full"),
  noSuchUser: (name: string) => error(`no such user: ${name}`),
  usage: (usage: string) => error(`usage: ${usage}`),
  unknownCommand: (command: string) => error(`unknown command ${command} (try /help)`),
} as const;
