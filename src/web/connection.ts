/**
 * The page's one WebSocket to the server that served it, and the way back
 * after losing it: the terminal client's waits (1 s, doubling, at most 30 s,
 * spread ±20%), the status line that says where the connection is, and the
 * button to try again now. What the lines mean, and whether a loss is worth
 * coming back from, is app.ts's to say.
 */

import { reconnectDelay, secondsLeft } from "../client/core/backoff.ts";
import { CLIENT_DEFAULTS } from "../config.ts";
import { WEBSOCKET_PATH } from "./paths.ts";
import type { Words } from "./words.ts";

/** The WebSocket's address on the page's own host: wss for an https page. */
export function socketUrl(protocol: string, host: string): string {
  const scheme = protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${host}${WEBSOCKET_PATH}`;
}

/** A frame's lines: a frame holds whole lines, each ending in "\n" ("\r\n" too). */
export function framedLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((line) => line.replace(/\r$/, ""));
}

/** What the connection tells the page, each about the socket it has now. */
export interface ConnectionEvents {
  /** A socket is on its way: the first, a retry, or the person's own knock. */
  connecting(): void;
  opened(): void;
  heard(line: string): void;
  /** The server or the network closed it (not the page, knocking again). */
  closed(): void;
}

export class Connection {
  #socket: WebSocket | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Tries since the server last answered: the next wait grows with them. */
  #tries = 0;

  constructor(
    private readonly events: ConnectionEvents,
    private readonly status: HTMLElement,
    private readonly reconnectButton: HTMLButtonElement,
    private readonly w: Words,
  ) {
    reconnectButton.addEventListener("click", () => {
      this.#tries = 0;
      this.open();
    });
  }

  /** Connect now, letting go of the socket there was. */
  open(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.reconnectButton.hidden = true;
    this.#say(this.w.connecting);
    this.events.connecting();
    // One the server is closing (it gave up waiting at the door) is let go of.
    const old = this.#socket;
    this.#socket = null;
    old?.close();
    const ws = new WebSocket(socketUrl(location.protocol, location.host));
    ws.binaryType = "arraybuffer";
    const decoder = new TextDecoder();
    ws.onmessage = (event) => {
      // A connection the page has let go of (it knocked again) has nothing to say.
      if (this.#socket !== ws) return;
      const text = typeof event.data === "string" ? event.data : decoder.decode(event.data);
      for (const line of framedLines(text)) this.events.heard(line);
    };
    ws.onopen = () => {
      if (this.#socket === ws) this.events.opened();
    };
    ws.onclose = () => {
      if (this.#socket !== ws) return;
      this.#socket = null;
      this.events.closed();
    };
    this.#socket = ws;
  }

  /** Whether a line sent now would go out. */
  get isOpen(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  send(line: string): void {
    if (this.isOpen) this.#socket?.send(line);
  }

  /** The server answered: the next loss waits the shortest time again. */
  answered(): void {
    this.#tries = 0;
    this.#say(this.w.connected);
  }

  /** Lost: say so, and try again after the next wait (or now, at the button). */
  retryLater(): void {
    const wait = reconnectDelay(this.#tries, Math.random(), CLIENT_DEFAULTS.reconnect);
    this.#tries++;
    this.#say(this.w.lost(secondsLeft(wait)), true);
    this.reconnectButton.hidden = false;
    this.#retryTimer = setTimeout(() => this.open(), wait);
  }

  /** Over for good: no retry on our own, only the button. */
  ended(): void {
    this.#say(this.w.ended, true);
    this.reconnectButton.hidden = false;
  }

  /** The status line again in the page's words now (its language changed). */
  relabel(): void {
    if (this.isOpen) this.#say(this.w.connected);
  }

  #say(text: string, bad = false): void {
    this.status.textContent = text;
    this.status.classList.toggle("lost", bad);
  }
}
