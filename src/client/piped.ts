/**
 * Piped mode (stdin is not a terminal): the client as a building block for
 * scripts and tests. No prompt, no colour, no timestamps: every input line is
 * sent, every received line is printed as a plain reader would read it (the
 * line without its protocol tags, sanitized). The name is
 * --name or, without it, the first non-blank input line; a room's password
 * comes from the environment (PAPO_ROOM_PASSWORD, or --password-env VAR),
 * never from the input. At end of input it says /quit and waits, boundedly,
 * for the server to close. Only a quit the server confirmed with "* bye"
 * exits 0: a connection that ends before it may have lost lines, and the
 * script is told so (exit 2). No reconnecting: a script learns from the exit
 * status and decides.
 */

import { closesBlock, opensBlock, trimBlock, utf8Bytes } from "../protocol/block.ts";
import { BLOCK } from "../protocol/limits.ts";
import { LINE_TOO_LONG, LineDecoder } from "../protocol/lines.ts";
import { isBlank, sanitize } from "../protocol/sanitize.ts";
import { blockRefusal } from "./core/blocks.ts";
import { describeEnding, describeFailure, EXIT, exitCode } from "./core/outcome.ts";
import { openSession, Session } from "./core/session.ts";
import type { Ending, SessionEvent } from "./core/state.ts";
import { askedLang, type ClientOptions, speak } from "./options.ts";

/** Where piped mode reads and writes; stdin, stdout and stderr in real use. */
export interface PipedIO {
  input: AsyncIterable<Uint8Array>;
  out(text: string): void;
  err(text: string): void;
}

/** The server's answer to a name or a password. */
type Answer = { ok: true } | { ok: false; reason: string };
/** How the run ends: an exit status and maybe one sentence for stderr. */
type Result = { code: number; message: string | null };

/** Run piped mode to its end; resolves with the exit status. */
export async function runPiped(options: ClientOptions, io: PipedIO): Promise<number> {
  const answers = { name: answer(), password: answer() };
  const listen = (event: SessionEvent) => {
    if (event.kind === "line") {
      const m = event.line.meaning;
      if (m?.kind === "language") speak(options, m.lang, true);
      io.out(`${event.line.text}\n`);
    } else if (event.kind === "greeted") speak(options, event.lang, false);
    else if (event.kind === "joined") answers.name.give({ ok: true });
    else if (event.kind === "rejected") answers.name.give({ ok: false, reason: event.reason });
    else if (event.kind === "password-accepted") answers.password.give({ ok: true });
    else if (event.kind === "password-rejected") {
      answers.password.give({ ok: false, reason: event.reason });
    }
  };

  const opened = await openSession(options.config, listen, askedLang(options));
  if (!(opened instanceof Session)) {
    io.err(`${describeFailure(opened, options.config, options.strings)}\n`);
    return EXIT.failed;
  }
  // Whichever comes first: the input runs out, or the server goes away.
  const result = await Promise.race([
    converse(opened, options, io, answers),
    opened.ended.then((ending) => ended(ending, options)),
  ]);
  if (result.message !== null) io.err(`${result.message}\n`);
  return result.code;
}

/** A promise for the server's answer, and the way to give it. */
function answer(): { promise: Promise<Answer>; give: (answer: Answer) => void } {
  let give: (answer: Answer) => void = () => {};
  const promise = new Promise<Answer>((resolve) => {
    give = resolve;
  });
  return { promise, give };
}

