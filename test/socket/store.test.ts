/**
 * A room that remembers (store/sqlite.ts) over real sockets: a server killed
 * with SIGKILL in the middle of a flood loses no line any member read, its
 * positions never mean another line, papo's clients resume across the
 * restart with no gap and no duplicate, and newcomers read the room's last
 * lines with their day; the topic comes back; a second server for the same
 * room refuses; a disk that fills while the server runs stops nothing.
 */

import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePosition, parseTagged } from "../../src/protocol/tags.ts";
import { decodeLines } from "../../src/server/store/rows.ts";
import { runServer, type ServerProcess, spawnServer } from "../support/cli.ts";
import { connect, type LineClient } from "../support/lineclient.ts";
import { join as joinAs, serve } from "../support/server.ts";

const dirs: string[] = [];
const children: ServerProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    c.proc.kill(9);
    await c.exited;
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "papo-room-"));
  dirs.push(dir);
  return dir;
}

async function start(dir: string, ...more: string[]): Promise<ServerProcess> {
  const server = await spawnServer([
    ...["--port", "0", "--no-web", "--data", dir, "--rate-limit", "0", "--quiet"],
    ...["--max-per-address", "0", "--history", "20", ...more],
  ]);
  children.push(server);
  return server;
}

async function dial(port: number): Promise<LineClient> {
  const c = await connect(port);
  await c.next();
  return c;
}

/** A papo client by hand: version 2, a name; its token. */
async function joinV2(port: number, name: string): Promise<{ c: LineClient; token: string }> {
  const c = await dial(port);
  c.send("CAP papo/2");
  await c.next();
  c.send(name);
  const welcome = parseTagged(await c.until((l) => l.includes("ev=welcome")));
  await c.until((l) => l.includes("ev=limits"));
  return { c, token: welcome.tags.token as string };
}

/** Every line text the store of `dir` holds, oldest first (read while a server may run). */
function storedTexts(dir: string): string[] {
  const db = new Database(join(dir, "papo.db"), { readonly: true });
  const rows = db.query("SELECT lines FROM turns ORDER BY id").all() as Array<{ lines: string }>;
  db.close();
  return rows.flatMap((r) => (decodeLines(r.lines) ?? []).map((l) => l.text));
}

test("kill -9 mid-flood: every line a member read is kept, and a papo client resumes after the restart with no gap and no duplicate", async () => {
  const dir = folder();
  let server = await start(dir);
  const { c: reader, token } = await joinV2(server.port, "rita");
  const sender = await dial(server.port);
  sender.send("sam");
  await reader.until((l) => l.includes("sam joined"));
  const read: Array<{ pos: string; text: string; at: number }> = [];
  let stop = false;
  const collect = (async () => {
    while (!stop) {
      const line = await reader.next(5000).catch(() => null);
      if (line === null) return;
      const t = parseTagged(line);
      if (t.tags.kind === "chat")
        read.push({ pos: t.tags.pos as string, text: t.text, at: performance.now() });
    }
  })();
  const flood = (async () => {
    for (let i = 0; i < 100_000 && !stop; i++) {
      sender.send(`line ${i}`);
      if (i % 50 === 49) await Bun.sleep(1);
    }
  })();
  while (read.length < 1000) await Bun.sleep(5);
  // The flood goes on a while longer: the lines read by now must all be kept.
  await Bun.sleep(400);
  const killedAt = performance.now();
  server.proc.kill(9);
  await server.exited;
  stop = true;
  await Promise.all([flood, collect]);
  expect(read.length).toBeGreaterThanOrEqual(1000);

  // Every line the member read 200 ms before the kill is in the store (the writer thread
  // writes each turn milliseconds after its members read it).
  const kept = new Set(storedTexts(dir));
  const settled = read.filter((r) => r.at < killedAt - 200);
  expect(settled.length).toBeGreaterThan(0);
  expect(settled.filter((r) => !kept.has(r.text))).toEqual([]);

  server = await start(dir);
  const last = read.at(-1) as { pos: string; text: string };
  const back = await dial(server.port);
  back.send("CAP papo/2");
  const cap = parseTagged(await back.next());
  // A new life of the log: its positions can never be taken for the old ones.
  expect(cap.tags.epoch).not.toBe(parsePosition(last.pos)?.epoch);
  back.send(`RESUME ${token} ${last.pos}`);
  expect(parseTagged(await back.next()).tags.ev).toBe("resumed");
  const after = await back.quiet(400);
  expect(after.filter((l) => l.includes("kind=gap"))).toEqual([]);
  const replayed = after.map(parseTagged).filter((t) => t.tags.kind === "chat");
  // Exactly what the store had after the last line read, each once, in order.
  const stored = storedTexts(dir).filter((t) => /^<sam> line \d+$/.test(t));
  // (The last lines read may have gone with the kill: then nothing after them was kept either.)
  const lastKept = stored.lastIndexOf(last.text);
  const rest = lastKept < 0 ? [] : stored.slice(lastKept + 1);
  expect(replayed.map((t) => t.text)).toEqual(rest);
  const seen = new Set(read.map((r) => r.text));
  expect(replayed.filter((t) => seen.has(t.text))).toEqual([]);
  // Positions after the restart only go on: the old ones keep their meaning.
  const seqs = replayed.map((t) => parsePosition(t.tags.pos as string)?.seq as number);
  expect(seqs.every((s) => s > (parsePosition(last.pos)?.seq as number))).toBe(true);
});

