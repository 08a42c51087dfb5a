/**
 * A class's moderation over real sockets: /mute and /unmute (with and
 * without minutes), slow mode, quiet mode, each announced in both languages
 * and refused with one line saying why and for how long; operators never
 * limited; members refused the commands; kept across a restart with the
 * room's store; and the v2 tags a client reads them by.
 */

import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTagged } from "../../src/protocol/tags.ts";
import type { LineClient } from "../support/lineclient.ts";
import { arrive, join as joinAs, serve } from "../support/server.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

type Listening = Parameters<typeof joinAs>[0];

/** `name` as an operator of `server`. */
async function operator(server: Listening, name = "prof"): Promise<LineClient> {
  const op = await joinAs(server, name);
  op.send("/op pw");
  await op.until((l) => l === "* you are now an operator");
  return op;
}

/** The next chat line `reader` gets is `line`: what was refused before it never came. */
async function nextChat(reader: LineClient, line: string): Promise<void> {
  expect(await reader.until((l) => l.startsWith("<"))).toBe(line);
}

test("/mute: announced in both languages; the member reads but cannot speak; /unmute gives the voice back", async () => {
  const server = serve({ opPassword: "pw" });
  const prof = await operator(server);
  const bob = await joinAs(server, "bob");
  const ana = await joinAs(server, "ana");
  ana.send("/lang pt");
  await ana.until((l) => l === "* idioma: português");
  prof.send("/mute bob");
  expect(await bob.until((l) => l.includes("muted"))).toBe("* prof muted bob");
  expect(await ana.until((l) => l.includes("silenciou"))).toBe("* prof silenciou bob");
  bob.send("hello?");
  expect(await bob.next()).toBe("! you are muted: you read but cannot speak");
  bob.send("/me waves");
  expect(await bob.next()).toBe("! you are muted: you read but cannot speak");
  // It still reads the room.
  prof.send("you read me");
  await nextChat(bob, "<prof> you read me");
  await nextChat(ana, "<prof> you read me");
  bob.send("/lang pt");
  await bob.until((l) => l === "* idioma: português");
  bob.send("ainda?");
  expect(await bob.next()).toBe("! sua voz está suspensa: você lê, mas não fala");
  prof.send("/unmute BOB");
  expect(await ana.until((l) => l.includes("voz"))).toBe("* prof devolveu a voz a bob");
  expect(await prof.until((l) => l.includes("unmuted"))).toBe("* prof unmuted bob");
  bob.send("obrigado");
  await nextChat(ana, "<bob> obrigado");
  prof.send("/unmute bob");
  expect(await prof.until((l) => l.startsWith("!"))).toBe("! not muted: bob");
});

test("/mute NAME MINUTES ends on its own; the refusal says how long is left", async () => {
  const server = serve({ opPassword: "pw" });
  const prof = await operator(server);
  const bob = await joinAs(server, "bob");
  prof.send("/mute bob 10");
  expect(await bob.until((l) => l.includes("muted"))).toBe("* prof muted bob for 10 min");
  bob.send("hi");
  expect(await bob.next()).toBe("! you are muted for 10 min more: you read but cannot speak");
  // 0.005 minutes: 300 ms.
  prof.send("/mute bob 0.005");
  expect(await bob.until((l) => l.includes("muted"))).toBe("* prof muted bob for 1 s");
  bob.send("now?");
  expect(await bob.next()).toBe("! you are muted for 1 s more: you read but cannot speak");
  await Bun.sleep(350);
  bob.send("free again");
  await nextChat(prof, "<bob> free again");
});

