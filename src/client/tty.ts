/**
 * Interactive mode (stdin is a terminal), read top to bottom as a lifecycle:
 * connect, ask for a name until the server accepts one, chat, leave. The
 * session brings server lines; render.ts decides their look; screen.ts keeps
 * them from breaking the line being typed.
 */

import { type Input, parseInput } from "../protocol/commands.ts";
import { action, chat } from "../protocol/messages.ts";
import { isBlank } from "../protocol/sanitize.ts";
import type { ClientOptions } from "./options.ts";
import { describeEnding, describeFailure, EXIT, exitCode } from "./outcome.ts";
import { promptFor, renderLine, renderLocal } from "./render.ts";
import { Screen } from "./screen.ts";
import { openSession, Session } from "./session.ts";
import type { SessionEvent } from "./state.ts";

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
  const screen = new Screen(terminal.input, terminal.output, options.config.historySize);
  const chat = new Chat(options, terminal, screen);
  const opened = await openSession(options.config, (event) => chat.event(event));
  if (!(opened instanceof Session)) {
    terminal.errors.write(`${describeFailure(opened, options.config, options.strings)}\n`);
    return EXIT.failed;
  }
  chat.begin(opened);
  const ending = await opened.ended;
  screen.close();
  const message = describeEnding(ending, options.strings);
  if (message !== null) terminal.errors.write(`${message}\n`);
  return exitCode(ending);
}

/** The conversation as the terminal shows it. */
class Chat {
  private session: Session | null = null;

  constructor(
    private readonly options: ClientOptions,
    private readonly terminal: Terminal,
    private readonly screen: Screen,
  ) {}

  /** Connected and greeted: take the keyboard and give a name. */
  begin(session: Session): void {
    this.session = session;
    this.screen.start({ line: (text) => this.entered(text), leave: () => this.leave() });
    if (this.options.name !== undefined) this.giveName(this.options.name);
    else this.askName();
  }

  /** Something came from the server. */
  event(event: SessionEvent): void {
    if (event.kind === "line") this.show(event.line);
    // After a refusal the server's reason is already on screen, in red; ask again.
    else if (event.kind === "rejected") this.askName();
    else if (event.kind === "joined" || event.kind === "renamed") {
      this.screen.prompt(promptFor(event.name));
    }
  }

  private show(line: string): void {
    this.screen.print(renderLine(line, { color: this.options.color, time: this.terminal.clock() }));
  }

  private askName(): void {
    this.screen.prompt(this.options.strings.usernamePrompt);
  }

  private giveName(name: string): void {
    // No prompt while the server decides; the answer brings one back.
    this.screen.prompt("");
    this.session?.sendName(name.trim());
  }

  /** The user pressed Enter. */
  private entered(text: string): void {
    const session = this.session;
    if (session === null) return;
    const { phase, asked } = session.state;
    if (phase === "naming") {
      // NOTE: a line typed while a name is being checked is dropped; the answer
      // takes milliseconds.
      if (asked === null && !isBlank(text)) this.giveName(text);
      else this.screen.replaceEntered(text, null);
      return;
    }
    if (phase !== "joined") return;
    const input = parseInput(text);
    if (input.kind === "empty" || input.kind === "message" || input.kind === "me") {
      this.screen.replaceEntered(text, this.echo(session.state.name, input));
    } else {
      // Commands stay on screen as typed; their answers come from the server.
      this.screen.reprompt();
    }
    session.send(text);
    if (input.kind === "help") this.showKeys();
  }

  /**
   * The user's own line as the room sees it. The server does not send people
   * their own messages and actions back, so the client shows them itself.
   */
  private echo(name: string, input: Input): string | null {
    const time = this.terminal.clock();
    const render = (line: string) => renderLine(line, { color: this.options.color, time });
    if (input.kind === "message") return render(chat(name, input.text));
    if (input.kind === "me") return render(action(name, input.action));
    return null;
  }

  private showKeys(): void {
    for (const line of this.options.strings.keysHelp) {
      this.screen.print(renderLocal(line, this.options.color));
    }
  }

  /** Ctrl-C or Ctrl-D: say /quit; the session ends when the server closes. */
  private leave(): void {
    void this.session?.quit();
  }
}
