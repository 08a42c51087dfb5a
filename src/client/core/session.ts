/**
 * The network side of the client: connect with Bun.connect, ask for protocol
 * version 2 (and to resume, when there is a place to come back to), wait for
 * the server's answer, then move lines both ways until the socket closes. No terminal
 * here; whoever opens a session gets every server line and event through one
 * listener, and the ending through a promise. One session is one connection:
 * reconnecting (interactive mode only) opens another (link.ts).
 */

import type { Socket, SocketHandler } from "bun";
import type { ClientConfig, ClientTls } from "../../config.ts";
import {
  type BlockProblem,
  BlockReader,
  checkBlock,
  encodeBlock,
  encodeTyped,
} from "../../protocol/block.ts";
import type { Lang } from "../../protocol/lang.ts";
import { encodeLine, LINE_TOO_LONG, LineDecoder } from "../../protocol/lines.ts";
import { gather } from "./blocks.ts";
import { CAP_LINE, read } from "./meaning.ts";
import { type ConnectFailure, classifyConnectError, classifyHandshakeError } from "./outcome.ts";
import * as machine from "./state.ts";
import { WriteQueue } from "./writer.ts";

export type Listener = (event: machine.SessionEvent) => void;

/** What became of a line given to send(). */
export type Sent =
  | { kind: "sent" }
  /** Not joined (yet, or any more): nothing was sent. */
  | { kind: "offline" }
  /** Longer than the server takes (its limits line): refused here rather than by the server. */
  | { kind: "too-long"; bytes: number; maxBytes: number }
  /** A block over the protocol's limits (protocol/block.ts): nothing was sent. */
  | { kind: "block-too-long"; problem: BlockProblem };

const SENT: Sent = { kind: "sent" };
const OFFLINE: Sent = { kind: "offline" };

/** One handlers object for every client socket; each handler hands over to the session. */
const handlers: SocketHandler<Session> = {
  open: (socket) => socket.data.opened(socket),
  handshake: (socket, success, authorizationError) =>
    socket.data.handshaken(success, authorizationError),
  data: (socket, chunk) => socket.data.received(chunk),
  drain: (socket) => socket.data.drained(),
  close: (socket) => socket.data.socketClosed(),
  // An error is followed by close, which ends the session; nothing more to do.
  error: () => {},
  // Bun.connect rejects with the same error; openSession reports it from there.
  connectError: () => {},
};

export class Session {
  readonly state: machine.SessionState = machine.initialState();
  /** Resolves once, when the socket has closed, with how the session ended. */
  readonly ended: Promise<machine.Ending>;
  private socket: Socket<Session> | null = null;
  private readonly queue = new WriteQueue({
    write: (bytes, offset, length) => this.socket?.write(bytes, offset, length) ?? -1,
  });
  private readonly decoder: LineDecoder;
  /** Puts the parts of a block the server sends back together. */
  private readonly blocks = new BlockReader();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Lines written so far, the name included: every one counts against the server's rate. */
  private linesSent = 0;
  /** When the server last said it is delaying our lines, and the rate it works through them at. */
  private delayed: { at: number; rate: number } | null = null;
  private finish: (ending: machine.Ending) => void = () => {};
  private greeted: (result: ConnectFailure | null) => void = () => {};
  /** Why the TLS handshake failed; Bun then only closes, so the close reports this. */
  private handshakeFailure: ConnectFailure | null = null;
  /** Set when the connect timeout fired, or we left first: a socket that opens after it is closed at once. */
  private terminateLate = false;
  /** Settles when the CAP answer arrives or the connection fails first. */
  private readonly greeting: Promise<ConnectFailure | null>;

  /**
   * `lang` is the language the person reads: unless the server says it speaks
   * it already, the session asks it to switch, before the password and the
   * name. `resume` is the RESUME line to send right after CAP (link.ts keeps
   * what it needs across connections), or null for a new member.
   */
  constructor(
    readonly config: ClientConfig,
    private readonly listener: Listener,
    private readonly lang: Lang | null = null,
    private readonly resume: string | null = null,
  ) {
    this.decoder = new LineDecoder(config.maxLineBytes);
    this.ended = new Promise((resolve) => {
      this.finish = resolve;
    });
    this.greeting = new Promise((resolve) => {
      this.greeted = resolve;
    });
  }

