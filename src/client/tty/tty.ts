/**
 * Interactive mode (stdin is a terminal), read top to bottom as a lifecycle:
 * take the keyboard, connect, give the room's password and a name (asked for
 * when not known), chat, leave. The link (core/link.ts) keeps the connection,
 * reconnecting when it is lost; render.ts decides how lines look; screen.ts
 * keeps them from breaking the line being typed.
 */

import { closesBlock, opensBlock, trimBlock } from "../../protocol/block.ts";
import { action, chat, SERVER_TEXT } from "../../protocol/messages.ts";
import { type Input, parseInput } from "../../protocol/parse.ts";
import { isBlank } from "../../protocol/sanitize.ts";
import { blockAttention, rings } from "../core/attention.ts";
import { blockRefusal } from "../core/blocks.ts";
import { Link, type LinkEnd, type LinkEvents } from "../core/link.ts";
import type { ServerLine } from "../core/meaning.ts";
import { Members } from "../core/members.ts";
import { describeEnding, describeFailure, EXIT, exitCode } from "../core/outcome.ts";
import { classify } from "../core/shown.ts";
import type { ClientOptions } from "../options.ts";
import { type Completion, complete } from "./complete.ts";
import { InputHistory } from "./inputhistory.ts";
import { promptFor, renderBlock, renderLine, renderLocal } from "./render.ts";
import { Screen } from "./screen.ts";

/** Where the interactive client reads and writes; the real terminal by default. */
export interface Terminal {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
  errors: { write(text: string): unknown };
  /** The time shown beside each line; injectable so tests are deterministic. */
  clock: () => Date;
}

/** Run the interactive client to its end; resolves with the exit status. */
export async function runInteractive(
  options: ClientOptions,
  terminal: Terminal = {
    input: process.stdin,
    output: process.stdout,
    errors: process.stderr,
    clock: () => new Date(),
  },
): Promise<number> {
  const history = InputHistory.load(options.historyFile, options.config.historySize);
  const screen = new Screen(terminal.input, terminal.output, { history: history.entries });
  const room = new Chat(options, terminal, screen, history);
  const link = new Link(options, room);
  room.begin(link);
  const failure = await link.start();
  if (failure !== null) {
    screen.close();
    terminal.errors.write(`${describeFailure(failure, options.config, options.strings)}\n`);
    return EXIT.failed;
  }
  const end = await link.done;
  screen.close();
  const message = describe(end, options);
  if (message !== null) terminal.errors.write(`${message}\n`);
  return end.kind === "failed" ? EXIT.failed : exitCode(end.ending);
}

function describe(end: LinkEnd, options: ClientOptions): string | null {
  if (end.kind === "failed") return describeFailure(end.failure, options.config, options.strings);
  return describeEnding(end.ending, options.strings);
}

/**
 * What Enter means right now. While the server weighs a password or a name
 * (seconds, at times: a password after wrong ones waits out a penalty, a name
 * is claimed on every server of the room) what is typed is kept, not dropped:
 * "checking-password" and "waiting" below.
 */
type Mode =
  /** Connecting, or a name being checked: a line typed is for the room, sent once in. */
  | "waiting"
  | "password"
  | "checking-password"
  /** The name asked for is kept for operators: the operator password, without echo. */
  | "op-password"
  | "name"
  | "chat"
  | "offline";

/** The prompt while a block is typed: the gutter its lines are shown after. */
const BLOCK_PROMPT = "│ ";

/** The conversation as the terminal shows it. */
class Chat implements LinkEvents {
  private link: Link | null = null;
  private mode: Mode = "waiting";
  private readonly members = new Members();
  private historyProblemShown = false;
  /**
   * Lines entered, without echo, while a password was being checked: the next
   * tries if it was wrong. Typed blind where a password was asked for, they
   * are taken for passwords only, never shown or sent as anything else; once
   * a password is accepted they are forgotten.
   */
  private passwordsAhead: string[] = [];
  /** Lines entered while connecting or while a name was checked: for the room, sent once in it. */
  private linesAhead: string[] = [];
  /** The lines of a block being typed after a line of ```, until the next such line; null when none is. */
  private fenced: string[] | null = null;
  /** A block the server refused, kept until Enter on an empty line sends it again or another line is sent. */
  private unsentBlock: string[] | null = null;

