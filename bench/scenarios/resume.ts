/**
 * Resume: many papo clients (protocol version 2) are cut from the server at
 * once while the room goes on talking, and all reconnect at once with their
 * resume tokens. The figures are how long until every one has resumed and
 * read the last line said, how many lines the server replayed, and how many
 * a client read twice (by position) or never: both must be 0.
 *
 * The clients live in the bench process itself (a few thousand sockets and a
 * tag parser), so that the cut is one loop of terminate() calls and the
 * reconnect one loop of connects.
 */

import type { Socket } from "bun";
import { parsePosition, parseTagged } from "../../src/protocol/tags.ts";
import { RESUME_TIMEOUT_MS } from "../config.ts";
import { count, ms } from "../report/format.ts";
import { type Context, type Sizes, withServer } from "./harness.ts";
import { emptyResult, type Result } from "./result.ts";

const decoder = new TextDecoder();

/** One v2 client: its token, the positions it read, and what it read twice. */
class Resumer {
  token = "";
  /** Last position read, "EPOCH.SEQ" as the server wrote it. */
  last = "";
  lastSeq = 0;
  seen = new Set<number>();
  duplicates = 0;
  replayed = 0;
  resumed = false;
  joined = false;
  failed = "";
  socket: Socket<Resumer> | null = null;
  private partial = "";
  private waiters: Array<() => void> = [];

  constructor(readonly name: string) {}

  data(chunk: Uint8Array): void {
    this.partial += decoder.decode(chunk, { stream: true });
    let at = this.partial.indexOf("\n");
    while (at >= 0) {
      this.line(this.partial.slice(0, at));
      this.partial = this.partial.slice(at + 1);
      at = this.partial.indexOf("\n");
    }
    for (const wake of this.waiters.splice(0)) wake();
  }

  private line(text: string): void {
    const { tags } = parseTagged(text);
    if (tags.ev === "welcome" || tags.ev === "resumed") {
      this.token = tags.token ?? "";
      if (tags.ev === "welcome") {
        this.joined = true;
        this.last = tags.pos ?? "";
        this.lastSeq = parsePosition(tags.pos)?.seq ?? 0;
      } else {
        this.resumed = true;
      }
      return;
    }
    if (tags.ev === "resumeFailed") this.failed = "resume refused";
    if (tags.kind === "gap") this.failed = `a gap: ${text}`;
    if (tags.kind !== "chat") return;
    const pos = parsePosition(tags.pos);
    if (pos === null) return;
    if (this.seen.has(pos.seq)) this.duplicates++;
    this.seen.add(pos.seq);
    if (this.resumed) this.replayed++;
    this.last = tags.pos as string;
    this.lastSeq = pos.seq;
  }

  /** Resolves once `done()` holds, checked after each read. */
  async until(done: () => boolean, deadline: number): Promise<boolean> {
    while (!done()) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
    return true;
  }
}

async function connect(host: string, port: number, client: Resumer, first: string): Promise<void> {
  client.socket = await Bun.connect<Resumer>({
    hostname: host,
    port,
    data: client,
    socket: {
      open: (socket) => void socket.write(first),
      data: (socket, chunk) => socket.data.data(chunk),
      error: () => {},
    },
  });
}

export function resume(s: Sizes<"resume">, ctx: Context): Promise<Result> {
  const args = ["--rate-limit", "0", "--max-per-address", "0"];
  return withServer(
    "resume",
    "papo",
    { maxClients: s.clients + 64, papoArgs: args },
    ctx,
    async (setup) => {
      const { server } = setup;
      const result = emptyResult("resume", "papo", s.clients);
      const clients = Array.from({ length: s.clients }, (_, i) => new Resumer(`r${i}`));
      await Promise.all(
        clients.map((c) => connect(server.host, server.port, c, `CAP papo/2\n${c.name}\n`)),
      );
      const talker = new Resumer("talker");
      await connect(server.host, server.port, talker, "talker\n");
      const joinBy = performance.now() + RESUME_TIMEOUT_MS;
      for (const c of clients) {
        if (!(await c.until(() => c.joined, joinBy))) throw new Error(`${c.name} never joined`);
      }
      const say = (from: number, n: number) => {
        let text = "";
        for (let i = from; i < from + n; i++) text += `line ${i} ${"x".repeat(60)}\n`;
        talker.socket?.write(text);
      };
      // Before the cut: everyone reads these.
      say(0, s.before);
      const readBy = performance.now() + RESUME_TIMEOUT_MS;
      for (const c of clients) await c.until(() => c.seen.size >= s.before, readBy);

      // The cut: every client's connection reset at once, then lines said while they are away.
      for (const c of clients) c.socket?.terminate();
      await Bun.sleep(200);
      say(s.before, s.away);
      await Bun.sleep(200);

      // All come back at once, each with its token and the last position it read.
      const start = performance.now();
      await Promise.all(
        clients.map((c) =>
          connect(server.host, server.port, c, `CAP papo/2\nRESUME ${c.token} ${c.last}\n`),
        ),
      );
      const total = s.before + s.away;
      const by = performance.now() + RESUME_TIMEOUT_MS;
      let late = 0;
      for (const c of clients) {
        if (!(await c.until(() => c.seen.size >= total || c.failed !== "", by))) late++;
      }
      const seconds = (performance.now() - start) / 1000;
      let replayed = 0;
      let duplicates = 0;
      let received = 0;
      const failed: string[] = [];
      for (const c of clients) {
        replayed += c.replayed;
        duplicates += c.duplicates;
        received += c.seen.size;
        if (c.failed !== "" && failed.length < 3) failed.push(`${c.name}: ${c.failed}`);
        c.socket?.end();
      }
      talker.socket?.end();
      result.shape = `${count(s.clients)} v2 clients cut at once; ${s.away} lines said while away; all back at once`;
      result.expected = total * s.clients;
      result.received = received;
      result.lost = result.expected - received;
      result.seconds = seconds;
      result.rate = seconds > 0 ? replayed / seconds : 0;
      result.extra = { resumeMs: seconds * 1000, replayed, duplicates, late };
      result.figures = [
        ["all resumed and caught up", ms(seconds * 1000)],
        ["lines replayed", count(replayed)],
        ["read twice", count(duplicates)],
      ];
      if (duplicates > 0) result.failures.push(`${duplicates} lines read twice after a resume`);
      if (result.lost > 0) result.failures.push(`${result.lost} lines never read after a resume`);
      if (late > 0)
        result.failures.push(`${late} clients had not caught up after ${RESUME_TIMEOUT_MS} ms`);
      result.failures.push(...failed);
      return result;
    },
  );
}
