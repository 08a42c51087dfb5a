/**
 * What the header keeps showing about the room after its lines have
 * scrolled away: the topic (topic.ts) and the moderation modes (modes.ts),
 * slow mode and quiet mode, beside it while they hold.
 */

import type { ServerLine } from "../client/core/meaning.ts";
import { type Modes, modesAfter, NO_MODES } from "./modes.ts";
import { topicOf } from "./topic.ts";
import type { Words } from "./words.ts";

export class Header {
  #modes: Modes = NO_MODES;

  constructor(
    private readonly doc: Document,
    private readonly w: Words,
  ) {}

  /** Read a server line: a topic or a mode it tells goes to the header. */
  heard(line: ServerLine): void {
    const topic = topicOf(line);
    if (topic !== null) this.#topic(topic);
    // A new member's welcome: what it knew of the modes is from before.
    const modes = line.meaning?.kind === "welcome" ? NO_MODES : this.#modes;
    const after = modesAfter(modes, line);
    if (after === this.#modes) return;
    this.#modes = after;
    this.relabel();
  }

  /** The modes again in the page's words now. */
  relabel(): void {
    const parts: string[] = [];
    if (this.#modes.slow !== null) parts.push(this.w.slowMode(this.#modes.slow));
    if (this.#modes.quiet) parts.push(this.w.quietMode);
    const text = parts.join(" · ");
    this.#el("modes").hidden = text === "";
    this.#el("modes-text").textContent = text;
    this.#el("modes").title = text;
  }

  /** The room's topic, where it stays ("" hides it). */
  #topic(topic: string): void {
    this.#el("topic").hidden = topic === "";
    this.#el("topic-text").textContent = topic;
    this.#el("topic").title = topic;
  }

  #el(id: string): HTMLElement {
    return this.doc.getElementById(id) as HTMLElement;
  }
}
