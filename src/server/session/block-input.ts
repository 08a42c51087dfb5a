/**
 * One member's block while its lines arrive: the lines so far, their bytes,
 * and whether it will be said; what it costs flood control. Plain state,
 * kept on the member's Client; block.ts decides what each line does to it.
 */

import { utf8Bytes } from "../../protocol/block.ts";
import { BLOCK } from "../../protocol/limits.ts";

/** A block being received. */
export class BlockInput {
  readonly lines: string[] = [];
  /** Bytes of its lines so far, one newline between each. */
  bytes = 0;
  /** It will not be said (over a limit); it is still read to its end. */
  spoiled = false;
  /**
   * Not a block: a ``` block that timed out, whose closing line may still
   * come (until openMs after it timed out). Lines are read as usual, but
   * that closing line is dropped, never taken to open a block unseen.
   */
  expired = false;

  constructor(
    /** Lines still to come of a counted block (`@block=N`); -1 for one that a line of ``` ends. */
    public left: number,
    /** When it was opened (ms, the room's clock). */
    readonly openedAt: number,
  ) {}

  get fenced(): boolean {
    return this.left < 0;
  }

  /** Whether its next line is free of flood control: a block within its limits is one message. */
  get free(): boolean {
    return !this.spoiled && !this.expired;
  }

  /** Tokens of flood control it costs beyond its first line: one per linesPerToken or bytesPerToken past the free ones. */
  get extraTokens(): number {
    const lines = Math.ceil((this.lines.length - BLOCK.freeLines) / BLOCK.linesPerToken);
    const bytes = Math.ceil((this.bytes - BLOCK.freeBytes) / BLOCK.bytesPerToken);
    return Math.max(0, lines, bytes);
  }

  /** Keep one more line; false when that takes it over the limits. */
  add(line: string): boolean {
    const bytes = this.bytes + (this.lines.length > 0 ? 1 : 0) + utf8Bytes(line);
    if (this.lines.length >= BLOCK.maxLines || bytes > BLOCK.maxBytes) return false;
    this.lines.push(line);
    this.bytes = bytes;
    return true;
  }
}
