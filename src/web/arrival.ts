/**
 * The page's way from the door into the room, and back after a lost
 * connection: CAP first, then our place back (a RESUME) or, as a new member,
 * the page's language, the room's password, the name, and for a name kept
 * for operators the operator password (operator.ts remembers the one that
 * worked); the server's answers move the page along its phases. What it
 * shows is app.ts's; this only decides where the page is and what to send.
 */

import type { Meaning, ServerLine } from "../client/core/meaning.ts";
import { CAP_LINE } from "../client/core/meaning.ts";
import type { Resume } from "../client/core/resume.ts";
import { nameKey } from "../protocol/names.ts";
import type { Connection } from "./connection.ts";
import type { Asks, Door } from "./door.ts";
import type { PageLanguage } from "./language.ts";
import { OperatorStatus } from "./operator.ts";

/**
 * Where the page is. "connecting": until the server answers CAP (and a
 * RESUME, when the page had a place to come back to). "password",
 * "naming" and "operator" (the name asked for is kept for operators: its
 * password is next): at the door, before joining; only then is a server's
 * "wrong password" or refusal about the door (in the room it answers /op,
 * and is only shown). "idle": the server gave up waiting for a name or
 * password; the page knocks again once the person gives it.
 */
export type Phase =
  | "connecting"
  | "password"
  | "naming"
  | "operator"
  | "joined"
  | "idle"
  | "lost"
  | "ended";

/** What the arrival needs of the page around it. */
export interface ArrivalParts {
  readonly connection: Connection;
  readonly door: Door;
  readonly language: PageLanguage;
  /** Our resume token and the last room line shown, for the page's life. */
  readonly resume: Resume;
  /** In the room: the input is the person's. */
  joined(): void;
}

export class Arrival {
  phase: Phase = "connecting";
  /** Our name once the server welcomed it; asked again after a reconnect. */
  name = "";
  /**
   * The room's password the server let us in with, in memory only (never in
   * the browser's storage), given again on every reconnect for the page's life.
   */
  #password = "";
  /** A password typed at the door and not yet answered. */
  #tried = "";
  /** A RESUME was sent on this connection: its answer comes before anything else. */
  #resuming = false;
  /** The room wants its password before the name (the CAP answer said). */
  #roomPassword = false;
  /** The page asked the server for its language: the answer is not shown. */
  #langAsked = false;
  /** Back as a new member after a loss: "restart" or "some" lines missed, told after the welcome. */
  missed: "restart" | "some" | null = null;
  /** Back in the room without the operator rights we had: told after the welcome. */
  operatorLost = false;
  /** Whether we are an operator, and the operator password that made us one. */
  readonly #operator = new OperatorStatus();
  /** The name kept for operators whose password the door asks for. */
  #kept = "";

  constructor(private readonly parts: ArrivalParts) {}

  /** A socket is on its way. */
  connecting(): void {
    this.phase = "connecting";
  }

  /** The socket is open: protocol version 2, and our place back when we had one (resume.ts). */
  opened(): void {
    const { connection, resume } = this.parts;
    connection.send(CAP_LINE);
    const again = resume.request();
    this.#resuming = again !== null;
    if (again !== null) connection.send(again);
  }

  /** Act on what `line` means; false when it is not to be shown. */
  heard(line: ServerLine): boolean {
    const m = line.meaning;
    if (m === null) return this.#other(line);
    return this.#meant(m, line);
  }

