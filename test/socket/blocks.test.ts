/** Blocks over real sockets (docs/protocol.md, "Blocks"): one message of many lines. */

import { afterEach, describe, expect, test } from "bun:test";
import { BlockReader, encodeBlock } from "../../src/protocol/block.ts";
import { BLOCK } from "../../src/protocol/limits.ts";
import { parseTagged } from "../../src/protocol/tags.ts";
import type { LineClient } from "../support/lineclient.ts";
import { arrive, join, serve, stopAll } from "../support/server.ts";

afterEach(stopAll);

/** 30 lines of code, with indentation (spaces and a tab) and blank lines. */
const CODE = Array.from({ length: 30 }, (_, i) =>
  i % 7 === 3 ? "" : i % 5 === 0 ? `def f${i}():` : i % 5 === 4 ? `\treturn ${i}` : `    x = ${i}`,
);

async function joinV2(
  server: Parameters<typeof arrive>[0],
  name: string,
  via: Parameters<typeof arrive>[1] = "tcp",
): Promise<LineClient> {
  const c = await arrive(server, via);
  c.send("CAP papo/2");
  await c.next();
  c.send(name);
  await c.until((l) => l.includes("ev=limits"));
  return c;
}

/** The next block a v2 reader reads, put back together. */
async function nextBlock(
  c: LineClient,
): Promise<{ lines: string[]; tags: Record<string, string> }> {
  const reader = new BlockReader();
  for (;;) {
    const { tags, text } = parseTagged(await c.next());
    const read = reader.read(tags, text);
    if (read.kind === "block") return { lines: read.lines, tags };
  }
}

const v1Lines = (name: string, lines: readonly string[]) =>
  lines.map((l) => (l === "" ? `<${name}> |` : `<${name}> | ${l}`));

