/**
 * The terminal as the interactive client uses it: one input line at the
 * bottom (node:readline: editing, Tab completion, history on the arrow keys)
 * and output that scrolls above it. Printing clears the input area, writes
 * the line and redraws prompt and half-typed text, so arriving lines never
 * break what the user is typing. What to print is decided elsewhere
 * (render.ts); what the keys mean for the chat, in tty.ts.
 *
 * Two kinds of line are never drawn as typed: the room's password (askSecret:
 * nothing is drawn), and an "/op PASSWORD" line, drawn with the password as
 * "*" while typed and as "/op ******" once entered. readline writes to a view
 * of the terminal that swallows whatever it writes while the line is an /op
 * line; after each edit the line is drawn here instead, masked, in the very
 * place and width readline thinks it drew it, so its later redraws still fit.
 */

import { createInterface, type Interface } from "node:readline";
import type { Completion } from "./complete.ts";
import { clearInputArea, maskEntered, maskTyped } from "./render.ts";

export interface ScreenHandlers {
  /** The user pressed Enter. */
  line(text: string): void;
  /** Ctrl-C on an empty line, or Ctrl-D on an empty line: the user wants out. */
  leave(): void;
  /** Tab: candidates for the text before the cursor. */
  complete(before: string): Completion;
  /** A paste of more than one line (bracketed paste), as its lines. */
  paste(lines: string[]): void;
}

export interface ScreenOptions {
  /** The input history, newest first; Up and Down browse this very array. */
  history: string[];
  /** Stop the process (Ctrl-Z); tests replace it. */
  suspend?: () => void;
}

/**
 * readline's own fields that the redraw logic needs. NOTE: `prevRows` and
 * a writable `output` are not in the typings, but node and Bun both have them.
 */
type Readline = Interface & {
  line: string;
  isCompletionEnabled: boolean;
  cursor: number;
  prevRows?: number;
  history: string[];
  output: NodeJS.WriteStream | null;
};

/**
 * Bracketed paste (xterm's mode 2004): the terminal marks what is pasted, so
 * that a paste of many lines is one paste, not one Enter per line.
 */
const PASTE_ON = "\x1b[?2004h";
const PASTE_OFF = "\x1b[?2004l";

/** A paste whose end mark has not come this long after its last key is taken as over (ms). */
const PASTE_END_WAIT_MS = 2000;

/** Signals that end the client from outside (kill, the terminal closed): the terminal is given back first. */
const ENDING_SIGNALS = { SIGTERM: 15, SIGHUP: 1 } as const;

/**
 * After SIGCONT, how long the terminal is left alone before raw mode is
 * taken back (ms). The shell's `kill %1` sends SIGTERM and SIGCONT together
 * to a stopped client: the ending must win, since a process in the
 * background that touches the terminal is stopped again (SIGTTOU).
 */
const CONTINUE_WAIT_MS = 20;

/**
 * Stop the whole process group, not just this process: under `bun run` or
 * `npm run` a parent process waits for this one in the same group, and the
 * shell only sees the job stop (and gives the terminal back) when all of it does.
 */
const stopGroup = () => {
  process.kill(0, "SIGTSTP");
};

export class Screen {
  private rl: Readline | null = null;
  /** True while a prompt and input line are on screen below the output. */
  private showing = false;
  /** While a password is typed: its prompt, drawn by us, since readline echoes nothing. */
  private secret: string | null = null;
  /** Stopped by Ctrl-Z, until fg: the terminal is the shell's. */
  private suspended = false;
  private readonly suspend: () => void;
  private readonly history: string[];
  /** The row of the input area the cursor was on before the key being handled. */
  private before = 0;
  /** What readline writes to: the terminal, but nothing of an "/op" line (drawn masked instead). */
  private readonly view: NodeJS.WriteStream;
  /**
   * A paste of the terminal's in progress: the input line before it, the
   * row of the input area the cursor was on, and the lines it has ended so
   * far. readline draws nothing of it meanwhile (its Enter would send each line).
   */
  private paste: { before: string; rows: number; lines: string[] } | null = null;
  /** Ends a paste whose end mark never comes (a terminal that lost it, a paste cut short). */
  private pasteTimer: ReturnType<typeof setTimeout> | null = null;
  private handlers: ScreenHandlers | null = null;