test("a restart: newcomers read the last lines with their day and time, and the topic is back", async () => {
  const dir = folder();
  let server = await start(dir, "--op-password", "s3nha");
  const op = await dial(server.port);
  op.send("prof");
  op.send("/op s3nha");
  op.send("/topic lesson 3");
  op.send("first line");
  op.send("second line");
  await op.until((l) => l.startsWith("* prof set the topic"));
  // The answer to /who comes after the lines before it were acted on.
  op.send("/who");
  await op.until((l) => l.startsWith("* online"));
  server.proc.kill("SIGTERM");
  await server.exited;
  server = await start(dir, "--op-password", "s3nha");
  expect(
    server.output.some((l) => l.startsWith(`room papo kept in ${join(dir, "papo.db")}: `)),
  ).toBe(true);
  const late = await dial(server.port);
  late.send("ana");
  const lines = await late.quiet(300);
  expect(lines).toContain("* topic: lesson 3");
  const history = lines.filter((l) => l.startsWith("[history "));
  expect(history.map((l) => l.replace(/^\[history [^\]]+\] /, ""))).toEqual([
    "<prof> first line",
    "<prof> second line",
  ]);
  // Said today: the time only; a papo client reads the day from the line's time tag.
  expect(history[0]).toMatch(/^\[history \d\d:\d\d\] /);
});

test("a second server for the same room and folder refuses, naming the first", async () => {
  const dir = folder();
  const first = await start(dir);
  const second = await runServer(["--port", "0", "--no-web", "--data", dir]);
  expect(second.code).toBe(1);
  expect(second.stderr).toMatch(
    new RegExp(
      `^papo: room papo in ${dir} is kept by another papo server \\(pid ${first.proc.pid} on `,
    ),
  );
  expect(second.stderr).toContain("give this one another --room or --data");
  // Another room in the same folder is another database.
  const other = await runServer(["--port", "0", "--no-web", "--data", dir, "--room", "../x"]);
  expect(other.code).toBe(1);
  expect(other.stderr).toContain('room name "../x" must be');
});

