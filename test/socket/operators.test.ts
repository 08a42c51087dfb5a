/**
 * The teacher stays the teacher: names kept for operators (--op-names, and
 * every name that became an operator's), asked for with the operator
 * password at the door, kept across restarts with the room; operators
 * marked "@" in /who and `op` on their lines in protocol version 2, while
 * the line `nc` users read keeps its shape.
 */

import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTagged } from "../../src/protocol/tags.ts";
import { runServer } from "../support/cli.ts";
import { arrive, join as joinAs, serve } from "../support/server.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

test("a name in --op-names asks for the operator password: wrong, told and choose again; right, an operator", async () => {
  const server = serve({ opPassword: "s3nha", opNames: "prof,professora" });
  const fake = await arrive(server);
  fake.send("prof");
  expect(await fake.next()).toBe(
    "* prof is kept for an operator: send the operator password (or another name after it)",
  );
  fake.send("guess");
  expect(await fake.next()).toBe("! wrong password");
  // Any spelling of it is the same name.
  fake.send("PROF");
  expect(await fake.next()).toContain("PROF is kept for an operator");
  fake.send("nope");
  expect(await fake.next()).toBe("! wrong password");
  fake.send("bea");
  expect(await fake.next()).toStartWith("* hello bea!");
  const teacher = await arrive(server);
  teacher.send("prof");
  await teacher.next();
  teacher.send("s3nha");
  expect(await teacher.next()).toStartWith("* hello prof!");
  expect(await teacher.until((l) => l.startsWith("* you are now"))).toBe(
    "* you are now an operator",
  );
  teacher.send("/kick bea");
  expect(await fake.until((l) => l.includes("kicked"))).toContain("bea was kicked by prof");
});

test("a name that became an operator's is kept: after it leaves, nobody else can take it", async () => {
  const server = serve({ opPassword: "pw" });
  const ana = await joinAs(server, "ana");
  ana.send("/op pw");
  await ana.until((l) => l === "* you are now an operator");
  ana.send("/quit");
  await ana.closed;
  const other = await arrive(server);
  other.send("ana");
  expect(await other.next()).toContain("ana is kept for an operator");
  // And a member cannot become it with /nick either.
  const bob = await joinAs(server, "bob");
  bob.send("/nick ana");
  expect(await bob.next()).toBe("! ana is kept for an operator");
});

test("operators are marked: @ in /who, op on their lines in version 2; the plain line keeps its shape", async () => {
  const server = serve({ opPassword: "pw" });
  const prof = await joinAs(server, "prof");
  prof.send("/op pw");
  await prof.until((l) => l === "* you are now an operator");
  const plain = await joinAs(server, "bea");
  const v2 = await arrive(server);
  v2.send("CAP papo/2");
  await v2.next();
  v2.send("cy");
  await v2.until((l) => l.includes("ev=limits"));
  prof.send("attention please");
  plain.send("hello");
  expect(await plain.until((l) => l.startsWith("<prof>"))).toBe("<prof> attention please");
  const fromProf = parseTagged(await v2.until((l) => l.endsWith("<prof> attention please")));
  expect(fromProf.tags.op).toBe("");
  const fromBea = parseTagged(await v2.until((l) => l.endsWith("<bea> hello")));
  expect(fromBea.tags.op).toBeUndefined();
  plain.send("/who");
  expect(await plain.until((l) => l.startsWith("* online"))).toBe("* online (3): @prof, bea, cy");
});

test("names kept for operators are kept with the room across a restart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "papo-ops-"));
  dirs.push(dir);
  let server = serve({ opPassword: "pw", dataDir: dir });
  const ana = await joinAs(server, "ana");
  ana.send("/op pw");
  await ana.until((l) => l === "* you are now an operator");
  await server.stop();
  server = serve({ opPassword: "pw", dataDir: dir });
  const other = await arrive(server);
  other.send("ana");
  expect(await other.next()).toContain("ana is kept for an operator");
  other.send("pw");
  expect(await other.next()).toStartWith("* hello ana!");
});

test("--op-names without an operator password, or with a name papo refuses: one sentence", async () => {
  const none = await runServer(["--port", "0", "--no-web", "--op-names", "prof"]);
  expect(none.code).toBe(1);
  expect(none.stderr).toBe(
    "papo: --op-names needs an operator password (--op-password, or PAPO_OP_PASSWORD)\n",
  );
  const bad = await runServer([
    ...["--port", "0", "--no-web", "--op-password", "x", "--op-names", "prof,a b"],
  ]);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toBe('papo: --op-names: "a b" is not a name papo accepts\n');
});
