/** The page's pure parts: how a server line is presented, the page's language, the Origin rule. */

import { describe, expect, test } from "bun:test";
import { hostname, networkInterfaces } from "node:os";
import { gather } from "../../src/client/core/blocks.ts";
import { read } from "../../src/client/core/meaning.ts";
import { BlockReader } from "../../src/protocol/block.ts";
import { tagged } from "../../src/protocol/tags.ts";
import { hostOnly, knownHosts } from "../../src/server/transport/hosts.ts";
import { pageUrl, sameOrigin } from "../../src/server/transport/http.ts";
import { present } from "../../src/web/view.ts";
import { pageLang, WORDS } from "../../src/web/words.ts";
import { v2 } from "../client/v2.ts";

const at = new Date(2026, 11, 1, 9, 5);
const en = v2("en");
const pt = v2("pt");

describe("present", () => {
  test("chat, actions and private lines keep who spoke, with a stable colour", () => {
    const chat = present("<ana> hi bia", "bia", at);
    expect(chat).toMatchObject({
      kind: "chat",
      time: "09:05",
      name: "ana",
      text: "hi bia",
      attention: "mention",
    });
    expect(present("<ANA> again", "", at).color).toBe(chat.color);
    expect(present("* <ana> waves", "bia", at)).toMatchObject({
      kind: "action",
      action: true,
      text: "waves",
    });
    expect(present(read(en.reply("privateFrom", ["ana", "psst"])), "bia", at)).toMatchObject({
      kind: "private-from",
      tag: "[private]",
      name: "ana",
      attention: "private",
    });
    expect(present(read(pt.reply("privateTo", ["ana", "oi"])), "bia", at)).toMatchObject({
      kind: "private-to",
      name: "",
      text: "oi",
    });
  });

  test("the server's notices and errors are whole lines; replayed lines keep their day and time", () => {
    expect(present("* ana joined", "bia", at)).toMatchObject({
      kind: "notice",
      name: "",
      text: "* ana joined",
    });
    expect(present("! name taken: ana", "", at)).toMatchObject({
      kind: "error",
      text: "! name taken: ana",
    });
    const earlier = new Date(2026, 10, 30, 8, 59).toISOString();
    expect(present(read(en.history("ana", "earlier", 3, earlier)), "bia", at)).toMatchObject({
      kind: "history",
      time: "Nov 30 08:59",
      text: "earlier",
    });
    expect(present(read(pt.history("ana", "antes", 3, earlier)), "bia", at, "pt")).toMatchObject({
      time: "30 nov 08:59",
    });
    // A room line replayed after a reconnect: when it was said.
    const before = new Date(2026, 11, 1, 8, 30).toISOString();
    expect(present(read(en.chat("ana", "hi", 4, before)), "bia", at).time).toBe("08:30");
  });

  test("a line is sanitised before it is shown; markup stays text", () => {
    expect(present("<ana> \x1b[31mred\x1b[0m", "", at).text).toBe("red");
    expect(present("<ana> <img src=x onerror=alert(1)>", "", at).text).toBe(
      "<img src=x onerror=alert(1)>",
    );
    // Our own lines and someone else's name inside a word never ring.
    expect(present("<bia> bia here", "bia", at).attention).toBeNull();
    expect(present("<ana> biana", "bia", at).attention).toBeNull();
  });
});

describe("the page's language and words", () => {
  test("the first of pt and en the browser lists, none without either; both tables say everything", () => {
    expect(pageLang(["pt-BR", "en"])).toBe("pt");
    expect(pageLang(["fr-FR", "pt-PT"])).toBe("pt");
    expect(pageLang(["de", "en-GB"])).toBe("en");
    expect(pageLang(["fr-FR", "de"])).toBe("none");
    expect(pageLang([])).toBe("none");
    expect(Object.keys(WORDS.pt).sort()).toEqual(Object.keys(WORDS.en).sort());
  });
});