  /** Send a name while the server is asking for one. */
  sendName(name: string): void {
    if (this.state.phase !== "naming") return;
    machine.askName(this.state, name);
    this.write(name);
  }

  /** Send the room's password while the server is asking for it. */
  sendPassword(password: string): void {
    if (this.state.phase === "password") this.write(password);
  }

  /** Send the operator password that claims a name kept for operators, when the server asks. */
  sendOperatorPassword(password: string): void {
    if (this.state.phase !== "naming" || !this.state.reserved) return;
    this.state.reserved = false;
    this.write(password);
  }

  /**
   * Send a line typed while joined: a message or a command. "/quit" starts
   * leaving. A line over the server's limit is not sent: the server would
   * only drop it. A line typed as `@block=N` goes as a block of one line,
   * so that the server reads it as text, not as a block's header.
   */
  send(line: string): Sent {
    if (this.state.phase !== "joined") return OFFLINE;
    const bytes = Buffer.byteLength(line);
    const maxBytes = this.state.maxLineBytes;
    if (bytes > maxBytes) return { kind: "too-long", bytes, maxBytes };
    const leaving = machine.sending(this.state, line);
    const [first, ...rest] = encodeTyped(line);
    this.write(first as string);
    for (const more of rest) this.queue.send(encodeLine(more));
    if (leaving) this.waitForClose();
    return SENT;
  }

  /**
   * Send lines as one block (a paste, or lines between two lines of ```):
   * `@block=N` and the N lines. A block over the limits is not sent.
   */
  sendBlock(lines: readonly string[]): Sent {
    if (this.state.phase !== "joined") return OFFLINE;
    const problem = checkBlock(lines, this.state.maxLineBytes);
    if (problem !== null) return { kind: "block-too-long", problem };
    for (const line of encodeBlock(lines)) this.queue.send(encodeLine(line));
    // One message for the server's flood control.
    this.linesSent++;
    return SENT;
  }

  /**
   * Leave: "/quit" when joined (the server answers "* bye" and closes), a plain
   * close before that, since a "/quit" line would be taken for a name; before
   * the greeting too, so that nothing (no name) is ever sent after it. Waits
   * a bounded time for the server to close (see quitWait), then cuts the connection.
   */
  quit(reason = ""): Promise<machine.Ending> {
    if (this.state.phase === "joined") {
      this.send(reason ? `/quit ${reason}` : "/quit");
    } else if (
      this.state.phase === "greeting" ||
      this.state.phase === "resuming" ||
      this.state.phase === "password" ||
      this.state.phase === "naming"
    ) {
      machine.abandon(this.state);
      if (this.socket === null) {
        // Still connecting: nothing was sent, and nothing will be. A socket
        // that opens after this is closed at once; the connect ends now, as a quit.
        this.terminateLate = true;
        this.socketClosed();
      } else {
        this.socket.end();
        this.waitForClose();
      }
    }
    return this.ended;
  }

  /** Resolves once all sent bytes are handed to the socket (piped mode's backpressure). */
  whenDrained(): Promise<void> {
    return this.queue.drained();
  }

  /** Bytes arrived: frame them into lines, read their tags, and let the state machine act on them. */
  received(chunk: Uint8Array): void {
    for (const decoded of this.decoder.push(chunk)) {
      // NOTE: an over-long server line is dropped without a word; only a broken
      // or hostile server sends one.
      if (decoded === LINE_TOO_LONG) continue;
      const line = gather(this.blocks, read(decoded));
      if (line === null) continue;
      for (const event of machine.receive(this.state, line)) {
        if (event.kind === "greeted") this.greetingArrived(event.lang, event.resuming);
        else if (event.kind === "delayed") this.linesDelayed(event.rate);
        this.listener(event);
      }
    }
  }

  drained(): void {
    this.queue.flush();
  }

  socketClosed(): void {
    if (this.state.phase === "ended") return;
    this.clearTimer();
    this.queue.dropBacklog();
    const ending = machine.closed(this.state);
    // Closed before the CAP answer: the connection never really opened.
    this.greeted(
      ending.kind === "refused"
        ? { code: "server", reason: ending.reason, banned: ending.cause === "banned" }
        : (this.handshakeFailure ?? { code: "closed" }),
    );
    this.finish(ending);
  }