test("a muted member cannot rename itself nor leave words behind; /msg reaches an operator only", async () => {
  const server = serve({ opPassword: "pw" });
  const prof = await operator(server);
  const bob = await joinAs(server, "bob");
  const cy = await joinAs(server, "cy");
  prof.send("/mute bob");
  await bob.until((l) => l.includes("muted"));
  bob.send("/nick the_teacher_is_wrong");
  expect(await bob.next()).toBe("! no new name while you cannot speak");
  bob.send("escaped?");
  expect(await bob.next()).toBe("! you are muted: you read but cannot speak");
  bob.send("/msg cy psst");
  expect(await bob.next()).toBe("! you are muted: you read but cannot speak");
  bob.send("/msg prof may I speak?");
  expect(await prof.until((l) => l.startsWith("[private]"))).toBe("[private] <bob> may I speak?");
  // Operators are never muted: a /mute of one says so and changes nothing.
  prof.send("/mute prof");
  expect(await prof.next()).toBe("! prof is an operator: operators are never muted");
  prof.send("/mute bob 20000");
  expect(await prof.next()).toBe("! a mute lasts at most 10080 minutes (a week)");
  bob.send("/quit everyone go home");
  expect(await cy.until((l) => l.startsWith("* bob"))).toBe("* bob left");
  cy.send("marker");
  await nextChat(prof, "<cy> marker");
});

test("under quiet mode a member's /nick is refused (in Portuguese too); slow mode allows it", async () => {
  const server = serve({ opPassword: "pw" });
  const prof = await operator(server);
  const ana = await joinAs(server, "ana");
  ana.send("/lang pt");
  await ana.until((l) => l === "* idioma: português");
  prof.send("/quiet");
  await ana.until((l) => l.includes("silêncio"));
  ana.send("/nick anna");
  expect(await ana.next()).toBe("! não dá para trocar de nome enquanto você não pode falar");
  prof.send("/slow 99999");
  expect(await prof.until((l) => l.startsWith("! "))).toBe(
    "! slow mode asks at most 3600 s between lines (an hour)",
  );
  prof.send("/quiet off");
  prof.send("/slow 30");
  await ana.until((l) => l.includes("modo lento"));
  ana.send("/nick anna");
  expect(await ana.until((l) => l.includes("anna"))).toContain("anna");
});

test("slow mode: one line per N seconds, the refusal says how long to wait; /slow 0 ends it", async () => {
  const server = serve({ opPassword: "pw" });
  const prof = await operator(server);
  const bob = await joinAs(server, "bob");
  const ana = await joinAs(server, "ana");
  ana.send("/lang pt");
  await ana.until((l) => l === "* idioma: português");
  prof.send("/slow 5");
  expect(await bob.until((l) => l.includes("slow mode"))).toBe(
    "* prof turned slow mode on: one line every 5 s each",
  );
  expect(await ana.until((l) => l.includes("modo lento"))).toBe(
    "* prof ligou o modo lento: uma linha a cada 5 s por pessoa",
  );
  bob.send("first");
  await nextChat(prof, "<bob> first");
  bob.send("second");
  expect(await bob.next()).toBe("! slow mode: wait 5 s");
  ana.send("um");
  ana.send("dois");
  expect(await ana.until((l) => l.startsWith("!"))).toBe("! modo lento: espere 5 s");
  // Operators are never slowed.
  prof.send("one");
  prof.send("two");
  await nextChat(bob, "<ana> um");
  await nextChat(bob, "<prof> one");
  await nextChat(bob, "<prof> two");
  prof.send("/slow 0");
  expect(await bob.until((l) => l.includes("slow mode"))).toBe("* prof turned slow mode off");
  expect(await ana.until((l) => l.includes("modo lento"))).toBe("* prof desligou o modo lento");
  bob.send("third");
  bob.send("fourth");
  await prof.until((l) => l === "<bob> third");
  await nextChat(prof, "<bob> fourth");
});

test("quiet mode: only operators speak until /quiet off", async () => {
  const server = serve({ opPassword: "pw" });
  const prof = await operator(server);
  const bob = await joinAs(server, "bob");
  const ana = await joinAs(server, "ana");
  ana.send("/lang pt");
  await ana.until((l) => l === "* idioma: português");
  prof.send("/quiet");
  expect(await bob.until((l) => l.includes("quiet"))).toBe(
    "* prof turned quiet mode on: only operators may speak",
  );
  expect(await ana.until((l) => l.includes("silêncio"))).toBe(
    "* prof ligou o modo silêncio: só operadores falam",
  );
  bob.send("can I?");
  expect(await bob.next()).toBe("! quiet mode: only operators may speak now");
  ana.send("/me acena");
  expect(await ana.next()).toBe("! modo silêncio: agora só operadores falam");
  prof.send("exam starts");
  await nextChat(bob, "<prof> exam starts");
  prof.send("/quiet off");
  expect(await bob.until((l) => l.includes("quiet"))).toBe(
    "* prof turned quiet mode off: everyone may speak",
  );
  expect(await ana.until((l) => l.includes("silêncio"))).toBe(
    "* prof desligou o modo silêncio: todo mundo pode falar",
  );
  bob.send("done");
  await nextChat(prof, "<bob> done");
});

