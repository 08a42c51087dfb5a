/** session/block.ts: a member's block gathered line by line, its limits, and a ``` block left open. */

import { describe, expect, test } from "bun:test";
import { encodeBlock } from "../../../src/protocol/block.ts";
import { BLOCK } from "../../../src/protocol/limits.ts";
import { SERVER_TEXT } from "../../../src/protocol/messages.ts";
import { parseTagged } from "../../../src/protocol/tags.ts";
import type { Context } from "../../../src/server/session/context.ts";
import { contextPerTest, type FakeClient, join, open } from "../../support/fakes.ts";

const en = SERVER_TEXT.en;
const setup = contextPerTest();

/** A member that asked for version 2, as papo's clients do: the only ones whose `@block=N` is a block. */
function joinV2(ctx: Context, name: string): FakeClient {
  const c = open(ctx, { address: `10.9.0.${name.length}` });
  c.say("CAP papo/2", name);
  c.read();
  if (c.client.phase !== "joined") throw new Error(`${name} did not join`);
  return c;
}

/** What a v2 member read, without the tags. */
const texts = (c: FakeClient): string[] => c.read().map((l) => parseTagged(l).text);

describe("a block", () => {
  test("is one line of the room's log and one entry of its history", () => {
    const c = setup({ historyLines: 10 });
    const ana = joinV2(c, "ana");
    const bob = join(c, "bob");
    ana.read();
    const before = c.room.log.next;
    ana.say(...encodeBlock(["a", "", "  b"]));
    expect(bob.read()).toEqual(["<ana> | a", "<ana> |", "<ana> |   b"]);
    expect(c.room.history().map((s) => s.line)).toEqual(["<ana> | a\n<ana> |\n<ana> |   b"]);
    expect(c.room.log.next).toBe(before + 1);
  });

  test("blank lines at its ends go; one line left is a message; none is nothing", () => {
    const c = setup();
    const ana = joinV2(c, "ana");
    const bob = join(c, "bob");
    ana.read();
    ana.say("```", "", "/not a command", "", "```");
    expect(bob.read()).toEqual(["<ana> /not a command"]);
    ana.say("```", "  ", "```", ...encodeBlock([]), "@block=0", "hi");
    expect(bob.read()).toEqual(["<ana> hi"]);
  });

  test("a muted member's block is refused as its message would be", () => {
    const c = setup();
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    ana.read();
    c.room.moderation.mute("ana");
    ana.say("```", "a", "b", "```");
    expect(ana.read()).toEqual([en.mutedYou()]);
    expect(bob.read()).toEqual([]);
  });

  test("a line over the line limit spoils its block, which is still read to its end", () => {
    const c = setup({ maxLineBytes: 10 });
    const ana = joinV2(c, "ana");
    const bob = join(c, "bob");
    ana.read();
    ana.say("@block=3", "ok", "x".repeat(20), "ok", "after");
    expect(texts(ana)).toEqual([en.blockLineTooLong()]);
    expect(bob.read()).toEqual(["<ana> after"]);
  });

  test("a ``` block left open past its time is dropped with one line; the next line is read as usual", () => {
    let now = 1_000_000;
    const c = setup({}, { clock: () => now });
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    ana.read();
    ana.say("```", "forgot to close");
    now += BLOCK.openMs + 1;
    ana.say("hello again");
    expect(ana.read()).toEqual([en.blockExpired(BLOCK.openMs / 60_000)]);
    expect(bob.read()).toEqual(["<ana> hello again"]);
    // Long after, a line of ``` opens a block again.
    now += BLOCK.openMs + 1;
    ana.say("```", "a", "b", "```");
    expect(bob.read()).toEqual(["<ana> | a", "<ana> | b"]);
  });

  test("after a ``` block timed out, its own closing line opens no block unseen", () => {
    let now = 1_000_000;
    const c = setup({}, { clock: () => now });
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    ana.read();
    ana.say("```", "slow paste");
    now += BLOCK.openMs + 1;
    // The rest of what was typed for the block, then its closing line, then chat.
    ana.say("more", "still more", "```", "after", "and after");
    const expired = en.blockExpired(BLOCK.openMs / 60_000);
    // Told when the timeout is found, and again for the ``` that closed nothing.
    expect(ana.read()).toEqual([expired, expired]);
    expect(bob.read()).toEqual([
      "<ana> more",
      "<ana> still more",
      "<ana> after",
      "<ana> and after",
    ]);
    // A ```lang line still opens a block meanwhile, and a later ``` closes it.
    ana.say("```", "x");
    now += BLOCK.openMs + 1;
    ana.say("y");
    ana.read();
    ana.say("```ts", "a", "b", "```", "done");
    expect(bob.read()).toEqual(["<ana> y", "<ana> | a", "<ana> | b", "<ana> done"]);
  });

  test("a counted block times out too, and its late lines are read as usual", () => {
    let now = 1_000_000;
    const c = setup({}, { clock: () => now });
    const ana = joinV2(c, "ana");
    const bob = join(c, "bob");
    ana.read();
    ana.say("@block=50", "only one");
    now += BLOCK.openMs + 1;
    ana.say("hello");
    expect(texts(ana)).toEqual([en.blockExpired(BLOCK.openMs / 60_000)]);
    expect(bob.read()).toEqual(["<ana> hello"]);
  });
});

describe("a block's header", () => {
  test("is text from a member that did not ask for version 2 (nc)", () => {
    const c = setup();
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    ana.read();
    ana.say("@block=2", "a", "b");
    expect(bob.read()).toEqual(["<ana> @block=2", "<ana> a", "<ana> b"]);
    expect(ana.read()).toEqual([]);
  });

  test("over the line limit is refused at once, and the lines after it are read as usual", () => {
    const c = setup();
    const ana = joinV2(c, "ana");
    const bob = join(c, "bob");
    ana.read();
    ana.say(`@block=${BLOCK.maxLines + 1}`, "a", "b");
    expect(texts(ana)).toEqual([en.blockTooLong(BLOCK.maxLines, BLOCK.maxBytes, false)]);
    expect(bob.read()).toEqual(["<ana> a", "<ana> b"]);
  });

  test("a one-line counted block is an ordinary message: how clients send a typed `@block=N`", () => {
    const c = setup();
    const ana = joinV2(c, "ana");
    const bob = join(c, "bob");
    ana.read();
    ana.say(...encodeBlock(["@block=3"]), "after");
    expect(bob.read()).toEqual(["<ana> @block=3", "<ana> after"]);
  });
});
