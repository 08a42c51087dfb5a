/**
 * Who said a line, as the room's log records it: every line carries its
 * sayer's id (its owner), so that the fan-out never sends a member its own
 * lines, also after it resumed on a new connection, came here from another
 * server, or the server restarted with its log. A member holds the id it
 * joined with; only the exceptions are kept here, since at 10,000 members
 * a map entry per member shows in the memory per connection (some 68 bytes).
 */

/** Ids this server gives members of other servers, remembered (for whose lines are whose) at most. */
const REMOTE_IDS = 65_536;

export class Sayers<M extends { id: number }> {
  /** The next id handed out, whoever it is for. */
  private nextId = 1;
  /**
   * The members here (away ones too) that hold an id they did not join with:
   * resumed on another connection, or come from another server.
   */
  private readonly moved = new Map<number, M>();
  /** Ids the sayers of the lines kept from before a restart got here, by name key. */
  private readonly earlier = new Map<string, number>();
  /** Ids given here to members of other servers, by "node:id" there, oldest first. */
  private readonly remote = new Map<string, number>();

  /** A new id: for a member that joins here, or a sayer first known now. */
  next(): number {
    return this.nextId++;
  }

  /** `member` holds an id it did not join with from now on (its `id` is set). */
  holdsMoved(member: M): void {
    this.moved.set(member.id, member);
  }

  /** `member` left: the id it holds is nobody's here any more. */
  left(member: M): void {
    if (this.moved.size > 0 && this.moved.get(member.id) === member) this.moved.delete(member.id);
  }

  /** The member holding `id` that did not join with it; undefined when none does. */
  movedTo(id: number): M | undefined {
    return this.moved.size === 0 ? undefined : this.moved.get(id);
  }

  /**
   * The id the lines kept from before a restart by the name whose key is
   * `key` have here: a member that resumes after the restart under that
   * name gets it, so its own lines are not sent back to it (a name is one
   * member at a time).
   */
  earlierOf(key: string): number {
    return this.given(this.earlier, key);
  }

  /**
   * The id this server knows member `id` of server `node` by: the owner of
   * its lines in this log, so that if it resumes here its own lines are
   * left out of what it reads again, as on its own server. The oldest of
   * more than REMOTE_IDS is forgotten.
   */
  remoteOf(node: string, id: number): number {
    const mine = this.given(this.remote, `${node}:${id}`);
    // Only a new entry can take it past the cap: the oldest goes.
    if (this.remote.size > REMOTE_IDS) {
      const oldest = this.remote.keys().next();
      if (!oldest.done) this.remote.delete(oldest.value);
    }
    return mine;
  }

  /** The id `ids` holds for `key`, given now (the next one) if it holds none. */
  private given(ids: Map<string, number>, key: string): number {
    let id = ids.get(key);
    if (id === undefined) {
      id = this.next();
      ids.set(key, id);
    }
    return id;
  }
}
