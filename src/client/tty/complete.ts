/**
 * Tab completion, as chat clients do it: a name at the start of a line
 * becomes "name: " (addressing someone), a name anywhere else just "name ",
 * a command "/who ". After a command, names complete too (/msg, /kick, /me
 * waves at...), /lang completes its languages, and /nick and /op nothing.
 * Pure: readline's completer calls it with the text before the cursor.
 */

import { LANGS } from "../../protocol/lang.ts";
import { nameKey } from "../../protocol/names.ts";
import { COMMANDS } from "../../protocol/parse.ts";

/** What readline's completer returns: the candidates, and the text they replace. */
export type Completion = [candidates: string[], replaced: string];

/** "/who", "/nick", ...: every command's name, from its usage ("//TEXT" is no command). */
const COMMAND_NAMES: readonly string[] = COMMANDS.map(
  (c) => c.usage.split(" ")[0] as string,
).filter((name) => !name.startsWith("//"));

/** Commands whose argument is no member's name: a new name, a password, seconds, "off". */
const NO_NAME: ReadonlySet<string> = new Set(["/nick", "/op", "/slow", "/quiet"]);

const startsWith = (candidate: string, typed: string): boolean =>
  nameKey(candidate).startsWith(nameKey(typed));

/**
 * Complete `before` (the line up to the cursor) from the known `members`,
 * leaving out `self`: nobody addresses themselves.
 */
export function complete(before: string, members: readonly string[], self: string): Completion {
  const words = before.split(" ");
  const word = words.at(-1) ?? "";
  const others = members.filter((name) => nameKey(name) !== nameKey(self));
  const names = (typed: string, after: string, prefix = "") =>
    others.filter((name) => startsWith(name, typed)).map((name) => `${prefix}${name}${after}`);

  if (words.length === 1) {
    if (word.startsWith("/")) {
      return [COMMAND_NAMES.filter((c) => startsWith(c, word)).map((c) => `${c} `), word];
    }
    if (word === "") return [[], word];
    // "@an" completes to "@ana ", as people used to other chats type it.
    if (word.startsWith("@")) return [names(word.slice(1), " ", "@"), word];
    return [names(word, ": "), word];
  }
  const command = (words[0] as string).toLowerCase();
  if (words.length === 2 && command === "/lang") {
    return [LANGS.filter((l) => l.startsWith(word)).map((l) => `${l} `), word];
  }
  if (word === "" || NO_NAME.has(command)) return [[], word];
  if (word.startsWith("@")) return [names(word.slice(1), " ", "@"), word];
  return [names(word, " "), word];
}
