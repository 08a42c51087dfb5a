/**
 * A block's lines as the client reads them: the server sends a block as one
 * v2 line per line of it, each with `part=K/N` (docs/protocol.md, "Blocks");
 * the session hands the display one line for the whole block. Pure.
 */

import type { BlockProblem, BlockReader } from "../../protocol/block.ts";
import { BLOCK } from "../../protocol/limits.ts";
import { SERVER_TEXT } from "../../protocol/messages.ts";
import { sanitize } from "../../protocol/sanitize.ts";
import type { ServerLine } from "./meaning.ts";

/** `line` as the display gets it: itself, a whole block at its last part, or null while parts come. */
export function gather(reader: BlockReader, line: ServerLine): ServerLine | null {
  const read = reader.read(line.tags, line.text);
  if (read.kind === "line") return line;
  if (read.kind === "more") return null;
  return { ...line, text: read.texts.join("\n"), block: read.lines.map(sanitize) };
}

/** Why a block was not sent, in the server's words for it, in `lang`. */
export function blockRefusal(lang: keyof typeof SERVER_TEXT, problem: BlockProblem): string {
  const t = SERVER_TEXT[lang];
  return problem.kind === "line"
    ? t.lineTooLong()
    : t.blockTooLong(BLOCK.maxLines, BLOCK.maxBytes, false);
}