describe("the WebSocket's Origin", () => {
  test("only the page's own scheme, host and port; none at all is a program", () => {
    expect(sameOrigin("http://127.0.0.1:10102", "127.0.0.1:10102", false)).toBe(true);
    expect(sameOrigin("http://Chat.Example:80", "chat.example:80", false)).toBe(true);
    expect(sameOrigin("https://127.0.0.1:10102", "127.0.0.1:10102", false)).toBe(false);
    expect(sameOrigin("http://127.0.0.1:10102", "127.0.0.1:10102", true)).toBe(false);
    expect(sameOrigin("http://evil.example", "127.0.0.1:10102", false)).toBe(false);
    expect(sameOrigin("null", "127.0.0.1:10102", false)).toBe(false);
    expect(sameOrigin("http://127.0.0.1:10102", null, false)).toBe(false);
    expect(sameOrigin(null, "127.0.0.1:10102", false)).toBe(true);
  });

  test("the page's address brackets IPv6", () => {
    expect(pageUrl(false, "127.0.0.1", 10102)).toBe("http://127.0.0.1:10102/");
    expect(pageUrl(true, "::1", 8443)).toBe("https://[::1]:8443/");
  });
});

describe("the names a page may be reached by", () => {
  test("Host headers without their port, IPv6 in brackets", () => {
    expect(hostOnly("Example.org:10102")).toBe("example.org");
    expect(hostOnly("[::1]:10102")).toBe("::1");
    expect(hostOnly("::1")).toBe("::1");
    expect(hostOnly("localhost")).toBe("localhost");
  });

  test("loopback, the machine's name, the listening address, every interface on 0.0.0.0, and --web-hosts", () => {
    const one = knownHosts("192.168.1.20", " a.example, B.example ,");
    for (const h of ["localhost", "127.0.0.1", "::1", hostname().toLowerCase(), "192.168.1.20"]) {
      expect(one.has(h)).toBe(true);
    }
    expect(one.has("a.example") && one.has("b.example")).toBe(true);
    expect(one.has("evil.example")).toBe(false);
    const all = knownHosts("0.0.0.0", "");
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) expect(all.has(a.address.toLowerCase())).toBe(true);
    }
  });
});

describe("a block", () => {
  const time = new Date(2026, 11, 1, 9, 5).toISOString();
  /** A block's v2 lines as the server sends them, live or replayed from history. */
  const parts = (kind: string, from: string, lines: string[], op?: string) =>
    lines.map((line, i) => {
      const v1 = line === "" ? `<${from}> |` : `<${from}> | ${line}`;
      const history = kind === "history";
      const tags = { kind, pos: "ab.7", time, from, op, part: `${i + 1}/${lines.length}` };
      return tagged(history ? { ...tags, line: v1 } : tags, history ? `[history 09:05] ${v1}` : v1);
    });
  const gathered = (raw: string[]) => {
    const reader = new BlockReader();
    const out = raw.map((l) => gather(reader, read(l)));
    expect(out.slice(0, -1)).toEqual(raw.slice(0, -1).map(() => null));
    return out.at(-1) as NonNullable<(typeof out)[number]>;
  };

  test("live or from history, the same lines: indentation and blank lines kept", () => {
    const lines = ["def f(x):", "    return x", "", "print(f(1))"];
    const live = present(gathered(parts("chat", "ana", lines)), "bia", at);
    expect(live).toMatchObject({ kind: "chat", name: "ana", time: "09:05", attention: null });
    expect(live.block).toEqual(lines);
    const old = present(gathered(parts("history", "ana", lines)), "bia", at);
    expect(old.kind).toBe("history");
    expect(old.block).toEqual(lines);
    expect(present("<ana> hi", "", at).block).toBeNull();
  });

  test("a mention in any of its lines counts, but not in our own or from history", () => {
    const lines = ["# bia: look", "x = 1"];
    expect(present(gathered(parts("chat", "ana", lines)), "bia", at).attention).toBe("mention");
    expect(present(gathered(parts("chat", "bia", lines)), "bia", at).attention).toBeNull();
    expect(present(gathered(parts("history", "ana", lines)), "bia", at).attention).toBeNull();
  });

  test("an operator's block is marked op", () => {
    expect(present(gathered(parts("chat", "prof", ["a", "b"], "")), "", at).op).toBe(true);
  });
});

describe("an operator's lines", () => {
  test("are marked op (the page shows @NAME); others' are not", () => {
    expect(present(read("@kind=chat;from=prof;op= <prof> hi"), "", at)).toMatchObject({
      name: "prof",
      op: true,
    });
    expect(present(read("@kind=chat;from=bea <bea> hi"), "", at).op).toBe(false);
  });
});
