/**
 * One soak member, a papo client of protocol version 2 on TCP or the
 * WebSocket: it joins, says numbered lines, reads the room and tells the
 * ledger every position it reads, can stop reading, be cut and come back
 * with its resume token, quit, or be kicked. Parsing tagged lines costs more
 * than the load generator's counting, which is why the soak's load is light.
 *
 * TCP members use node:net rather than Bun.connect for one thing Bun.connect
 * lacks: a local address. A member meant to be banned connects from its own
 * loopback address (127.0.0.N), so the ban shuts out no one else.
 */

import net from "node:net";
import { parsePosition, parseTagged } from "../../src/protocol/tags.ts";
import type { Ledger } from "./ledger.ts";

export type Via = "tcp" | "websocket";

/** Where the soak's server listens. */
export interface Door {
  host: string;
  port: number;
  webPort: number;
}

/** What every member reports to, besides the ledger. */
export interface Tally {
  /** Connections closed that nobody asked to close (not a /quit, cut, kick or the end). */
  unexpectedCloses: number;
  /** Resumes the server refused (within the grace, none should be). */
  resumeRefused: number;
  /** Lines the server sent that were not welcome, room lines or replies (first few kept). */
  oddities: string[];
}

interface Link {
  write(text: string): void;
  pause(): void;
  resume(): void;
  /** Close without /quit: TCP resets, a WebSocket closes. */
  cut(): void;
}

/** Lines about the member's own session, whatever their kind (the welcome is a reply with a position). */
const SESSION_EVENTS = new Set(["welcome", "resumed", "resumeFailed", "nowOperator"]);

const PAD = "abcdefghijklmnopqrstuvwxyz0123456789".repeat(8);

export class Member {
  token = "";
  /** "EPOCH.SEQ" of the last room line read, for RESUME. */
  lastPos = "-";
  joined = false;
  /** Kicked or banned: it must not come back under this name. */
  kicked = false;
  /** Closed on purpose (quit, cut, the end): its close is expected. */
  private closing = false;
  connected = false;
  private said = 0;
  private link: Link | null = null;
  private partial = "";
  private onWelcome: ((ok: boolean) => void) | null = null;
  private onClose: (() => void) | null = null;
  private onOp: (() => void) | null = null;

  constructor(
    readonly name: string,
    readonly via: Via,
    private readonly door: Door,
    private readonly ledger: Ledger,
    private readonly tally: Tally,
    private readonly options: { witness?: boolean; localAddress?: string } = {},
  ) {}