  constructor(
    private readonly options: ClientOptions,
    private readonly terminal: Terminal,
    private readonly screen: Screen,
    private readonly history: InputHistory,
  ) {}

  /** Take the keyboard; the link's events come from now on. */
  begin(link: Link): void {
    this.link = link;
    this.screen.start({
      line: (text) => this.entered(text),
      leave: () => link.quit(),
      complete: (before) => this.complete(before),
      paste: (lines) => this.pasted(lines),
    });
  }

  line(line: ServerLine): void {
    this.members.hear(line);
    const self = this.link?.current ?? "";
    const { color, bell, lang } = this.options;
    if (line.block !== undefined) {
      const time = this.terminal.clock();
      const history = line.kind === "history";
      const op = line.tags.op !== undefined;
      const options = { color, time, self, lang, said: line.time, history, op };
      this.screen.print(renderBlock(line.from ?? "", line.block, options));
      if (bell && blockAttention(line.from ?? "", line.block, self, history) !== null)
        this.screen.bell();
      return;
    }
    this.screen.print(renderLine(line, { color, time: this.terminal.clock(), self, lang }));
    if (rings(classify(line), self, bell)) this.screen.bell();
  }

  askPassword(): void {
    const ahead = this.passwordsAhead.shift();
    if (ahead !== undefined && this.link !== null) {
      this.checkPassword(this.link, ahead);
      return;
    }
    this.mode = "password";
    this.screen.askSecret(this.options.strings.passwordPrompt);
  }

  passwordAccepted(): void {
    this.passwordsAhead = [];
    if (this.mode !== "checking-password") return;
    // A name may still be checked (the one given with --name): what is typed now is seen.
    this.mode = "waiting";
    this.screen.prompt("");
  }

  askOperatorPassword(name: string): void {
    this.mode = "op-password";
    this.screen.askSecret(this.options.strings.operatorPasswordPrompt(name));
  }

  askName(): void {
    this.passwordsAhead = [];
    this.mode = "name";
    this.screen.useHistory(false);
    this.screen.prompt(this.options.strings.usernamePrompt);
  }

  joined(name: string): void {
    this.mode = "chat";
    this.passwordsAhead = [];
    this.screen.useHistory(true);
    this.screen.prompt(promptFor(name));
    const link = this.link;
    for (const text of this.linesAhead.splice(0)) if (link !== null) this.sendAhead(link, text);
  }

  renamed(name: string): void {
    if (this.mode === "chat") this.screen.prompt(promptFor(name));
  }

  offline(seconds: number | null): void {
    const s = this.options.strings;
    this.mode = "offline";
    const name = this.link?.current ?? "";
    const status = seconds === null ? s.connecting : s.reconnectingIn(seconds);
    this.screen.prompt(`${status} ${name === "" ? "" : promptFor(name)}`);
  }

  say(text: string): void {
    this.screen.print(renderLocal(text, this.options.color));
  }

  /**
   * The server refused our last line (muted, slow or quiet mode, …): it goes
   * back into the input line to send again. When something new is being
   * typed that stays, and the refused line is one Up away in the input history.
   */
  notSaid(text: string): void {
    if (text.includes("\n")) {
      // A block (session.ts joins its lines): no input line holds it, so it is kept aside.
      this.unsentBlock = text.split("\n");
      this.say(this.options.strings.blockNotSaid(this.unsentBlock.length));
      return;
    }
    if (this.mode === "chat" && this.screen.typed.trim() === "") this.screen.putBack(text);
  }

