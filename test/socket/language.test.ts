/**
 * Portuguese, complete, as `nc` reads it: the greeting names the room's
 * language (and protocol version 2 says it in tags), removals worded without
 * anyone's gender, the commands' placeholders and the member count in
 * Portuguese, and the limits line in plain words in both languages, its
 * numbers in the tags for papo's clients.
 */

import { describe, expect, test } from "bun:test";
import { parseTagged } from "../../src/protocol/tags.ts";
import { connect } from "../support/lineclient.ts";
import { joinFrom } from "../support/netclient.ts";
import { serve } from "../support/server.ts";

/** Arrive and choose `name`; the lines up to and including the limits line are read. */
async function member(port: number, name: string) {
  const c = await connect(port);
  await c.next();
  c.send(name);
  await c.until((l) => l.startsWith("* limits: ") || l.startsWith("* limites: "));
  return c;
}

describe("the greeting says the room's language", () => {
  test("in English and in Portuguese, with and without a room password", async () => {
    const cases = [
      [{}, "* welcome to papo! this room speaks English. what is your name?"],
      [
        { lang: "pt" as const },
        "* boas-vindas ao papo! esta sala fala português. qual é o seu nome?",
      ],
      [
        { roomPassword: "x" },
        "* welcome to papo! this room speaks English and has a password: send it first, then your name",
      ],
      [
        { lang: "pt" as const, roomPassword: "x" },
        "* boas-vindas ao papo! esta sala fala português e tem senha: envie a senha primeiro, depois o seu nome",
      ],
    ] as const;
    for (const [config, greeting] of cases) {
      const c = await connect(serve(config).port);
      expect(await c.next()).toBe(greeting);
    }
  });

  test("version 2: the CAP answer carries the room's language, the /lang answer the new one", async () => {
    const c = await connect(serve({ lang: "pt" }).port);
    expect(await c.next()).toStartWith("* boas-vindas ao papo!");
    c.send("CAP papo/2");
    const cap = parseTagged(await c.next()).tags;
    expect(cap.lang).toBe("pt");
    c.send("/lang en");
    const answer = parseTagged(await c.next());
    expect(answer.tags).toMatchObject({ kind: "reply", ev: "language", lang: "en" });
    expect(answer.text).toBe("* language: English");
  });
});

describe("Portuguese without English left in it", () => {
  test("a kick and a ban are worded without anyone's gender; English keeps its sentences", async () => {
    const server = serve({ lang: "pt", opPassword: "pw" });
    const prof = await member(server.port, "prof");
    prof.send("/op pw");
    await prof.until((l) => l === "* agora você tem poderes de operador");
    const maria = await member(server.port, "maria");
    // From another address: nobody bans their own.
    const jo = await joinFrom(server.port, "jo", "127.0.0.2", false);
    await jo.next();
    jo.send("jo");
    await jo.until((l) => l.startsWith("* limites: "));
    const english = await member(server.port, "ed");
    english.send("/lang en");
    await english.until((l) => l === "* language: English");
    prof.send("/kick maria calma");
    expect(await jo.until((l) => l.includes("maria"))).toBe("* prof expulsou maria (calma)");
    expect(await maria.until((l) => l.includes("expulsou"))).toBe("* prof expulsou maria (calma)");
    expect(await english.until((l) => l.includes("maria"))).toBe(
      "* maria was kicked by prof (calma)",
    );
    prof.send("/ban jo");
    expect(await prof.until((l) => l.includes("baniu"))).toBe("* prof baniu jo");
    expect(await english.until((l) => l.includes("banned"))).toBe("* jo was banned by prof");
    const again = await joinFrom(server.port, "jo", "127.0.0.2", false);
    expect(await again.next()).toBe("! o seu endereço foi banido desta sala");
  });

  test("/help and usage errors name their placeholders in Portuguese; /who counts who is in the room", async () => {
    const server = serve({ lang: "pt", opPassword: "pw" });
    const ana = await member(server.port, "ana");
    ana.send("/me");
    expect(await ana.next()).toBe("! uso: /me AÇÃO");
    ana.send("/nick");
    expect(await ana.next()).toBe("! uso: /nick NOME");
    ana.send("/op pw");
    await ana.until((l) => l === "* agora você tem poderes de operador");
    ana.send("/help");
    const help = [await ana.next()];
    while (!help.at(-1)?.includes("//TEXTO")) help.push(await ana.next());
    expect(help).toContainEqual(expect.stringMatching(/^\* {3}\/nick NOME +muda o seu nome$/));
    expect(help).toContainEqual(expect.stringMatching(/^\* {3}\/kick NOME \[MOTIVO\] +tira/));
    expect(help).toContainEqual(expect.stringMatching(/^\* {3}\/unban NOME\|ENDEREÇO +/));
    // The usage column: every placeholder in Portuguese.
    const usages = help.slice(1).map((line) => line.slice(0, 27));
    expect(usages.join("\n")).not.toMatch(
      /\b(NAME|ACTION|TEXT|REASON|PASSWORD|ADDRESS|MINUTES|SECONDS)\b/,
    );
    await member(server.port, "bia");
    ana.send("/who");
    expect(await ana.until((l) => l.startsWith("* na sala"))).toBe("* na sala (2): @ana, bia");
  });
});

describe("the limits line, plainly", () => {
  test("in both languages, with and without flood control; the numbers travel in tags", async () => {
    const cases = [
      [
        { rateLimit: 10, rateBurst: 20 },
        "* limits: a line can be up to 4096 characters long (accented letters and emoji count as two or more); you can send 20 lines at once, then 10 a second: faster lines wait their turn, none are lost",
      ],
      [
        { rateLimit: 0 },
        "* limits: a line can be up to 4096 characters long (accented letters and emoji count as two or more); send as many lines as you like",
      ],
      [
        { lang: "pt" as const, rateLimit: 10, rateBurst: 20 },
        "* limites: uma linha pode ter até 4096 caracteres (letras acentuadas e emoji contam como dois ou mais); você pode enviar 20 linhas de uma vez, depois 10 por segundo: as que vierem mais rápido esperam a vez, nenhuma se perde",
      ],
      [
        { lang: "pt" as const, rateLimit: 0 },
        "* limites: uma linha pode ter até 4096 caracteres (letras acentuadas e emoji contam como dois ou mais); envie quantas linhas quiser",
      ],
    ] as const;
    for (const [config, limits] of cases) {
      const c = await connect(serve(config).port);
      await c.next();
      c.send("ana");
      await c.next();
      expect(await c.next()).toBe(limits);
    }
    // papo's clients read the numbers, never the sentence.
    const v2 = await connect(serve({ rateLimit: 10, rateBurst: 20 }).port);
    await v2.next();
    v2.send("CAP papo/2");
    expect(parseTagged(await v2.next()).tags).toMatchObject({
      "max-line": "4096",
      rate: "10",
      burst: "20",
    });
    v2.send("ana");
    await v2.next();
    expect(parseTagged(await v2.next()).tags).toMatchObject({
      ev: "limits",
      args: "[4096,10,20]",
    });
  });
});