test("members may not moderate; usage for what is not a command's shape; /help lists them for operators", async () => {
  const server = serve({ opPassword: "pw" });
  const prof = await operator(server);
  const bob = await joinAs(server, "bob");
  for (const line of ["/mute prof", "/unmute prof", "/slow 3", "/quiet"]) {
    bob.send(line);
    expect(await bob.next()).toBe("! only operators can do that (see /op)");
  }
  bob.send("/lang pt");
  await bob.until((l) => l === "* idioma: português");
  bob.send("/quiet");
  expect(await bob.next()).toBe("! só operadores podem fazer isso (veja /op)");
  await prof.quiet(50);
  prof.send("/mute");
  expect(await prof.next()).toBe("! usage: /mute NAME [MINUTES]");
  prof.send("/mute bob soon");
  expect(await prof.next()).toBe("! usage: /mute NAME [MINUTES]");
  prof.send("/slow fast");
  expect(await prof.next()).toBe("! usage: /slow SECONDS");
  prof.send("/quiet please");
  expect(await prof.next()).toBe("! usage: /quiet [off]");
  prof.send("/mute nobody");
  expect(await prof.next()).toBe("! no such user: nobody");
  prof.send("/help");
  const help = [];
  for (let i = 0; i < 30; i++) {
    const line = await prof.next();
    help.push(line);
    if (line.includes("//TEXT")) break;
  }
  expect(help).toContain(
    "*   /mute NAME [MINUTES]   let someone read but not speak (for MINUTES) (operators)",
  );
  expect(help).toContain(
    "*   /quiet [off]           only operators speak (/quiet off ends it) (operators)",
  );
  bob.send("/help");
  const theirs = [];
  for (let i = 0; i < 30; i++) {
    const line = await bob.next();
    theirs.push(line);
    if (line.includes("//TEXT")) break;
  }
  expect(theirs.some((l) => l.includes("/mute"))).toBe(false);
});

test("mutes, slow mode and quiet are kept with the room across a restart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "papo-moderation-"));
  dirs.push(dir);
  let server = serve({ opPassword: "pw", dataDir: dir });
  const prof = await operator(server);
  await joinAs(server, "bob");
  await joinAs(server, "cy");
  prof.send("/mute bob");
  prof.send("/mute cy 0.001");
  const mutedAt = Date.now();
  prof.send("/slow 30");
  prof.send("/quiet");
  await prof.until((l) => l.includes("quiet mode on"));
  await server.stop();
  server = serve({ opPassword: "pw", dataDir: dir });
  const bob = await joinAs(server, "bob");
  bob.send("back");
  expect(await bob.until((l) => l.startsWith("! "))).toBe(
    "! you are muted: you read but cannot speak",
  );
  const dee = await joinAs(server, "dee");
  dee.send("hi");
  expect(await dee.until((l) => l.startsWith("! "))).toBe(
    "! quiet mode: only operators may speak now",
  );
  // prof's name is kept for an operator: the password comes with it.
  const op = await arrive(server);
  op.send("prof");
  await op.next();
  op.send("pw");
  await op.until((l) => l === "* you are now an operator");
  op.send("/quiet off");
  await dee.until((l) => l.includes("quiet mode off"));
  dee.send("one");
  await nextChat(op, "<dee> one");
  dee.send("two");
  expect(await dee.next()).toBe("! slow mode: wait 30 s");
  // cy's mute was for 60 ms: once they have passed, it has ended.
  const cy = await joinAs(server, "cy");
  await Bun.sleep(Math.max(0, mutedAt + 80 - Date.now()));
  cy.send("free");
  await nextChat(op, "<cy> free");
});

