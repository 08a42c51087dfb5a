/**
 * The interactive client's hold on the room, across lost connections. It
 * connects, answers the greeting with what the person gave (the room's
 * password, a name), and when a connection ends asks backoff.ts whether to
 * try again, counting down to the next try for the prompt. The person's
 * half-typed line is the screen's and survives all of it. Piped mode has
 * none of this: one session, and its exit status says how it ended.
 *
 * Back after a loss, the link first asks to resume (resume.ts): the server
 * gives the member back its place, and the lines it missed follow, each
 * shown once however many connections brought it. Only when that fails does
 * it knock as a new member, with the password and the name it had.
 *
 * Rejoining, the name can still be held by our own old connection (the
 * server has not noticed it is gone yet): that is retried like a lost
 * connection rather than asked about, and /nick picks another name meanwhile.
 * A server that closed on a person still typing their name or password is
 * reconnected to, silently, once they send it.
 */

import { checkName, type NameProblem } from "../../protocol/names.ts";
import { parseInput } from "../../protocol/parse.ts";
import { askedLang, type ClientOptions, speak } from "../options.ts";
import { afterEnding, afterFailure, reconnectDelay, secondsLeft } from "./backoff.ts";
import type { ServerLine } from "./meaning.ts";
import { type ConnectFailure, describeEnding, describeFailure } from "./outcome.ts";
import { Resume } from "./resume.ts";
import { type Sent, Session } from "./session.ts";
import type { Ending, SessionEvent } from "./state.ts";

/** What the link tells the screen. */
export interface LinkEvents {
  /**
   * A server line to show: the greeting and its like are not repeated on
   * reconnecting, and no room line is shown twice.
   */
  line(line: ServerLine): void;
  /** The room wants its password and none is known, or the last one was wrong. */
  askPassword(): void;
  /** The password the person typed was right (a name is asked for, or sent, next). */
  passwordAccepted(): void;
  /** The server wants a name and none is known, or it refused the last one. */
  askName(): void;
  joined(name: string): void;
  renamed(name: string): void;
  /** Out of the room: the next try in `seconds`, or under way (null). */
  offline(seconds: number | null): void;
  /** One of the client's own sentences for the transcript. */
  say(text: string): void;
  /** The server refused the line we sent last (muted, slow or quiet mode, …): give it back. */
  notSaid?(text: string): void;
  /** The name asked for is kept for operators, and no operator password is known: ask for it. */
  askOperatorPassword?(name: string): void;
}

/** How the link's life ended: a session's ending, or a try that never got a greeting. */
export type LinkEnd =
  | { kind: "ended"; ending: Ending }
  | { kind: "failed"; failure: ConnectFailure };

export class Link {
  readonly done: Promise<LinkEnd>;
  private session: Session | null = null;
  /** The token and the last position shown, to come back where we left. */
  private readonly resume = new Resume();
  private name: string | undefined;
  private password: string | undefined;
  /** Connections opened so far: only the first shows its greeting. */
  private opened = 0;
  /** In the room at least once: a name refused as taken on the way back is our own ghost's. */
  private wasJoined = false;
  /** We are an operator (as far as the server told us): coming back as new loses it. */
  private operator = false;
  /**
   * The operator password that last worked (/op, or a kept name's), to claim
   * a kept name again on the way back; the one in an /op not answered yet.
   */
  private opPassword: string | undefined;
  private opTried: string | undefined;
  /** The remembered operator password went out by itself for a kept name, not yet answered. */
  private opGivenBack = false;
  /** Tries since the room was last joined, for the backoff. */
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The person asked to leave: nothing is retried any more. */
  private leaving = false;
  /** The current session is being closed to try again later (our name was taken). */
  private retrying = false;
  /** The server closed on a person still typing: reconnect when they answer. */
  private idle = false;
  /** What the last loss was, to report if the person gives up waiting. */
  private lost: Ending = { kind: "lost" };
  /** The last sentence said about a failed try, so a streak of failures says it once. */
  private said: string | null = null;
  private finish: (end: LinkEnd) => void = () => {};

