/**
 * What the page's message box sends: one line as an ordinary message, several
 * lines as one block (protocol/block.ts), and a block typed between two
 * lines of three backticks, as on the terminal. Also whether Enter, at a
 * given moment, ends the message or only the line: inside a fence that is
 * still open it only breaks the line. Pure.
 */

import { closesBlock, opensBlock, splitLines, trimBlock } from "../protocol/block.ts";

/** What the box's text goes out as. */
export type Outgoing =
  | { kind: "nothing" }
  | { kind: "line"; line: string }
  | { kind: "block"; lines: string[] };

/**
 * Whether `text` has a fence open: a line of ``` (a language name may follow)
 * and no line of ``` alone after it. Enter then breaks the line.
 */
export function fenceOpen(text: string): boolean {
  let open = false;
  for (const line of splitLines(text)) {
    if (open) open = !closesBlock(line);
    else open = opensBlock(line);
  }
  return open;
}

/**
 * The box's `text` as it goes out: its lines without the blank ones at either
 * end, the fences around a typed block dropped (a block is sent with its
 * count, so a fence inside a paste is only a line); a single line left is an
 * ordinary message, as the server would make it. A fence left open (Send
 * pressed before its closing line) is closed at the end.
 */
export function outgoing(text: string): Outgoing {
  let lines = trimBlock(splitLines(text));
  const first = lines[0];
  const last = lines[lines.length - 1];
  if (lines.length >= 2 && first !== undefined && last !== undefined && opensBlock(first)) {
    // Sent with Send before its closing line was typed: the block is what follows.
    lines = trimBlock(lines.slice(1, closesBlock(last) ? -1 : undefined));
  }
  if (lines.length === 0) return { kind: "nothing" };
  if (lines.length === 1) return { kind: "line", line: lines[0] as string };
  return { kind: "block", lines };
}