  constructor(
    private readonly input: NodeJS.ReadStream,
    private readonly output: NodeJS.WriteStream,
    options: ScreenOptions,
  ) {
    this.history = options.history;
    this.suspend = options.suspend ?? stopGroup;
    const write = (...args: Parameters<NodeJS.WriteStream["write"]>): boolean =>
      this.rl !== null && (this.paste !== null || maskTyped(this.rl.line) !== null)
        ? true
        : output.write(...args);
    this.view = new Proxy(output, {
      get: (target, key) => {
        if (key === "write") return write;
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }

  /** Take over the keyboard: raw mode, line editing, history, completion. */
  start(handlers: ScreenHandlers): void {
    if (this.rl !== null) return;
    const rl = createInterface({
      input: this.input,
      output: this.output,
      terminal: true,
      history: this.history,
      // The chat decides what is worth remembering (never a name or a password) and adds it.
      historySize: 0,
      prompt: "",
      completer: (before: string): Completion =>
        this.secret === null && maskTyped(this.rl?.line ?? "") === null
          ? handlers.complete(before)
          : [[], before],
    }) as Readline;
    rl.output = this.view;
    rl.on("line", (text) => this.entered(text, handlers));
    rl.on("SIGINT", () => this.interrupt(handlers));
    rl.on("SIGTSTP", () => this.stop());
    rl.on("close", () => this.closed(handlers));
    // Before readline's own handler: Ctrl-U clears the whole line, as /help says,
    // not only what is left of the cursor.
    this.input.prependListener("keypress", this.keypress);
    // After readline's own handler: an /op line is drawn masked.
    this.input.on("keypress", this.keyed);
    this.rl = rl;
    this.handlers = handlers;
    this.output.write(PASTE_ON);
    process.on("exit", this.giveBack);
    for (const signal of Object.keys(ENDING_SIGNALS)) process.on(signal, this.ended);
  }

  /** Show `prompt` and the input line (keeping what was typed, unless it was a secret). */
  prompt(prompt: string): void {
    if (this.rl === null) return;
    this.endSecret();
    this.redraw(null, prompt);
    this.showing = true;
  }

  /** Ask for a secret: nothing typed is echoed or remembered, and Tab completes nothing. */
  askSecret(prompt: string): void {
    const rl = this.rl;
    if (rl === null) return;
    this.erase();
    rl.setPrompt("");
    rl.line = "";
    rl.cursor = 0;
    rl.prevRows = 0;
    this.secret = prompt;
    // Without an output readline has nowhere to echo to; it still edits the line.
    rl.output = null;
    rl.history = [];
    this.output.write(prompt);
    this.showing = true;
  }

  /** Whether the browsing of earlier lines is on (off while a name is asked for). */
  useHistory(on: boolean): void {
    if (this.rl !== null && this.secret === null) this.rl.history = on ? this.history : [];
  }

  /** Draw the prompt again after Enter, leaving the entered line as it is. */
  reprompt(): void {
    this.edit(0, (rl) => rl.prompt(true));
  }

  /** Print a line of output above the input line, then redraw the input as it was. */
  print(text: string): void {
    if (this.rl === null || !this.showing) {
      this.output.write(`${text}\n`);
      return;
    }
    if (this.secret !== null) {
      this.output.write(`\r\x1b[K${text}\n${this.secret}`);
      return;
    }
    this.redraw(text);
  }

  /** What is typed in the input line now. */
  get typed(): string {
    return this.rl?.line ?? "";
  }

  /** Put text into the input line, as if typed (a line that could not be sent). */
  putBack(text: string): void {
    const rl = this.rl;
    if (rl !== null) this.edit(rl.getCursorPos().rows, () => rl.write(text));
  }

  /** The terminal bell: mentions and private messages. */
  bell(): void {
    this.output.write("\x07");
  }

  /**
   * Replace the line the user just entered (still on screen above the fresh
   * prompt) with `text`, e.g. their message as the room sees it; null erases it.
   */
  replaceEntered(entered: string, text: string | null): void {
    const columns = this.output.columns;
    if (this.rl === null || !columns) {
      if (text !== null) this.print(text);
      return;
    }
    const width = Bun.stringWidth(this.rl.getPrompt() + maskEntered(entered));
    const rows = Math.max(1, Math.ceil(width / columns));
    this.output.write(`\x1b[${rows}A${clearInputArea(0)}${text === null ? "" : `${text}\n`}`);
    this.edit(0, (rl) => rl.prompt(true));
  }

  /** Give the terminal back: erase the input line, leave raw mode. */
  close(): void {
    const rl = this.rl;
    if (rl === null) return;
    this.erase();
    this.rl = null;
    this.input.removeListener("keypress", this.keypress);
    this.input.removeListener("keypress", this.keyed);
    process.removeListener("SIGCONT", this.continued);
    this.forgetProcess();
    this.output.write(PASTE_OFF);
    rl.close();
  }

  /**
   * The process ends with the keyboard still ours: the input line erased,
   * bracketed paste off and raw mode left, so the shell after it reads
   * pastes and keys as usual.
   */
  private readonly giveBack = () => {
    // Stopped (Ctrl-Z), the terminal is the shell's already: touching it would stop us again.
    if (this.rl === null || this.suspended) return;
    try {
      // The prompt goes too: what is written after this starts where it was.
      this.erase();
      this.output.write(PASTE_OFF);
      this.input.setRawMode?.(false);
    } catch {
      // The terminal is gone (SIGHUP): nothing to give back.
    }
  };

  /** Killed (SIGTERM) or hung up (SIGHUP): give the terminal back, then end as that signal would. */
  private readonly ended = (signal: NodeJS.Signals) => {
    if (this.suspended) {
      // Stopped (Ctrl-Z) and killed: the terminal is the shell's already, and the runtime's own
      // reset of it at exit would stop us again (SIGTTOU in the background). End as the signal
      // itself ends a process, without that exit.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    this.giveBack();
    process.exit(128 + (ENDING_SIGNALS[signal as keyof typeof ENDING_SIGNALS] ?? 0));
  };

  private forgetProcess(): void {
    this.clearPasteTimer();
    process.removeListener("exit", this.giveBack);
    for (const signal of Object.keys(ENDING_SIGNALS)) process.removeListener(signal, this.ended);
  }

  private clearPasteTimer(): void {
    if (this.pasteTimer !== null) clearTimeout(this.pasteTimer);
    this.pasteTimer = null;
  }

  /**
   * Clear the input area, write `above` (if any) where it was, and draw the
   * input again below it, with `prompt` if given.
   */
  private redraw(above: string | null, prompt?: string): void {
    const rl = this.rl as Readline;
    this.erase();
    if (above !== null) this.output.write(`${above}\n`);
    if (prompt !== undefined) rl.setPrompt(prompt);
    // readline moves up by the rows it drew last time before drawing again;
    // the cursor is at the top of the input area already. (Its count also
    // goes stale when pasted text wraps without a redraw: the blank lines a
    // review saw in the transcript.)
    rl.prevRows = 0;
    this.edit(0, () => rl.prompt(true));
  }

  /**
   * Let readline change or draw the input line (`change`), the cursor on row
   * `from` of the input area until then; an /op line, of which readline drew
   * nothing, is then drawn here, masked.
   */
  private edit(from: number, change: (rl: Readline) => void): void {
    const rl = this.rl;
    if (rl === null) return;
    change(rl);
    this.drawMasked(from);
  }

  /**
   * Draw an /op line masked where readline would have drawn it, the cursor
   * from row `from` of the input area; as readline's own redraw does, and
   * keeping its count of rows.
   */
  private drawMasked(from: number): void {
    const rl = this.rl;
    const shown = rl === null || this.secret !== null ? null : maskTyped(rl.line);
    if (rl === null || shown === null) return;
    const cursor = rl.getCursorPos();
    const at = rl.cursor;
    rl.cursor = rl.line.length;
    const end = rl.getCursorPos();
    rl.cursor = at;
    // The end exactly at a row's end: a space takes the terminal's cursor to the next row.
    const wrap = end.cols === 0 && end.rows > 0 ? " " : "";
    const up = end.rows - cursor.rows;
    this.output.write(
      `${clearInputArea(from)}${rl.getPrompt()}${shown}${wrap}\r` +
        `${cursor.cols > 0 ? `\x1b[${cursor.cols}C` : ""}${up > 0 ? `\x1b[${up}A` : ""}`,
    );
    rl.prevRows = cursor.rows;
  }

  /** Take the cursor to the start of the input area and clear from there down. */
  private erase(): void {
    const rl = this.rl;
    if (rl === null || !this.showing) return;
    if (this.secret !== null) {
      this.output.write("\r\x1b[K");
      return;
    }
    if (this.paste !== null) {
      // Mid-paste readline draws nothing: the input area is as the paste found it.
      this.output.write(clearInputArea(this.paste.rows));
      this.paste.rows = 0;
      return;
    }
    const { rows, cols } = rl.getCursorPos();
    // Text that exactly fills a row leaves the terminal's cursor waiting at
    // the end of that row, where getCursorPos counts the start of the next:
    // a space and a backspace settle it at the start of the next row either way.
    const settle = cols === 0 && rows > 0 ? " \b" : "";
    this.output.write(`${settle}${clearInputArea(rows)}`);
  }

  private entered(text: string, handlers: ScreenHandlers): void {
    if (this.paste !== null) {
      this.paste.lines.push(text);
      return;
    }
    if (this.secret === null && maskTyped(text) !== null && this.rl !== null) {
      // readline wrote nothing of it, not even the new line: what stays on
      // screen is "/op ******".
      this.output.write(
        `${clearInputArea(this.before)}${this.rl.getPrompt()}${maskEntered(text)}\r\n`,
      );
    }
    // A secret: nothing of it was drawn; the prompt goes, the secret goes to the handler only.
    this.endSecret();
    handlers.line(text);
  }

  /**
   * Leave secret mode, if in it: echo and history come back, and whatever was
   * typed so far is dropped, so that a prompt asking for something else (the
   * room's password turned out not to be needed after a reconnect) can never
   * turn a half-typed password into a chat line or a name.
   */
  private endSecret(): void {
    const rl = this.rl;
    if (rl === null || this.secret === null) return;
    this.secret = null;
    rl.output = this.view;
    rl.history = this.history;
    rl.line = "";
    rl.cursor = 0;
    rl.prevRows = 0;
    this.output.write("\r\x1b[K");
    this.showing = false;
  }

  /** Ctrl-C: a half-typed line is cleared; on an empty one the user wants out. */
  private interrupt(handlers: ScreenHandlers): void {
    const rl = this.rl;
    if (rl === null) return;
    if (rl.line === "") {
      handlers.leave();
      return;
    }
    rl.write(null, { ctrl: true, name: "e" });
    rl.write(null, { ctrl: true, name: "u" });
  }

  private readonly keypress = (
    _text: string | undefined,
    key?: { ctrl?: boolean; name?: string },
  ) => {
    const rl = this.rl;
    if (rl === null) return;
    if (key?.name === "paste-start" && this.secret === null) {
      this.paste = { before: rl.line, rows: rl.getCursorPos().rows, lines: [] };
      // A tab pasted is a tab, not a completion.
      rl.isCompletionEnabled = false;
      this.waitForPasteEnd();
      return;
    }
    if (key?.name === "paste-end") {
      this.pasted();
      return;
    }
    if (this.paste !== null) {
      this.waitForPasteEnd();
      return;
    }
    this.before = rl.getCursorPos().rows;
    if (key?.ctrl && key.name === "u") rl.write(null, { ctrl: true, name: "e" });
  };

  /** After readline has handled a key: an /op line is drawn masked. */
  private readonly keyed = () => {
    if (this.paste === null) this.drawMasked(this.before);
  };

  /**
   * The paste is over. One line stays in the input line, as if typed; more
   * go to the chat as one paste, and the input line is as it was before.
   */
  private pasted(): void {
    const rl = this.rl;
    const paste = this.paste;
    this.paste = null;
    this.clearPasteTimer();
    if (rl === null || paste === null) return;
    rl.isCompletionEnabled = true;
    let lines: string[] = [];
    if (paste.lines.length > 0) {
      lines = [...paste.lines, rl.line];
      const first = lines[0] as string;
      // The first line began with what was typed before the paste: that stays in the input line.
      if (first.startsWith(paste.before)) lines[0] = first.slice(paste.before.length);
      rl.line = paste.before;
      rl.cursor = paste.before.length;
    }
    // readline drew nothing meanwhile: the cursor is where the paste found it.
    this.output.write(clearInputArea(paste.rows));
    rl.prevRows = 0;
    this.edit(0, () => rl.prompt(true));
    if (lines.length > 0) this.handlers?.paste(lines);
  }

  /** A paste goes on: it is over PASTE_END_WAIT_MS after its last key, end mark or not. */
  private waitForPasteEnd(): void {
    this.clearPasteTimer();
    this.pasteTimer = setTimeout(() => this.pasted(), PASTE_END_WAIT_MS);
  }

  /** Ctrl-Z: hand the terminal back to the shell as it was, and stop. */
  private stop(): void {
    if (this.rl === null) return;
    this.erase();
    this.output.write(PASTE_OFF);
    this.input.setRawMode?.(false);
    process.once("SIGCONT", this.continued);
    this.suspended = true;
    this.suspend();
  }

  /** Back from Ctrl-Z (fg): raw mode again, and the input line as it was. */
  private readonly continued = () => {
    setTimeout(this.resumed, CONTINUE_WAIT_MS);
  };

  private readonly resumed = () => {
    this.suspended = false;
    const rl = this.rl;
    if (rl === null) return;
    this.input.setRawMode?.(true);
    this.output.write(PASTE_ON);
    if (this.secret !== null) {
      this.output.write(this.secret);
      return;
    }
    rl.prevRows = 0;
    this.edit(0, () => rl.prompt(true));
  };

  private closed(handlers: ScreenHandlers): void {
    // close() from our side has already cleared rl; Ctrl-D arrives here with it set.
    const rl = this.rl;
    if (rl === null) return;
    // The prompt is still on screen; what is printed from now on goes where it was.
    this.erase();
    this.output.write(PASTE_OFF);
    this.rl = null;
    this.showing = false;
    this.input.removeListener("keypress", this.keypress);
    this.input.removeListener("keypress", this.keyed);
    process.removeListener("SIGCONT", this.continued);
    this.forgetProcess();
    handlers.leave();
  }
}