  /** Join as new (no token) or resume; resolves true once welcomed or resumed. */
  open(timeoutMs: number): Promise<boolean> {
    this.closing = false;
    this.partial = "";
    const first =
      this.token === ""
        ? `CAP papo/2\n${this.name}\n`
        : `CAP papo/2\nRESUME ${this.token} ${this.lastPos}\n`;
    const welcomed = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.onWelcome = (ok) => {
        clearTimeout(timer);
        resolve(ok);
      };
    });
    this.link = this.via === "tcp" ? this.openTcp(first) : this.openWebSocket(first);
    return welcomed;
  }

  /** Say one numbered line of about `bytes` bytes (only in the room: a number is never wasted). */
  say(bytes: number): void {
    if (!this.inRoom()) return;
    const head = `#${++this.said} `;
    this.link?.write(`${head}${PAD.slice(0, Math.max(0, bytes - head.length))}\n`);
  }

  /** Say `n` numbered lines in one write (a flood: flood control trickles them out). */
  flood(n: number, bytes: number): void {
    if (!this.inRoom()) return;
    let text = "";
    for (let i = 0; i < n; i++) {
      const head = `#${++this.said} `;
      text += `${head}${PAD.slice(0, Math.max(0, bytes - head.length))}\n`;
    }
    this.link?.write(text);
  }

  private inRoom(): boolean {
    return this.connected && this.joined;
  }

  /** Send a command line as is. */
  command(line: string): void {
    this.link?.write(`${line}\n`);
  }

  /** Become an operator; resolves once the server says so. */
  op(password: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.onOp = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.command(`/op ${password}`);
    });
  }

  pause(): void {
    this.link?.pause();
  }

  resume(): void {
    this.link?.resume();
  }

  /** Vanish without /quit (away for the grace, as a lost connection is). */
  cut(): Promise<void> {
    this.closing = true;
    this.ledger.senderCut(this.name, this.said + 1);
    const closed = this.whenClosed();
    this.link?.cut();
    return closed;
  }

  /** /quit and wait for the close: the member leaves the room for good. */
  quit(): Promise<void> {
    this.closing = true;
    this.ledger.left(this.name);
    const closed = this.whenClosed();
    this.command("/quit");
    return closed;
  }

  /** Leave without a word and without coming back (its lines may be lost with the link). */
  drop(): Promise<void> {
    this.ledger.left(this.name);
    return this.cut();
  }

  /** The end of the soak: the server's closing this member is expected. */
  closingForEnd(): void {
    this.closing = true;
  }

  /** Resolves when the connection is closed (at once if it is). */
  whenClosed(): Promise<void> {
    if (!this.connected) return Promise.resolve();
    return new Promise((resolve) => {
      this.onClose = resolve;
    });
  }

  private openTcp(first: string): Link {
    const socket = net.connect({
      host: this.door.host,
      port: this.door.port,
      localAddress: this.options.localAddress,
    });
    socket.setNoDelay(true);
    socket.on("connect", () => {
      this.connected = true;
      socket.write(first);
    });
    socket.on("data", (chunk: Buffer) => this.data(chunk.toString("utf8")));
    socket.on("error", () => {});
    socket.on("close", () => this.gone());
    return {
      write: (text) => void socket.write(text),
      pause: () => void socket.pause(),
      resume: () => void socket.resume(),
      cut: () => void socket.resetAndDestroy(),
    };
  }

  private openWebSocket(first: string): Link {
    const ws = new WebSocket(`ws://${this.door.host}:${this.door.webPort}/ws`);
    ws.onopen = () => {
      this.connected = true;
      ws.send(first);
    };
    ws.onmessage = (event) => this.data(String(event.data));
    ws.onclose = () => this.gone();
    ws.onerror = () => {};
    return {
      write: (text) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(text);
      },
      // Bun's WebSocket client cannot stop reading: no WebSocket member is a slow reader.
      pause: () => {},
      resume: () => {},
      cut: () => ws.close(),
    };
  }

  private gone(): void {
    const wasConnected = this.connected;
    this.connected = false;
    this.joined = false;
    this.onWelcome?.(false);
    this.onWelcome = null;
    if (wasConnected && !this.closing && !this.kicked) this.tally.unexpectedCloses++;
    const wake = this.onClose;
    this.onClose = null;
    wake?.();
  }

  private data(text: string): void {
    this.partial += text;
    let at = this.partial.indexOf("\n");
    while (at >= 0) {
      this.line(this.partial.slice(0, at));
      this.partial = this.partial.slice(at + 1);
      at = this.partial.indexOf("\n");
    }
  }

  private line(line: string): void {
    const { tags, text } = parseTagged(line);
    const kind = tags.kind;
    if (kind === undefined) {
      // The greeting, read before CAP is answered, is the one untagged line; refusals at the door too.
      if (text.startsWith("!")) this.odd(line);
      return;
    }
    const pos = parsePosition(tags.pos);
    // The welcome's position is the line before the member's first, not one to read.
    if (kind === "reply" || SESSION_EVENTS.has(tags.ev ?? "")) {
      this.reply(tags.ev, tags.token, tags.pos, pos?.seq, tags.args);
      return;
    }
    if (kind === "gap") {
      const first = parsePosition(tags.first)?.seq ?? 0;
      if (!this.options.witness) this.ledger.gap(this.name, first, Number(tags.n ?? 0));
      if (tags.first) this.lastPos = tags.first;
      return;
    }
    if (pos === null || kind === "history" || kind === "cap") return;
    this.lastPos = tags.pos as string;
    if (this.options.witness) {
      if (kind === "chat")
        this.ledger.witnessed(pos.seq, tags.from ?? "", text.slice(text.indexOf("> ") + 2));
      else this.ledger.witnessedPosition(pos.seq);
      return;
    }
    this.ledger.read(this.name, pos.seq);
  }

  private reply(
    ev: string | undefined,
    token: string | undefined,
    rawPos: string | undefined,
    seq: number | undefined,
    args: string | undefined,
  ): void {
    if (ev === "welcome" || ev === "resumed") {
      this.token = token ?? "";
      if (ev === "welcome") {
        this.lastPos = rawPos ?? "-";
        if (this.options.witness) this.ledger.witnessedPosition(seq ?? 0);
        else this.ledger.joined(this.name, seq ?? 0);
      }
      this.joined = true;
      this.onWelcome?.(true);
      this.onWelcome = null;
    } else if (ev === "resumeFailed") {
      this.tally.resumeRefused++;
      this.token = "";
      this.command(this.name);
    } else if ((ev === "kicked" || ev === "banned") && firstArg(args) === this.name) {
      // The member named reads its kick as a reply of its own, then the close.
      this.kicked = true;
      this.ledger.left(this.name);
    } else if (ev === "nowOperator") {
      this.onOp?.();
      this.onOp = null;
    } else if (ev === "nameTaken" || ev === "invalidName") {
      this.odd(`${ev} ${args ?? ""}`);
    }
  }

  private odd(line: string): void {
    if (this.tally.oddities.length < 5) this.tally.oddities.push(`${this.name}: ${line}`);
  }
}

function firstArg(args: string | undefined): string | undefined {
  if (args === undefined) return undefined;
  try {
    const parsed = JSON.parse(args) as unknown[];
    return typeof parsed[0] === "string" ? parsed[0] : undefined;
  } catch {
    return undefined;
  }
}
