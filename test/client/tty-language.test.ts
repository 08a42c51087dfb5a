/**
 * The terminal client's language (tmux, see tmux.ts): with a locale that
 * names no language (C.UTF-8, or none, as on Windows) it speaks the room's,
 * told by the greeting, its own words too; /lang switches them with the
 * server's; a locale or --lang that names a language is kept in any room.
 */

import { afterAll, describe, expect, test } from "bun:test";
import { SERVER_DEFAULTS, type ServerConfig } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { lastLine, SKIP_TMUX, Tmux } from "./tmux.ts";

const tmux = new Tmux();
const servers = new Set<RunningServer>();

function room(more: Partial<ServerConfig> = {}): RunningServer {
  const server = startServer({
    ...SERVER_DEFAULTS,
    web: false,
    port: 0,
    quiet: true,
    historyLines: 0,
    ...more,
  });
  servers.add(server);
  return server;
}

/**
 * Type /help and wait for the server's list (its last command, "//TEXT" in
 * its language) and the client's own key help (its last key, `lastKey`).
 */
async function help(session: string, lastKey: string, slash: string): Promise<string[]> {
  tmux.type(session, "/help");
  tmux.keys(session, "Enter");
  return tmux.waitFor(
    session,
    (l) => l.some((line) => line.startsWith(lastKey)) && l.some((line) => line.includes(slash)),
  );
}

describe.skipIf(SKIP_TMUX)("the terminal client's language (tmux)", () => {
  afterAll(async () => {
    tmux.kill();
    await Promise.all([...servers].map((s) => s.stop()));
  });

  test("C.UTF-8 in a Portuguese room: Portuguese throughout, the client's own lines too", async () => {
    const server = room({ lang: "pt" });
    // Tall enough for the whole /help on one screen.
    tmux.start("pt", { args: ["--port", String(server.port)], rows: 50 });
    const asked = await tmux.waitForLast("pt", "Nome de usuário:");
    expect(asked).toContainEqual(
      expect.stringMatching(
        /^\d\d:\d\d \* boas-vindas ao papo! esta sala fala português\. qual é o seu nome\?$/,
      ),
    );
    tmux.type("pt", "ana");
    tmux.keys("pt", "Enter");
    await tmux.waitForLast("pt", "ana>");
    const shown = await help("pt", "  Ctrl-Z           suspende", "//TEXTO");
    expect(shown).toContainEqual(expect.stringMatching(/^\d\d:\d\d \* {3}\/nick NOME +muda/));
    expect(shown).toContain("teclas:");
    expect(shown).toContain("  Ctrl-D           sai, com a linha vazia (o mesmo que /quit)");
    await server.stop();
    const down = await tmux.waitFor("pt", (l) => lastLine(l).startsWith("reconectando em"));
    expect(down).toContain(
      "Desconectado: servidor desligando. Reconectando (Ctrl-C para desistir).",
    );
    expect(lastLine(down)).toMatch(/^reconectando em \d+ s… ana>$/);
    tmux.keys("pt", "C-c");
    expect(await tmux.exited("pt")).toBe(2);
  }, 15_000);

  test("/lang pt in an English room: the key help follows the server's lines", async () => {
    const server = room();
    tmux.start("switch", { args: ["--port", String(server.port), "--name", "bo"], rows: 50 });
    await tmux.waitForLast("switch", "bo>");
    tmux.type("switch", "/lang pt");
    tmux.keys("switch", "Enter");
    await tmux.waitFor("switch", (l) => l.some((line) => line.endsWith("* idioma: português")));
    const shown = await help("switch", "  Ctrl-Z           suspende", "//TEXTO");
    expect(shown).toContain("  Ctrl-D           sai, com a linha vazia (o mesmo que /quit)");
    expect(shown.join("\n")).not.toContain("keys:");
    tmux.keys("switch", "C-c");
    expect(await tmux.exited("switch")).toBe(0);
  });

  test("a locale or --lang naming a language is kept in a room that speaks another", async () => {
    const server = room({ lang: "pt" });
    tmux.start("en", { args: ["--port", String(server.port)], env: { LANG: "en_US.UTF-8" } });
    await tmux.waitForLast("en", "Username:");
    tmux.type("en", "cy");
    tmux.keys("en", "Enter");
    const joined = await tmux.waitForLast("en", "cy>");
    expect(joined).toContainEqual(
      expect.stringMatching(/^\d\d:\d\d \* hello cy! 1 online: cy \(type \/help for commands\)$/),
    );
    tmux.start("flag", {
      args: ["--port", String(server.port), "--lang", "en", "--name", "di"],
      rows: 50,
    });
    await tmux.waitForLast("flag", "di>");
    const shown = await help("flag", "  Ctrl-Z           suspend", "//TEXT ");
    expect(shown).toContain("  Ctrl-D           leave, on an empty line (same as /quit)");
    tmux.keys("en", "C-c");
    tmux.keys("flag", "C-c");
    expect(await tmux.exited("en")).toBe(0);
    expect(await tmux.exited("flag")).toBe(0);
  }, 15_000);
});