/** Password (if the room has one), name, then every input line, then /quit. */
async function converse(
  session: Session,
  options: ClientOptions,
  io: PipedIO,
  answers: { name: { promise: Promise<Answer> }; password: { promise: Promise<Answer> } },
): Promise<Result> {
  const { strings } = options;
  if (session.state.phase === "password") {
    if (options.password === undefined) {
      void session.quit();
      return { code: EXIT.failed, message: strings.passwordNeeded(options.passwordEnv) };
    }
    session.sendPassword(options.password);
    const verdict = await answers.password.promise;
    if (!verdict.ok) {
      void session.quit();
      return { code: EXIT.failed, message: strings.passwordRefused(verdict.reason) };
    }
  }
  const lines = inputLines(io.input, options.config.maxLineBytes)[Symbol.asyncIterator]();
  const name = options.name ?? (await firstName(lines));
  // On failure, quit without waiting: the session's own ending ("quit") must
  // not win the race against the reason given here.
  if (name === undefined) {
    void session.quit();
    return { code: EXIT.failed, message: strings.noName };
  }
  session.sendName(name);
  // Nothing else is sent before the answer: after a refusal the server would
  // take the next input line for another try at a name.
  const verdict = await answers.name.promise;
  if (!verdict.ok) {
    void session.quit();
    return { code: EXIT.failed, message: strings.nameRefused(verdict.reason) };
  }
  // A ``` block in the input is gathered here and sent as one block, as the terminal client
  // does; bounded: past BLOCK's size the rest of it, to its closing line, is dropped.
  let fence: { lines: string[]; bytes: number; over: boolean } | null = null;
  const sendFence = (lines: readonly string[]) => {
    const kept = trimBlock(lines);
    if (kept.length === 0) return;
    const sent = kept.length === 1 ? session.send(kept[0] as string) : session.sendBlock(kept);
    if (sent.kind === "block-too-long") io.err(`${blockRefusal(options.lang, sent.problem)}\n`);
    if (sent.kind === "too-long") io.err(`${strings.inputTooLong(sent.maxBytes)}\n`);
  };
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    if (next.value === LINE_TOO_LONG) {
      io.err(`${strings.inputTooLong(options.config.maxLineBytes)}\n`);
      if (fence !== null) fence.over = true;
      continue;
    }
    if (fence !== null) {
      if (closesBlock(sanitize(next.value))) {
        if (fence.over)
          io.err(`${blockRefusal(options.lang, { kind: "lines", lines: 0, max: 0 })}\n`);
        else sendFence(fence.lines);
        fence = null;
        await session.whenDrained();
        if (session.state.phase !== "joined") break;
      } else if (!fence.over) {
        fence.bytes += utf8Bytes(next.value) + 1;
        fence.lines.push(next.value);
        fence.over = fence.lines.length > BLOCK.maxLines || fence.bytes > BLOCK.maxBytes;
        if (fence.over) fence.lines = [];
      }
      continue;
    }
    if (opensBlock(sanitize(next.value))) {
      fence = { lines: [], bytes: 0, over: false };
      continue;
    }
    const sent = session.send(next.value);
    // The server would drop it with "! line too long": say so here, where the line came from.
    if (sent.kind === "too-long") io.err(`${strings.inputTooLong(sent.maxBytes)}\n`);
    // Read no more input than the socket takes: memory stays bounded for any input size.
    await session.whenDrained();
    if (session.state.phase !== "joined") break;
  }
  // The input ended inside a block: what was gathered of it is said.
  if (fence !== null && !fence.over && session.state.phase === "joined") sendFence(fence.lines);
  return ended(await session.quit(), options);
}

function ended(ending: Ending, options: ClientOptions): Result {
  return { code: exitCode(ending), message: describeEnding(ending, options.strings) };
}

async function firstName(
  lines: AsyncIterator<string | typeof LINE_TOO_LONG>,
): Promise<string | undefined> {
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    if (typeof next.value === "string" && !isBlank(next.value)) return next.value.trim();
  }
  return undefined;
}

/**
 * Input bytes as lines ("\r\n" or "\n"; a last line without a newline counts).
 * A line longer than `maxLineBytes` comes out as LINE_TOO_LONG.
 */
export async function* inputLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes: number,
): AsyncGenerator<string | typeof LINE_TOO_LONG> {
  const decoder = new LineDecoder(maxLineBytes);
  for await (const chunk of chunks) yield* decoder.push(chunk);
  // End of input finishes an unterminated last line.
  const last = decoder.finish();
  if (last !== undefined) yield last;
}
