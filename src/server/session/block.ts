/**
 * A member's blocks as they arrive (docs/protocol.md, "Blocks"): a papo
 * client's `@block=N` and its N lines, or a line of three backticks, lines,
 * and another such line, typed by anyone. The lines are gathered here and
 * said to the room as one line of its log (one entry of history; one
 * message for flood control up to BLOCK.freeLines and freeBytes, a token
 * more for each linesPerToken or bytesPerToken beyond); a block over the
 * limits is refused with one line and is read to its end, so that none of
 * its lines is taken for a message. No block stays open past BLOCK.openMs.
 */

import {
  blockText,
  closesBlock,
  opensBlock,
  parseBlockHeader,
  trimBlock,
} from "../../protocol/block.ts";
import { BLOCK } from "../../protocol/limits.ts";
import { type Decoded, LINE_TOO_LONG } from "../../protocol/lines.ts";
import { sanitize } from "../../protocol/sanitize.ts";
import { BlockInput } from "./block-input.ts";
import type { Client } from "./client.ts";
import { act } from "./commands.ts";
import { type Context, words } from "./context.ts";
import { maySay } from "./moderation.ts";
import { tell } from "./output.ts";

/**
 * A joined member's line, when it is a block's: it opens one, goes into the
 * one being received, or ends it (said, or refused). False: no block's
 * line, to be handled as usual.
 */
export function blockInput(ctx: Context, client: Client, line: Decoded): boolean {
  const block = client.block;
  if (block === null) return open(ctx, client, line);
  const now = ctx.room.now();
  if (block.expired) return late(ctx, client, block, line, now);
  if (now - block.openedAt > BLOCK.openMs) {
    client.block = null;
    if (!block.spoiled) tell(ctx, client, words(client).blockExpired(BLOCK.openMs / 60_000));
    if (!block.fenced) return open(ctx, client, line);
    // Its closing line may still come: see late().
    const after = new BlockInput(-1, now);
    after.expired = true;
    client.block = after;
    return late(ctx, client, after, line, now);
  }
  if (block.fenced && line !== LINE_TOO_LONG && closesBlock(sanitize(line))) {
    end(ctx, client, block);
    return true;
  }
  if (!block.spoiled) {
    if (line === LINE_TOO_LONG) spoil(ctx, client, block, words(client).blockLineTooLong());
    else if (!block.add(sanitize(line)))
      spoil(
        ctx,
        client,
        block,
        words(client).blockTooLong(BLOCK.maxLines, BLOCK.maxBytes, block.fenced),
      );
  }
  if (!block.fenced && --block.left === 0) end(ctx, client, block);
  return true;
}

/**
 * A line after a ``` block timed out, while its closing line may still come.
 * NOTE: that closing line is dropped with the timeout's sentence again, so
 * that the member sees at once that it closed nothing; were it taken as an
 * opener, the lines after it would vanish into a block nobody sees open.
 * Any other line is read as usual (a ```lang line opens a block).
 */
function late(
  ctx: Context,
  client: Client,
  block: BlockInput,
  line: Decoded,
  now: number,
): boolean {
  if (now - block.openedAt > BLOCK.openMs) {
    client.block = null;
    return open(ctx, client, line);
  }
  if (line === LINE_TOO_LONG || !closesBlock(sanitize(line))) {
    client.block = null;
    if (open(ctx, client, line)) return true;
    client.block = block;
    return false;
  }
  client.block = null;
  tell(ctx, client, words(client).blockExpired(BLOCK.openMs / 60_000));
  return true;
}

/** A line that opens a block: `@block=N` (from a papo client, which asks for version 2) or three backticks. */
function open(ctx: Context, client: Client, line: Decoded): boolean {
  if (line === LINE_TOO_LONG) return false;
  const text = sanitize(line);
  const count = client.v2 ? parseBlockHeader(text) : null;
  if (count !== null) {
    if (count === 0) return true;
    // Refused at once, and none of the lines after it is read as the block's: a count this
    // large only comes from a broken client, and reading it would swallow that many lines.
    if (count > BLOCK.maxLines) {
      tell(ctx, client, words(client).blockTooLong(BLOCK.maxLines, BLOCK.maxBytes, false));
      return true;
    }
    client.block = new BlockInput(count, ctx.room.now());
    return true;
  }
  if (!opensBlock(text)) return false;
  client.block = new BlockInput(-1, ctx.room.now());
  return true;
}

/** Over a limit: the sender is told at once; the rest of the block is read and dropped. */
function spoil(ctx: Context, client: Client, block: BlockInput, why: string): void {
  block.spoiled = true;
  block.lines.length = 0;
  tell(ctx, client, why);
}

/** The block is whole: said to the room, unless it was spoiled or is empty. */
function end(ctx: Context, client: Client, block: BlockInput): void {
  client.block = null;
  if (block.spoiled) return;
  // A long block costs more than one message: the bucket may go into debt, and the next line waits.
  for (let i = block.extraTokens; i > 0; i--) client.bucket?.take(performance.now());
  const lines = trimBlock(block.lines);
  if (lines.length === 0) return;
  // One line is a message like any other; NOTE: its text may start with "/", and is still no command.
  if (lines.length === 1) {
    act(ctx, client, { kind: "message", text: lines[0] as string });
    return;
  }
  // Muted, slow or quiet mode refuse a block as they refuse a message (the whole block unsaid).
  if (!maySay(ctx, client, { kind: "message", text: lines.join("\n") })) return;
  ctx.room.say(client, {
    kind: "chat",
    from: client.name,
    text: blockText(client.name, lines),
    op: client.operator,
  });
}
