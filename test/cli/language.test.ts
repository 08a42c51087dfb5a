/**
 * The commands in the operator's language: --help of the server and the
 * client in English and Portuguese (--lang, else the locale), and the
 * server's console following --lang from the first line to the last.
 */

import { expect, test } from "bun:test";
import { runCli, spawnServer } from "../support/cli.ts";
import { connect } from "../support/lineclient.ts";

/** The test's environment with the locale set to `LANG` alone. */
function locale(LANG: string): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, LANG };
  delete env.LC_ALL;
  delete env.LC_MESSAGES;
  return env;
}

test("the server's --help in Portuguese with --lang pt or a Portuguese locale, else English", async () => {
  for (const [args, env] of [
    [["--help", "--lang", "pt"], locale("C.UTF-8")],
    [["--help"], locale("pt_BR.UTF-8")],
  ] as const) {
    const { code, stdout } = await runCli("server", [...args], env);
    expect(code).toBe(0);
    expect(stdout).toStartWith(
      "servidor de bate-papo papo\n\nuso: bun run server [opções]\n\nopções:\n",
    );
    expect(stdout).toMatch(/ {2}--port, -p N +porta TCP; 0 escolhe uma livre \(padrão 10101\)\n/);
    expect(stdout).toMatch(/ {2}--host VALOR +endereço em que escutar \(padrão /);
    expect(stdout).toMatch(/ {2}--help, -h +mostra esta ajuda\n/);
    expect(stdout).not.toContain("(default");
  }
  for (const [args, env] of [
    [["--help"], locale("C.UTF-8")],
    [["--help", "--lang", "en"], locale("pt_BR.UTF-8")],
  ] as const) {
    const { stdout } = await runCli("server", [...args], env);
    expect(stdout).toStartWith("papo chat server\n\nusage: bun run server [options]\n\noptions:\n");
    expect(stdout).toMatch(/ {2}--port, -p N +TCP port; 0 picks a free one \(default 10101\)\n/);
  }
});

test("the client's --help in Portuguese with --lang pt or a Portuguese locale, else English", async () => {
  const pt = await runCli("client", ["--help"], locale("pt_BR.UTF-8"));
  expect(pt.stdout).toStartWith("Uso: bun run client [opções]\n");
  const flag = await runCli("client", ["--help", "--lang", "pt"], locale("C.UTF-8"));
  expect(flag.stdout).toBe(pt.stdout);
  const en = await runCli("client", ["--help"], locale("C.UTF-8"));
  expect(en.stdout).toStartWith("Usage: bun run client [options]\n");
});

test("with --lang pt the server's console speaks Portuguese: listening, the log, shutting down", async () => {
  const server = await spawnServer(["--port", "0", "--no-web", "--lang", "pt"]);
  expect(server.output[0]).toBe(`papo escutando em 127.0.0.1:${server.port}`);
  const c = await connect(server.port);
  await c.next();
  c.send("ana");
  await c.next();
  c.send("/quit");
  await c.until((l) => l === "* tchau");
  server.proc.kill("SIGTERM");
  await server.ended;
  const events = server.output.map((line) => line.replace(/^\S+ \S+ \S+ /, ""));
  expect(events).toContain("conectou (tcp)");
  expect(events).toContain("ana entrou");
  expect(events).toContainEqual(expect.stringMatching(/^ana saiu \(/));
  expect(server.output).toContain("desligando");
});