  #meant(m: Meaning, line: ServerLine): boolean {
    const { connection, door, resume, language } = this.parts;
    switch (m.kind) {
      case "cap":
        connection.answered();
        this.#roomPassword = m.password;
        // Resuming: the server answers the RESUME next. Otherwise in as a new member.
        if (!this.#resuming) this.#knock(m.lang);
        return false;
      case "resumed":
        resume.resumed(m.token);
        this.#inRoom(m.name);
        this.operatorLost = this.#operator.arrived(m.operator);
        return true;
      case "resume-failed":
        resume.failed();
        this.#resuming = false;
        this.#knock(null);
        return true;
      case "password-accepted":
        if (this.phase !== "password") return true;
        this.#password = this.#tried;
        this.#tried = "";
        this.#named();
        return true;
      case "name-reserved":
        if (this.phase !== "naming") return true;
        this.#reserved(m.name);
        // The door says it in the page's words; given by itself, it is no news.
        return false;
      case "operator":
        this.#operator.made();
        return true;
      case "wrong-password":
        if (this.phase !== "password") {
          // A wrong /op in the room, or a kept name's password: not to be given again.
          this.#operator.refused();
          // The server wants a name again: the kept one, offered, or another.
          if (this.phase === "operator") this.#askName(line.text, this.#kept);
          return true;
        }
        // Even the one we were let in with: the room's password has changed.
        this.#password = "";
        this.#tried = "";
        door.ask("password", line.text);
        return true;
      case "welcome": {
        this.#inRoom(m.name);
        const missed = resume.welcomed(m.token, m.pos);
        this.missed = missed === null ? null : missed === "restart" ? "restart" : "some";
        this.operatorLost = this.#operator.arrived(m.operator);
        return true;
      }
      case "language": {
        language.speak(m.lang);
        // The answer to the page's own /lang is no news to the person.
        const asked = this.#langAsked;
        this.#langAsked = false;
        return !asked;
      }
      case "name-timeout":
        // The server stopped waiting for the person at the door. As the terminal
        // client does, say nothing: knock again when they answer (the door stays).
        if (!this.#atDoor) return true;
        this.phase = "idle";
        return false;
      case "bye":
      case "banned-here":
        // Over for good: coming back on our own would only be told the same.
        this.phase = "ended";
        return true;
      case "removed":
        if (nameKey(m.name) === nameKey(this.name)) this.phase = "ended";
        return true;
      case "renamed":
        if (nameKey(m.from) === nameKey(this.name)) this.name = m.to;
        return true;
      default:
        return this.#other(line);
    }
  }

  /** A refusal while choosing a name: explain it where the name is typed. */
  #other(line: ServerLine): boolean {
    if (!this.#atDoor || !line.text.startsWith("! ")) return true;
    if (this.phase === "password") this.parts.door.ask("password", line.text);
    else this.#askName(line.text);
    return true;
  }

  get #atDoor(): boolean {
    return this.phase === "password" || this.phase === "naming" || this.phase === "operator";
  }

  /** The name is refused (or its operator password was): ask for one, `offer` in the field. */
  #askName(refusal: string, offer = ""): void {
    this.phase = "naming";
    this.#kept = "";
    this.parts.door.ask("name", refusal, offer);
  }

  /**
   * The name asked for is kept for operators: its operator password, the one
   * that worked before (our own name, on the way back) or typed meanwhile,
   * or the person is asked for it.
   */
  #reserved(name: string): void {
    this.phase = "operator";
    this.#kept = name;
    const known = this.#operator.claim();
    if (known !== "") this.parts.connection.send(known);
    else this.parts.door.ask("operator", "", name);
  }

  /** A line the person sent in the room (an /op's password is kept if it works). */
  sent(text: string): void {
    this.#operator.sent(text);
  }

  /**
   * The server is ready for a new member: the page's language first (or the
   * room's, language.ts), then the room's password if it has one, then the name.
   */
  #knock(roomLang: string | null): void {
    const ask = this.parts.language.knock(roomLang);
    if (ask !== null) {
      this.#langAsked = true;
      this.parts.connection.send(ask);
    }
    if (!this.#roomPassword) {
      this.#named();
      return;
    }
    this.phase = "password";
    // The one we were let in with, or one typed while the page was away.
    if (this.#tried === "") this.#tried = this.#password;
    if (this.#tried !== "") this.parts.connection.send(this.#tried);
    else this.parts.door.ask("password");
  }

  /** In the room: as a new member, or back where we left. */
  #inRoom(as: string): void {
    this.phase = "joined";
    this.name = as;
    this.parts.door.hide();
    this.parts.joined();
  }

  /** Time to give a name: the one we had (a reconnect), or ask for one. */
  #named(): void {
    this.phase = "naming";
    if (this.name !== "") this.parts.connection.send(this.name);
    else this.parts.door.ask("name");
  }

  /** A name, a password or an operator password typed at the door. */
  answered(asks: Asks | null, value: string): void {
    const { connection } = this.parts;
    if (asks === "password") this.#tried = value;
    else if (asks === "operator") this.#operator.typed(value);
    else this.name = value;
    // The server gave up waiting (or the connection was lost): knock again now,
    // and answer its greeting with this.
    if (this.phase === "idle" || this.phase === "lost") connection.open();
    else if (this.phase === "password" && asks === "password") connection.send(this.#tried);
    else if (this.phase === "naming" && asks === "name") connection.send(this.name);
    else if (this.phase === "operator" && asks === "operator")
      connection.send(this.#operator.claim());
    // Otherwise (connecting) the greeting to come is answered with it.
  }

  /** The connection is gone: try again later, unless it is over or waits at the door. */
  closed(): void {
    // Waiting for the person at the door: their answer knocks again.
    if (this.phase === "idle") return;
    if (this.phase === "ended") {
      // The door would cover the way back in (and the line that says why).
      this.parts.door.hide();
      this.parts.connection.ended();
      return;
    }
    this.phase = "lost";
    this.parts.connection.retryLater();
  }
}