  /**
   * The socket is open (before any data): ask for version 2 at once, and to
   * resume; the server reads them after the greeting it writes on opening.
   */
  opened(socket: Socket<Session>): void {
    this.socket = socket;
    if (this.terminateLate) {
      socket.terminate();
      return;
    }
    this.write(CAP_LINE);
    if (this.resume !== null) {
      this.state.resuming = true;
      this.write(this.resume);
    }
  }

  /**
   * The TLS handshake is over. NOTE: Bun closes a connection whose certificate
   * it rejects without an error event; this is the one place that sees why.
   * With --insecure success is true and the (ignored) error is still given.
   */
  handshaken(success: boolean, authorizationError: Error | null): void {
    if (!success) this.handshakeFailure = classifyHandshakeError(authorizationError);
  }

  /**
   * Connect and wait for the answer to CAP, all within connectTimeoutMs (a
   * host that accepts the connection but never answers counts as a timeout).
   * Resolves with null when the server is ready for us, or why it failed.
   */
  connect(): Promise<ConnectFailure | null> {
    this.timer = setTimeout(() => this.giveUp(), this.config.connectTimeoutMs);
    // Not awaited: the timer must be able to win against a connect that hangs.
    Bun.connect<Session>({
      hostname: this.config.host,
      port: this.config.port,
      ...tlsOption(this.config.tls),
      data: this,
      socket: handlers,
    }).catch((error: unknown) => this.connectFailed(error));
    return this.greeting;
  }

  private connectFailed(error: unknown): void {
    this.clearTimer();
    this.greeted(classifyConnectError(error));
  }

  /** No greeting in time: drop this connection, even one that is still being set up. */
  private giveUp(): void {
    this.timer = null;
    this.greeted({ code: "timeout" });
    this.terminateLate = true;
    this.socket?.terminate();
  }

  private greetingArrived(lang: string | null, resuming: boolean): void {
    this.clearTimer();
    // Before the password and the name, so that every answer comes in the
    // person's language. A resumed member keeps the language it had.
    if (!resuming && this.lang !== null && lang !== this.lang) this.write(`/lang ${this.lang}`);
    this.greeted(null);
  }

  private write(line: string): void {
    this.linesSent++;
    this.queue.send(encodeLine(line));
  }

  private linesDelayed(rate: number): void {
    if (rate <= 0) return;
    this.delayed = { at: performance.now(), rate };
    // Already waiting for the close: the wait may now need to be longer.
    if (this.state.phase === "quitting") this.waitForClose();
  }

  private waitForClose(): void {
    this.clearTimer();
    this.timer = setTimeout(() => this.socket?.terminate(), this.quitWait());
  }

  /**
   * How long, from now, to wait for the server to close after we leave:
   * quitWaitMs, unless the server said it is delaying our lines. Then it works
   * through them in order at the rate it named, the /quit last, and stops
   * reading us meanwhile. It cannot have more of our lines waiting than we
   * ever sent, so from the moment of its notice all of them are handled
   * within linesSent / rate seconds; the wait runs quitWaitMs past that.
   * NOTE: an overestimate, since it counts lines handled before the notice
   * too; it is bounded by what we sent, and costs nothing when the server is
   * well, because it closes as soon as it has answered the /quit.
   */
  private quitWait(): number {
    const base = this.config.quitWaitMs;
    if (this.delayed === null) return base;
    const done = this.delayed.at + (this.linesSent / this.delayed.rate) * 1000;
    return Math.max(base, done - performance.now() + base);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** Bun.connect's tls option: the system's trust store, one CA, or none checked. */
function tlsOption(tls: ClientTls): { tls?: true | { ca?: string; rejectUnauthorized?: false } } {
  if (tls === null) return {};
  if (tls.insecure) return { tls: { rejectUnauthorized: false } };
  if (tls.ca !== null) return { tls: { ca: tls.ca } };
  return { tls: true };
}

/**
 * Open a session: connected and answered, ready for a password or a name;
 * or why not. Every line and event, from the greeting on, goes to `listener`.
 */
export async function openSession(
  config: ClientConfig,
  listener: Listener,
  lang: Lang | null = null,
): Promise<Session | ConnectFailure> {
  const session = new Session(config, listener, lang);
  const failure = await session.connect();
  return failure ?? session;
}