test("the disk fills while the server runs: the room goes on, operators are told once, and told when it works again", async () => {
  const dir = folder();
  const server = serve({ dataDir: dir, opPassword: "pw" });
  const op = await joinAs(server, "op");
  op.send("/op pw");
  await op.until((l) => l === "* you are now an operator");
  const bob = await joinAs(server, "bob");
  const store = server.store;
  if (store === null) throw new Error("no store");
  await store.flushed();
  store.limitPages(store.pages());
  for (let i = 0; i < 50; i++) bob.send(`full ${i} ${"x".repeat(1000)}`);
  const got = await op.quiet(300);
  expect(got.filter((l) => l.startsWith("<bob> full"))).toHaveLength(50);
  expect(got.filter((l) => l.startsWith("! the room's record on disk fails"))).toEqual([
    "! the room's record on disk fails (the disk is full): lines are relayed but not kept; retrying",
  ]);
  store.limitPages(1073741823);
  await store.flushed();
  expect(await op.next()).toBe("* the room's record on disk works again: nothing was lost");
  expect(storedTexts(dir).filter((t) => t.startsWith("<bob> full"))).toHaveLength(50);
});

test("past --keep-lines the oldest lines go while the room goes on talking", async () => {
  const dir = folder();
  const server = serve({ dataDir: dir, keepLines: 500 });
  const ana = await joinAs(server, "ana");
  const bob = await joinAs(server, "bob");
  const store = server.store;
  if (store === null) throw new Error("no store");
  let got = 0;
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 300; i++) ana.send(`r${round} l${i}`);
    // The relay goes on: bob reads every line while the store prunes between rounds.
    for (let i = 0; i < 300; i++) {
      await bob.until((l) => l.startsWith("<ana> r"));
      got++;
    }
    await store.prune();
  }
  expect(got).toBe(1800);
  // Whole turns go, so a few more than 500 may stay; never fewer, never most of them.
  expect(store.lines).toBeGreaterThanOrEqual(500);
  expect(store.lines).toBeLessThan(800);
  await store.flushed();
  const texts = storedTexts(dir);
  expect(texts.at(-1)).toBe("<ana> r5 l299");
  expect(texts).not.toContain("<ana> r0 l0");
});

/** A line client from another loopback address (node:net can bind the local side). */
function fromAddress(port: number, address: string): Promise<string[]> {
  return new Promise((resolve) => {
    const lines: string[] = [];
    let partial = "";
    const socket = netConnect({ host: "127.0.0.1", port, localAddress: address }, () => {
      socket.write("mal\n");
    });
    socket.on("data", (chunk) => {
      partial += chunk.toString();
      const parts = partial.split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts);
    });
    socket.on("close", () => resolve(lines));
    socket.on("error", () => resolve(lines));
    setTimeout(() => {
      socket.destroy();
      resolve(lines);
    }, 500);
  });
}

test("bans are kept: an address banned before a restart is refused after it", async () => {
  const dir = folder();
  let server = serve({ dataDir: dir, opPassword: "pw" });
  const op = await joinAs(server, "op");
  op.send("/op pw");
  await op.until((l) => l === "* you are now an operator");
  const before = fromAddress(server.port, "127.0.0.2");
  await op.until((l) => l === "* mal joined");
  op.send("/ban mal");
  await op.until((l) => l.startsWith("* mal was banned"));
  await before;
  await server.stop();
  server = serve({ dataDir: dir, opPassword: "pw" });
  const after = await fromAddress(server.port, "127.0.0.2");
  expect(after).toContain("! you are banned from this room");
  // Everyone else still comes in.
  const ana = await joinAs(server, "ana");
  expect(ana.isClosed()).toBe(false);
});

test("a clean restart keeps the resume tokens: a papo client comes back as itself", async () => {
  const dir = folder();
  let server = await start(dir);
  const { c, token } = await joinV2(server.port, "rita");
  const sam = await dial(server.port);
  sam.send("sam");
  sam.send("hello");
  const [hello] = (await c.until((l) => l.endsWith("<sam> hello"))).split(" ");
  const pos = parseTagged(`${hello} x`).tags.pos as string;
  server.proc.kill("SIGTERM");
  await server.exited;
  server = await start(dir);
  const back = await dial(server.port);
  back.send("CAP papo/2");
  await back.next();
  back.send(`RESUME ${token} ${pos}`);
  const answer = parseTagged(await back.next());
  expect(answer.tags.ev).toBe("resumed");
  expect(answer.text).toBe("* welcome back, rita");
});
