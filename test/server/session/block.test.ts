/** session/block.ts: a member's block gathered line by line, its limits, and a ``` block left open. */

import { describe, expect, test } from "bun:test";
import { encodeBlock } from "../../../src/protocol/block.ts";
import { BLOCK } from "../../../src/protocol/limits.ts";
import { SERVER_TEXT } from "../../../src/protocol/messages.ts";
import { contextPerTest, join } from "../../support/fakes.ts";

const en = SERVER_TEXT.en;
const setup = contextPerTest();

describe("a block", () => {
  test("is one line of the room's log and one entry of its history", () => {
    const c = setup({ historyLines: 10 });
    const ana = join(c, "ana");
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
    const ana = join(c, "ana");
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
    ana.say(...encodeBlock(["a", "b"]));
    expect(ana.read()).toEqual([en.mutedYou()]);
    expect(bob.read()).toEqual([]);
  });

  test("a line over the line limit spoils its block, which is still read to its end", () => {
    const c = setup({ maxLineBytes: 10 });
    const ana = join(c, "ana");
    const bob = join(c, "bob");
    ana.read();
    ana.say("@block=3", "ok", "x".repeat(20), "ok", "after");
    expect(ana.read()).toEqual([en.blockLineTooLong()]);
    expect(bob.read()).toEqual(["<ana> after"]);
  });

  test("a ``` block left open past its time is dropped with one line; the late line is read as usual", () => {
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
    // A closing line that comes too late closes nothing and is not said.
    ana.say("```", "x");
    now += BLOCK.openMs + 1;
    ana.say("```", "back");
    expect(bob.read()).toEqual(["<ana> back"]);
  });
});
