/**
 * The soak's accounting of lines, by position in the room's log: which chat
 * line each member should have read, which it did, and what it read twice.
 * Pure: members report what they read, the ledger counts.
 *
 * A witness (a member that joins first, never talks and always reads) tells
 * the ledger who said each position. Every other member reads positions in
 * increasing order, across a cut and resume too; a position it skips is
 * either its own line (never sent back), a line for others only (a notice),
 * or a lost chat line: which one, the witness's record says once the witness
 * has read past it. A position read again is a duplicate. A member told it
 * fell past the window (a `gap` line) is not charged for what the gap covers;
 * that is counted apart. A member kicked or banned is charged for nothing
 * after the kick.
 *
 * Each sender numbers its lines ("#1", "#2", …): the witness checks that it
 * reads every sender's numbers one after the other, which catches a line the
 * server lost for everyone (nobody reads it, so no member skips it as a chat
 * line). A sender that is cut may lose what the kernel still held for it:
 * its numbering starts afresh after a cut.
 */

/** Running totals; the per-minute figures are differences of two of these. */
export interface Counts {
  /** Chat lines a member inside the window should have read and did not. */
  lost: number;
  /** Room lines a member read twice (or out of order). */
  duplicates: number;
  /** Times a member was told it fell past the window, and the lines it was told it missed. */
  pastWindow: number;
  missed: number;
  /** Sender numbers the witness never read (lost for everyone, or out of order). */
  unsaid: number;
}

export const noCounts = (): Counts => ({
  lost: 0,
  duplicates: 0,
  pastWindow: 0,
  missed: 0,
  unsaid: 0,
});

/** `a - b`, field by field. */
export function minus(a: Counts, b: Counts): Counts {
  return {
    lost: a.lost - b.lost,
    duplicates: a.duplicates - b.duplicates,
    pastWindow: a.pastWindow - b.pastWindow,
    missed: a.missed - b.missed,
    unsaid: a.unsaid - b.unsaid,
  };
}

/** One member's place in the log as the ledger sees it. */
interface Reader {
  name: string;
  /** The last position read (or the welcome's, or the one a gap went on from, less one). */
  last: number;
  /** Skipped positions not yet judged: [after, before), both exclusive of what was read. */
  skipped: Array<[number, number]>;
  excluded: boolean;
}

/** The sequence-number prefix every soak chat line starts with. */
const SEQ = /^#(\d+) /;

/** A sender's number in a soak line's text, or null for another line. */
export function seqOf(text: string): number | null {
  const match = SEQ.exec(text);
  return match ? Number(match[1]) : null;
}

export class Ledger {
  readonly counts = noCounts();
  /** Chat lines the witness read: what was said in the room. */
  said = 0;
  /** Room lines the other members read, each checked for its place. */
  checked = 0;
  private readonly readers = new Map<string, Reader>();
  /** Who said each chat position the witness read and some member may still have to be judged on. */
  private readonly saidBy = new Map<number, string>();
  /** The last position the witness read. */
  private witnessLast = 0;
  /** Each sender's last number, as the witness read them. */
  private readonly numbers = new Map<string, number>();
  /** Senders cut, with the number of their first line after the cut. */
  private readonly cuts = new Map<string, number>();

  /** The witness read chat position `pos` from `from`, with its text. */
  witnessed(pos: number, from: string, text: string): void {
    this.saidBy.set(pos, from);
    this.said++;
    this.witnessLast = Math.max(this.witnessLast, pos);
    const n = seqOf(text);
    if (n === null) return;
    const cutAt = this.cuts.get(from);
    if (cutAt !== undefined && n >= cutAt) {
      this.cuts.delete(from);
      this.numbers.set(from, n);
      return;
    }
    const before = this.numbers.get(from);
    if (before !== undefined && n > before + 1) this.counts.unsaid += n - before - 1;
    if (before !== undefined && n <= before) this.counts.unsaid++;
    this.numbers.set(from, n);
  }

  /** The witness read a position that is no chat line (a notice): it has read that far. */
  witnessedPosition(pos: number): void {
    this.witnessLast = Math.max(this.witnessLast, pos);
  }

  /**
   * `from` was cut: what it said last may never have reached the server. Its
   * numbers may jump once, up to `next`, the number of its first line after the cut.
   */
  senderCut(from: string, next: number): void {
    this.cuts.set(from, next);
  }

  /** A member was welcomed after position `pos` (its first line to read is the next). */
  joined(name: string, pos: number): void {
    this.readers.set(name, { name, last: pos, skipped: [], excluded: false });
  }

  /** A member read the room line at `pos`. */
  read(name: string, pos: number): void {
    const r = this.readers.get(name);
    if (r === undefined || r.excluded) return;
    this.checked++;
    if (pos <= r.last) {
      this.counts.duplicates++;
      return;
    }
    if (pos > r.last + 1) r.skipped.push([r.last, pos]);
    r.last = pos;
  }

  /** A member was told it missed `n` lines and goes on from position `first`. */
  gap(name: string, first: number, n: number): void {
    const r = this.readers.get(name);
    if (r === undefined || r.excluded) return;
    this.counts.pastWindow++;
    this.counts.missed += n;
    r.last = Math.max(r.last, first - 1);
  }

  /** A member was kicked or banned, or left for good: nothing after counts. */
  left(name: string): void {
    const r = this.readers.get(name);
    if (r === undefined) return;
    this.judge(r);
    r.excluded = true;
    // What it skipped before is judged as the witness reads past it.
    if (r.skipped.length === 0) this.readers.delete(name);
  }

  /**
   * Judge every skipped range the witness has read past, and forget what no
   * member can be judged on any more. Call now and then (each sample).
   */
  settle(): void {
    for (const r of this.readers.values()) {
      this.judge(r);
      if (r.excluded && r.skipped.length === 0) this.readers.delete(r.name);
    }
    let keepFrom = this.witnessLast;
    for (const r of this.readers.values()) {
      keepFrom = Math.min(keepFrom, r.skipped[0]?.[0] ?? r.last, r.last);
    }
    for (const pos of this.saidBy.keys()) if (pos <= keepFrom) this.saidBy.delete(pos);
  }

  /** Chat positions the ledger still remembers (for tests: it must not grow with the soak). */
  get remembered(): number {
    return this.saidBy.size;
  }

  private judge(r: Reader): void {
    let judged = 0;
    for (const [after, before] of r.skipped) {
      if (before - 1 > this.witnessLast) break;
      for (let pos = after + 1; pos < before; pos++) {
        const from = this.saidBy.get(pos);
        if (from !== undefined && from !== r.name) this.counts.lost++;
      }
      judged++;
    }
    if (judged > 0) r.skipped.splice(0, judged);
  }
}