  private complete(before: string): Completion {
    if (this.mode !== "chat" && this.mode !== "offline") return [[], before];
    return complete(before, this.members.names(), this.link?.current ?? "");
  }

  /** The user pressed Enter. */
  private entered(text: string): void {
    const link = this.link;
    if (link === null) return;
    switch (this.mode) {
      case "password":
        if (isBlank(text)) this.askPassword();
        else this.checkPassword(link, text);
        return;
      case "op-password":
        if (isBlank(text)) this.screen.askSecret(this.options.strings.operatorPasswordPrompt(""));
        else {
          // No prompt while the server decides: the welcome, or a wrong password and a name asked again.
          this.mode = "waiting";
          this.screen.prompt("");
          link.giveOperatorPassword(text);
        }
        return;
      case "checking-password":
        // Typed without echo too: a password, most likely, for the next try.
        if (!isBlank(text)) this.passwordsAhead.push(text);
        this.screen.askSecret(this.options.strings.passwordChecking);
        return;
      case "name":
        if (isBlank(text)) this.screen.replaceEntered(text, null);
        else {
          // No prompt while the server decides; the answer brings one back.
          this.mode = "waiting";
          this.screen.prompt("");
          link.giveName(text.trim());
        }
        return;
      case "waiting":
        // For the room: it stays on screen as typed, and goes once we are in.
        if (isBlank(text)) this.screen.replaceEntered(text, null);
        else if (parseInput(text).kind === "quit") {
          // Leaving: not into the room and out again, but away before it answers.
          link.quit();
        } else {
          this.linesAhead.push(text);
          this.screen.reprompt();
        }
        return;
      case "offline":
        this.enteredOffline(link, text);
        return;
      case "chat":
        this.enteredInRoom(link, text);
        return;
    }
  }

  /** Give the server a password and wait for its verdict, still without echo. */
  private checkPassword(link: Link, password: string): void {
    this.mode = "checking-password";
    this.screen.askSecret(this.options.strings.passwordChecking);
    link.givePassword(password);
  }

  /**
   * A line typed while waiting for the room, now that we are in: sent as if
   * typed now. It is on screen already, as typed; a message or an action is
   * shown again as the room sees it, as a line typed in the room is.
   */
  private sendAhead(link: Link, text: string): void {
    const sent = link.send(text);
    if (sent.kind !== "sent") {
      const s = this.options.strings;
      const why =
        sent.kind === "too-long" ? s.lineTooLong(sent.bytes, sent.maxBytes) : s.notConnected;
      this.say(why);
      this.screen.putBack(text);
      return;
    }
    this.remember(text);
    const input = parseInput(text);
    const echo = this.echo(link.current, input);
    if (echo !== null) this.screen.print(echo);
    if (input.kind === "help") this.showKeys();
  }

  private enteredInRoom(link: Link, text: string): void {
    if (this.fenced !== null || opensBlock(text)) {
      this.enteredInBlock(link, text);
      return;
    }
    const unsent = this.unsentBlock;
    this.unsentBlock = null;
    if (unsent !== null && isBlank(text)) {
      this.screen.replaceEntered(text, null);
      this.sendBlock(link, unsent);
      return;
    }
    const sent = link.send(text);
    if (sent.kind !== "sent") {
      const s = this.options.strings;
      const why =
        sent.kind === "too-long" ? s.lineTooLong(sent.bytes, sent.maxBytes) : s.notConnected;
      this.screen.replaceEntered(text, renderLocal(why, this.options.color));
      this.screen.putBack(text);
      return;
    }
    this.remember(text);
    const input = parseInput(text);
    if (input.kind === "empty" || input.kind === "message" || input.kind === "me") {
      this.screen.replaceEntered(text, this.echo(link.current, input));
    } else {
      // Commands stay on screen as typed; their answers come from the server.
      this.screen.reprompt();
    }
    if (input.kind === "help") this.showKeys();
  }