  constructor(
    private readonly options: ClientOptions,
    private readonly events: LinkEvents,
    private readonly random: () => number = Math.random,
  ) {
    this.name = options.name?.trim();
    this.password = options.password;
    this.done = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  /** The first connection; when it fails the run does (exit 1), nothing is retried. */
  async start(): Promise<ConnectFailure | null> {
    const opened = await this.open();
    if (opened instanceof Session) return null;
    // Ctrl-C before the greeting: the person left, nothing failed.
    if (this.leaving) {
      this.finish({ kind: "ended", ending: { kind: "quit" } });
      return null;
    }
    return opened;
  }

  /** The name the room knows us by, or the one we will ask for next. */
  get current(): string {
    return this.session?.state.name || this.name || "";
  }

  /** The room's password, typed by the person. */
  givePassword(password: string): void {
    this.password = password;
    if (this.session?.state.phase === "password") this.session.sendPassword(password);
    else if (this.idle) this.reconnect();
  }

  /** The operator password for a name kept for operators, typed by the person. */
  giveOperatorPassword(password: string): void {
    this.opTried = password;
    this.session?.sendOperatorPassword(password);
  }

  /** A name, typed by the person. */
  giveName(name: string): void {
    this.name = name;
    if (this.session?.state.phase === "naming") this.session.sendName(name);
    else if (this.idle) this.reconnect();
  }

  /** A line for the room; /quit means the person is leaving, so nothing is retried after it. */
  send(line: string): Sent {
    if (this.session === null) return { kind: "offline" };
    const sent = this.session.send(line);
    const input = sent.kind === "sent" ? parseInput(line) : null;
    if (input?.kind === "quit") this.leaving = true;
    if (input?.kind === "op") this.opTried = input.password;
    return sent;
  }

  /** Lines for the room as one block (session.ts's sendBlock). */
  sendBlock(lines: readonly string[]): Sent {
    return this.session === null ? { kind: "offline" } : this.session.sendBlock(lines);
  }

  /** /nick while out of the room: rejoin under `name`, trying now. */
  rejoinAs(name: string): NameProblem | null {
    const check = checkName(name);
    if (!check.ok) return check.problem;
    this.name = check.name;
    if (this.timer !== null) {
      this.clearTimer();
      void this.connectAgain();
    }
    return null;
  }

  /** The person leaves: /quit when in the room, or stop trying. */
  quit(): void {
    this.leaving = true;
    this.clearTimer();
    const session = this.session;
    if (session === null) {
      this.finish({ kind: "ended", ending: this.idle ? { kind: "quit" } : this.lost });
    } else {
      // Still connecting too: the socket is closed now, before any greeting
      // can be answered with our name (the room would see us join and leave).
      void session.quit();
    }
  }

  private async open(): Promise<Session | ConnectFailure> {
    const session = new Session(
      this.options.config,
      (event) => this.heard(session, event),
      askedLang(this.options),
      this.resume.request(),
    );
    this.session = session;
    this.opened++;
    const failure = await session.connect();
    if (failure !== null) {
      if (this.session === session) this.session = null;
      return failure;
    }
    void session.ended.then((ending) => this.ended(session, ending));
    if (this.leaving) void session.quit();
    return session;
  }

  private heard(session: Session, event: SessionEvent): void {
    if (session !== this.session) return;
    switch (event.kind) {
      case "line":
        // Before it is shown, so that what follows it is in the new language.
        if (event.line.meaning?.kind === "language")
          speak(this.options, event.line.meaning.lang, true);
        if (event.line.meaning?.kind === "operator") this.becameOperator();
        if (this.shows(session, event.line) && this.resume.shows(event.line)) {
          this.events.line(event.line);
        }
        break;
      case "greeted":
        // Resuming, the server answers the RESUME first; a failure greets again.
        if (event.resuming) break;
        speak(this.options, event.lang, false);
        if (event.password) this.answerPassword(session);
        else this.answerName(session);
        break;
      case "resume-failed":
        this.resume.failed();
        break;
      case "password-accepted":
        this.events.passwordAccepted();
        this.answerName(session);
        break;
      case "password-rejected":
        this.password = undefined;
        this.events.askPassword();
        break;
      case "rejected":
        if (this.opGivenBack && this.name !== undefined) {
          // The password that worked before is wrong now (changed at a restart): forget it,
          // and ask for the name again, so that the person is asked for the password.
          this.opGivenBack = false;
          this.opPassword = undefined;
          this.opTried = undefined;
          session.sendName(this.name);
        } else if (event.taken && this.wasJoined) this.nameStillTaken(session);
        else {
          this.name = undefined;
          this.events.askName();
        }
        break;
      case "joined": {
        const missed = this.resume.welcomed(event.token, event.pos);
        this.inRoom(event.name);
        const s = this.options.strings;
        if (missed !== null) this.events.say(missed === "restart" ? s.missedRestart : s.missedSome);
        // Back as a new member (a restart, or away past the grace): operator rights are not.
        if (this.operator && !event.operator) this.events.say(s.operatorLost);
        this.operator = event.operator;
        if (event.operator) this.becameOperator();
        break;
      }
      case "resumed":
        this.resume.resumed(event.token);
        this.inRoom(event.name);
        if (this.operator && !event.operator) this.events.say(this.options.strings.operatorLost);
        this.operator = event.operator;
        break;
      case "renamed":
        this.name = event.name;
        this.events.renamed(event.name);
        break;
      case "not-said":
        this.events.notSaid?.(event.text);
        break;
      case "operator-password":
        // Our own kept name on the way back: claimed with the password that worked before.
        if (this.opPassword !== undefined) {
          this.opTried = this.opPassword;
          this.opGivenBack = true;
          session.sendOperatorPassword(this.opPassword);
        } else this.events.askOperatorPassword?.(event.name);
        break;
      default:
        break;
    }
  }

  private becameOperator(): void {
    this.opGivenBack = false;
    this.operator = true;
    if (this.opTried !== undefined) this.opPassword = this.opTried;
    this.opTried = undefined;
  }

  private inRoom(name: string): void {
    this.opGivenBack = false;
    this.name = name;
    this.wasJoined = true;
    this.attempt = 0;
    this.said = null;
    this.events.joined(name);
  }

  /**
   * Whether to show a line: all of the first connection's; on later ones not
   * what comes before joining that the person has seen already (the
   * greeting, the answers to what the client sends by itself); never a name
   * timeout, which the link deals with.
   */
  private shows(session: Session, line: ServerLine): boolean {
    const kind = line.meaning?.kind;
    if (kind === "name-timeout") return false;
    if (this.opened === 1 || session.state.phase === "joined") return true;
    // The greeting is the one untagged line that is no refusal.
    const greeting = line.kind === "" && !line.text.startsWith("! ");
    return !greeting && kind !== "password-accepted" && kind !== "language";
  }

  private answerPassword(session: Session): void {
    if (this.password !== undefined) session.sendPassword(this.password);
    else this.events.askPassword();
  }

  private answerName(session: Session): void {
    if (this.name !== undefined) session.sendName(this.name);
    else this.events.askName();
  }

  private nameStillTaken(session: Session): void {
    const sentence = this.options.strings.nameStillTaken(this.name ?? "");
    if (sentence !== this.said) this.events.say(sentence);
    this.said = sentence;
    this.retrying = true;
    void session.quit();
  }

  private ended(session: Session, ending: Ending): void {
    if (session !== this.session) return;
    this.session = null;
    if (this.leaving) {
      this.finish({ kind: "ended", ending });
      return;
    }
    if (this.retrying) {
      this.retrying = false;
      this.later();
      return;
    }
    const next = afterEnding(ending);
    if (next === "stop") {
      this.finish({ kind: "ended", ending });
    } else if (next === "when-answered") {
      this.idle = true;
    } else {
      this.lost = ending;
      const sentence = describeEnding(ending, this.options.strings);
      this.events.say(`${sentence ?? ""} ${this.options.strings.reconnecting}`.trim());
      this.later();
    }
  }

  /** Wait as the backoff says, counting down each second, then try again. */
  private later(): void {
    const delay = reconnectDelay(this.attempt++, this.random(), this.options.config.reconnect);
    const deadline = performance.now() + delay;
    const tick = () => {
      const left = deadline - performance.now();
      if (left <= 0) {
        this.timer = null;
        void this.connectAgain();
        return;
      }
      const seconds = secondsLeft(left);
      this.events.offline(seconds);
      this.timer = setTimeout(tick, left - (seconds - 1) * 1000);
    };
    tick();
  }

  /** The person answered a server that had given up on them: straight back, no countdown. */
  private reconnect(): void {
    this.idle = false;
    void this.connectAgain(true);
  }

  private async connectAgain(quietly = false): Promise<void> {
    if (!quietly) this.events.offline(null);
    const opened = await this.open();
    if (opened instanceof Session || this.leaving) {
      if (!(opened instanceof Session)) this.finish({ kind: "ended", ending: this.lost });
      return;
    }
    if (afterFailure(opened) === "stop") {
      this.finish({ kind: "failed", failure: opened });
      return;
    }
    const sentence = describeFailure(opened, this.options.config, this.options.strings);
    if (sentence !== this.said) this.events.say(sentence);
    this.said = sentence;
    this.later();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