describe("blocks", () => {
  test("a papo client's 30-line block: `<ana> | line` for v1, one block with its exact lines for v2", async () => {
    const server = serve();
    const ana = await joinV2(server, "ana");
    const bob = await join(server, "bob");
    const cy = await joinV2(server, "cy");
    await ana.until((l) => l.endsWith("* cy joined"));
    await bob.until((l) => l === "* cy joined");
    ana.writeAll(encodeBlock(CODE).map((l) => `${l}\n`));
    for (const line of v1Lines("ana", CODE)) expect(await bob.next()).toBe(line);
    const block = await nextBlock(cy);
    expect(block.lines).toEqual(CODE);
    expect(block.tags.from).toBe("ana");
    expect(block.tags.kind).toBe("chat");
    // One line of the log: every part has the block's one position.
    ana.send("after");
    expect(await bob.next()).toBe("<ana> after");
    expect(await ana.quiet(100)).toEqual([]);
  });

  test("an nc user's ``` block: its lines as typed, commands in it are text", async () => {
    const server = serve();
    const ana = await join(server, "ana");
    const bob = await join(server, "bob");
    for (const l of ["```python", "if x:", "    /quit", "", "  pass", "```", "back to chat"])
      ana.send(l);
    for (const line of v1Lines("ana", ["if x:", "    /quit", "", "  pass"]))
      expect(await bob.next()).toBe(line);
    expect(await bob.next()).toBe("<ana> back to chat");
  });

  test("a block over the limits is refused with one line; nothing after it is lost", async () => {
    const server = serve();
    const ana = await join(server, "ana");
    const bob = await join(server, "bob");
    await ana.until((l) => l === "* bob joined");
    const many = Array.from({ length: BLOCK.maxLines + 1 }, (_, i) => `line ${i}`);
    // Typed with ```: the rest of it, up to its closing line, goes with it.
    ana.writeAll(["```", ...many, "```", "and here"].map((l) => `${l}\n`));
    expect(await ana.next()).toBe(
      `! block too long (at most ${BLOCK.maxLines} lines, ${BLOCK.maxBytes} bytes): not sent, nor the rest of it up to its closing \`\`\``,
    );
    expect(await bob.next()).toBe("<ana> and here");
  });

  test("a papo client's counted block over the limits is refused; its header alone when its count is", async () => {
    const server = serve();
    const ana = await joinV2(server, "ana");
    const bob = await join(server, "bob");
    await ana.until((l) => l.endsWith("* bob joined"));
    const wide = Array.from({ length: 20 }, () => "x".repeat(1000));
    ana.writeAll([...encodeBlock(wide), "and there"].map((l) => `${l}\n`));
    expect(parseTagged(await ana.next()).text).toStartWith("! block too long");
    expect(await bob.next()).toBe("<ana> and there");
    // A count over the limit: refused at once, and no line after it is taken for the block's.
    ana.writeAll([`@block=${BLOCK.maxLines + 1}`, "one", "two"].map((l) => `${l}\n`));
    expect(parseTagged(await ana.next()).text).toBe(
      `! block too long (at most ${BLOCK.maxLines} lines, ${BLOCK.maxBytes} bytes): not sent`,
    );
    expect(await bob.next()).toBe("<ana> one");
    expect(await bob.next()).toBe("<ana> two");
  });

  test("`@block=N` from an nc user (version 1) is a line of text", async () => {
    const server = serve();
    const ana = await join(server, "ana");
    const bob = await join(server, "bob");
    await ana.until((l) => l === "* bob joined");
    ana.writeAll(["@block=2\n", "a\n", "b\n"]);
    expect(await bob.next()).toBe("<ana> @block=2");
    expect(await bob.next()).toBe("<ana> a");
    expect(await bob.next()).toBe("<ana> b");
  });

  test("flood control counts a block of 30 short lines as about one message", async () => {
    const server = serve({ rateLimit: 10, rateBurst: 20 });
    const ana = await joinV2(server, "ana");
    const bob = await join(server, "bob");
    await ana.until((l) => l.endsWith("* bob joined"));
    ana.writeAll([...encodeBlock(CODE), ...encodeBlock(CODE)].map((l) => `${l}\n`));
    for (const line of [...v1Lines("ana", CODE), ...v1Lines("ana", CODE)])
      expect(await bob.next()).toBe(line);
    expect(await ana.quiet(100)).toEqual([]);
  });

  test("flood control charges a long block by its size", async () => {
    const server = serve({ rateLimit: 1, rateBurst: 20 });
    const ana = await joinV2(server, "ana");
    const bob = await join(server, "bob");
    await ana.until((l) => l.endsWith("* bob joined"));
    // 100 lines, 16 KiB: 1 token and 14 more for its size; 10 lines after it are over the burst.
    const big = Array.from({ length: BLOCK.maxLines }, (_, i) => `${i}`.padEnd(160, "."));
    const after = Array.from({ length: 10 }, (_, i) => `after ${i}`);
    ana.writeAll([...encodeBlock(big), ...after].map((l) => `${l}\n`));
    expect(parseTagged(await ana.next()).tags.ev).toBe("slowDown");
    expect(await bob.next()).toBe(`<ana> | ${big[0]}`);
  });

  test("over a WebSocket, a block in one frame (what the page sends)", async () => {
    const server = serve({ web: true, webPort: 0 });
    const ana = await joinV2(server, "ana", "websocket");
    const bob = await join(server, "bob");
    await ana.until((l) => l.endsWith("* bob joined"));
    ana.write(encodeBlock(CODE).join("\n"));
    for (const line of v1Lines("ana", CODE)) expect(await bob.next()).toBe(line);
  });

  test("history replays a block as one entry", async () => {
    const server = serve({ historyLines: 2 });
    const ana = await joinV2(server, "ana");
    const watcher = await join(server, "watcher");
    ana.send("first");
    ana.writeAll(encodeBlock(CODE).map((l) => `${l}\n`));
    ana.send("last");
    // Said once a reader has read it: it is in the history.
    await watcher.until((l) => l === "<ana> last");
    const bob = await join(server, "bob");
    const lines = [...v1Lines("ana", CODE), "<ana> last"];
    for (const line of lines)
      expect((await bob.next()).replace(/^\[history \d\d:\d\d\] /, "")).toBe(line);
    const cy = await joinV2(server, "cy");
    const block = await nextBlock(cy);
    expect(block.tags.kind).toBe("history");
    expect(block.lines).toEqual(CODE);
  });
});