  /**
   * A line of ``` opens a block; the lines typed after it are its lines,
   * shown after a gutter as the prompt, until the next line of ``` sends it.
   */
  private enteredInBlock(link: Link, text: string): void {
    const lines = this.fenced;
    if (lines === null) {
      this.fenced = [];
      this.screen.prompt(BLOCK_PROMPT);
      return;
    }
    if (!closesBlock(text)) {
      lines.push(text);
      this.screen.reprompt();
      return;
    }
    this.fenced = null;
    this.screen.prompt(promptFor(link.current));
    this.sendBlock(link, trimBlock(lines));
  }

  /** A paste of many lines: one block (one line stays in the input line, to be sent with Enter). */
  private pasted(lines: string[]): void {
    const link = this.link;
    if (link === null || this.mode !== "chat") {
      for (const line of lines) this.entered(line);
      return;
    }
    if (this.fenced !== null) {
      // Into the block being typed: up to a line of ``` in the paste, which sends it.
      let i = 0;
      for (; i < lines.length && this.fenced !== null; i++) {
        const line = lines[i] as string;
        if (!closesBlock(line)) this.screen.print(`${BLOCK_PROMPT}${line}`);
        this.enteredInBlock(link, line);
      }
      // The rest of the paste after that line is a paste of its own, never a block opened unseen.
      if (i < lines.length) this.pasted(lines.slice(i));
      return;
    }
    const block = trimBlock(lines);
    if (block.length === 1) this.screen.putBack(block[0] as string);
    else if (block.length > 1) this.sendBlock(link, block);
  }

  /** Send a block, shown as the room sees it; or why it cannot go. */
  private sendBlock(link: Link, lines: readonly string[]): void {
    if (lines.length === 0) return;
    if (lines.length === 1) {
      this.enteredInRoom(link, lines[0] as string);
      return;
    }
    this.unsentBlock = null;
    const sent = link.sendBlock(lines);
    if (sent.kind === "sent") {
      const { color } = this.options;
      const self = link.current;
      this.screen.print(renderBlock(self, lines, { color, time: this.terminal.clock(), self }));
      return;
    }
    this.say(
      sent.kind === "block-too-long"
        ? blockRefusal(this.options.lang, sent.problem)
        : this.options.strings.notConnected,
    );
  }

  /** Out of the room: /quit gives up, /nick picks the name to come back as, the rest waits. */
  private enteredOffline(link: Link, text: string): void {
    const input = parseInput(text);
    const s = this.options.strings;
    if (input.kind === "quit") {
      link.quit();
      return;
    }
    if (input.kind === "nick") {
      const problem = link.rejoinAs(input.name);
      const said =
        problem === null
          ? s.rejoinAs(input.name.trim())
          : SERVER_TEXT[this.options.lang].invalidName(problem);
      this.screen.replaceEntered(text, renderLocal(said, this.options.color));
      return;
    }
    if (input.kind === "empty") {
      this.screen.replaceEntered(text, null);
      return;
    }
    this.screen.replaceEntered(text, renderLocal(s.notConnected, this.options.color));
    this.screen.putBack(text);
  }

  /** Into the input history (and its file), unless it holds a password. */
  private remember(text: string): void {
    this.history.add(text);
    if (this.history.problem !== null && !this.historyProblemShown) {
      this.historyProblemShown = true;
      this.say(this.options.strings.historyNotSaved(this.history.problem));
    }
  }

  /**
   * The user's own line as the room sees it. The server does not send people
   * their own messages and actions back, so the client shows them itself.
   */
  private echo(name: string, input: Input): string | null {
    const time = this.terminal.clock();
    const render = (line: string) =>
      renderLine(line, { color: this.options.color, time, self: name });
    if (input.kind === "message") return render(chat(name, input.text));
    if (input.kind === "me") return render(action(name, input.action));
    return null;
  }

  private showKeys(): void {
    for (const line of this.options.strings.keysHelp) {
      this.screen.print(renderLocal(line, this.options.color));
    }
  }
}
