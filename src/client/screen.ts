/**
 * The terminal as the interactive client uses it: one input line at the
 * bottom (node:readline: editing, history on the arrow keys) and output that
 * scrolls above it. Printing clears the input area, writes the line and lets
 * readline redraw prompt and half-typed text, so arriving lines never break
 * what the user is typing. What to print is decided elsewhere (render.ts).
 */

import { createInterface, type Interface } from "node:readline";
import { clearInputArea } from "./render.ts";

export interface ScreenHandlers {
  /** The user pressed Enter. */
  line(text: string): void;
  /** Ctrl-C, or Ctrl-D on an empty line: the user wants out. */
  leave(): void;
}

export class Screen {
  private rl: Interface | null = null;
  /** True while a prompt and input line are on screen below the output. */
  private showing = false;

  constructor(
    private readonly input: NodeJS.ReadStream,
    private readonly output: NodeJS.WriteStream,
    private readonly historySize: number,
  ) {}

  /** Take over the keyboard: raw mode, line editing, history. */
  start(handlers: ScreenHandlers): void {
    if (this.rl !== null) return;
    const rl = createInterface({
      input: this.input,
      output: this.output,
      terminal: true,
      historySize: this.historySize,
      removeHistoryDuplicates: true,
      prompt: "",
    });
    rl.on("line", (text) => handlers.line(text));
    rl.on("SIGINT", () => handlers.leave());
    rl.on("close", () => this.closed(handlers));
    this.rl = rl;
  }

  /** Show `prompt` and the input line (keeping what was typed). */
  prompt(prompt: string): void {
    if (this.rl === null) return;
    this.rl.setPrompt(prompt);
    this.rl.prompt(true);
    this.showing = true;
  }

  /** Draw the prompt again after Enter, leaving the entered line as it is. */
  reprompt(): void {
    this.rl?.prompt(true);
  }

  /** Print a line of output above the input line, then redraw the input as it was. */
  print(text: string): void {
    if (this.rl === null || !this.showing) {
      this.output.write(`${text}\n`);
      return;
    }
    // readline remembers on which row of a wrapped input the cursor sits and
    // moves up that many rows when it redraws; newlines after the text leave it
    // exactly that far below the new start of the input.
    const { rows } = this.rl.getCursorPos();
    this.output.write(`${clearInputArea(rows)}${text}\n${"\n".repeat(rows)}`);
    this.rl.prompt(true);
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
    const width = Bun.stringWidth(this.rl.getPrompt() + entered);
    const rows = Math.max(1, Math.ceil(width / columns));
    this.output.write(`\x1b[${rows}A${clearInputArea(0)}${text === null ? "" : `${text}\n`}`);
    this.rl.prompt(true);
  }

  /** Give the terminal back: erase the input line, leave raw mode. */
  close(): void {
    const rl = this.rl;
    if (rl === null) return;
    if (this.showing) this.output.write(clearInputArea(rl.getCursorPos().rows));
    this.showing = false;
    this.rl = null;
    rl.close();
  }

  private closed(handlers: ScreenHandlers): void {
    // close() from our side has already cleared rl; Ctrl-D arrives here with it set.
    const rl = this.rl;
    if (rl === null) return;
    // The prompt is still on screen; what is printed from now on goes where it was.
    if (this.showing) this.output.write(clearInputArea(rl.getCursorPos().rows));
    this.rl = null;
    this.showing = false;
    handlers.leave();
  }
}