test("version 2: refusals are ev=mutedYou/slowMode/quietMode with their args; notices carry theirs", async () => {
  const server = serve({ opPassword: "pw" });
  const prof = await operator(server);
  const v2 = await arrive(server);
  v2.send("CAP papo/2");
  await v2.next();
  v2.send("cy");
  await v2.until((l) => l.includes("ev=limits"));
  prof.send("/slow 4");
  const on = parseTagged(await v2.until((l) => l.includes("ev=slowOn")));
  expect(on.tags.kind).toBe("notice");
  expect(on.tags.args).toBe('["prof",4]');
  v2.send("a");
  await nextChat(prof, "<cy> a");
  v2.send("b");
  const slow = parseTagged(await v2.next());
  expect(slow.tags.kind).toBe("reply");
  expect(slow.tags.ev).toBe("slowMode");
  const [ms] = JSON.parse(slow.tags.args ?? "[]") as number[];
  expect(ms).toBeGreaterThan(3000);
  expect(ms).toBeLessThanOrEqual(4000);
  expect(slow.text).toBe("! slow mode: wait 4 s");
  // The refused line itself, so that a client that sent more since gives back the right one.
  expect(slow.tags.unsaid).toBe("b");
  prof.send("/quiet");
  await v2.until((l) => l.includes("ev=quietOn"));
  v2.send("/me c");
  expect(parseTagged(await v2.next()).tags).toMatchObject({
    ev: "quietMode",
    args: "[]",
    unsaid: "/me c",
  });
  prof.send("/mute cy");
  expect(parseTagged(await v2.until((l) => l.includes("ev=muted"))).tags.args).toBe(
    '["cy","prof"]',
  );
  v2.send("c");
  expect(parseTagged(await v2.next()).tags).toMatchObject({ ev: "mutedYou", args: "[]" });
  prof.send("/mute cy 2");
  const muted = parseTagged(await v2.until((l) => l.includes("ev=muted")));
  expect(muted.tags.args).toBe('["cy","prof",2]');
  v2.send("d");
  const refusal = parseTagged(await v2.next());
  expect(refusal.tags.ev).toBe("mutedYou");
  expect(refusal.text).toBe("! you are muted for 2 min more: you read but cannot speak");
});

test("a newcomer is told the room's rules after the welcome (ev=roomModes), in its language", async () => {
  const server = serve({ opPassword: "pw" });
  const prof = await operator(server);
  const before = await joinAs(server, "bob");
  expect(await upToWho(before)).not.toContainEqual(expect.stringContaining("in this room now"));
  prof.send("/slow 10");
  await before.until((l) => l.includes("slow mode on"));
  prof.send("/quiet");
  await before.until((l) => l.includes("quiet mode on"));
  const late = await joinAs(server, "cy");
  expect(await late.until((l) => l.startsWith("* in this room now"))).toBe(
    "* in this room now: slow mode, one line every 10 s each; quiet mode, only operators may speak",
  );
  const v2 = await arrive(server);
  v2.send("CAP papo/2");
  await v2.next();
  v2.send("/lang pt");
  v2.send("di");
  const modes = parseTagged(await v2.until((l) => l.includes("ev=roomModes")));
  expect(modes.tags).toMatchObject({ kind: "reply", args: "[10,true]" });
  expect(modes.text).toBe(
    "* nesta sala agora: modo lento, uma linha a cada 10 s por pessoa; modo silêncio, só operadores falam",
  );
  prof.send("/slow 0");
  prof.send("/quiet off");
  await before.until((l) => l.includes("quiet mode off"));
  const after = await joinAs(server, "eva");
  expect(await upToWho(after)).not.toContainEqual(expect.stringContaining("in this room now"));
});

/** Every line `client` reads from now until the answer to a /who it sends. */
async function upToWho(client: LineClient): Promise<string[]> {
  const seen: string[] = [];
  client.send("/who");
  await client.until((l) => {
    seen.push(l);
    return l.startsWith("* online");
  });
  return seen;
}
