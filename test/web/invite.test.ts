/**
 * The invitation: the QR codes the server prints at start (cli/invite.ts),
 * and the page's /invite.svg and /invite.txt (server/transport/invite.ts),
 * served under the page's own Content-Security-Policy.
 */

import { describe, expect, test } from "bun:test";
import { encode } from "uqr";
import { inviteLines } from "../../src/cli/invite.ts";
import type { Interfaces } from "../../src/cli/lan.ts";
import { CONTENT_SECURITY_POLICY } from "../../src/server/transport/http.ts";
import { inviteUrl, qrLines, qrSvg } from "../../src/server/transport/invite.ts";
import { serve } from "../support/server.ts";

const CLASSROOM: Interfaces = {
  lo: [{ address: "127.0.0.1", family: "IPv4", internal: true }],
  wlan0: [{ address: "192.168.1.20", family: "IPv4", internal: false }],
  docker0: [{ address: "172.17.0.1", family: "IPv4", internal: false }],
};

describe("inviteLines", () => {
  test("every interface: a QR code for each address others can open", () => {
    const lines = inviteLines("0.0.0.0", CLASSROOM, false, { port: 10102 });
    const first = qrLines("http://192.168.1.20:10102/");
    const second = qrLines("http://172.17.0.1:10102/");
    expect(lines).toEqual([
      "scan to open http://192.168.1.20:10102/",
      ...first,
      "scan to open http://172.17.0.1:10102/",
      ...second,
    ]);
  });

  test("one address: its code, https with TLS; none for loopback or without the page", () => {
    expect(inviteLines("10.0.0.5", CLASSROOM, true, { port: 443 })[0]).toBe(
      "scan to open https://10.0.0.5:443/",
    );
    expect(inviteLines("127.0.0.1", CLASSROOM, false, { port: 10102 })).toEqual([]);
    expect(inviteLines("0.0.0.0", CLASSROOM, false, null)).toEqual([]);
  });

  test("on a terminal, white on black whatever the terminal's own colours", () => {
    const lines = inviteLines("10.0.0.5", CLASSROOM, false, { port: 80 }, true);
    const code = qrLines("http://10.0.0.5:80/");
    expect(lines.slice(1)).toEqual(code.map((line) => `\x1b[97;40m${line}\x1b[0m`));
  });
});

describe("the QR code", () => {
  test("in the terminal: two modules a line, light drawn, a quiet zone of two around it", () => {
    const url = "http://192.168.1.20:10102/";
    const { size } = encode(url, { border: 0 });
    const lines = qrLines(url);
    expect(lines).toHaveLength(Math.ceil((size + 4) / 2));
    for (const line of lines) expect([...line]).toHaveLength(size + 4);
    // Light is drawn (a dark terminal's text is light): the quiet zone is full blocks...
    expect(lines[0]).toBe("█".repeat(size + 4));
    // ...and the top-left finder's first two rows are dark over dark, then dark over light.
    expect([...(lines[1] as string)].slice(2, 9).join("")).toBe(" ▄▄▄▄▄ ");
  });

  test("as SVG: black on white, a path of modules", () => {
    const svg = qrSvg("http://192.168.1.20:10102/");
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('fill="white"');
    expect(svg).toContain('fill="black"');
  });

  test("the address invited: the page's own, or a reachable one for loopback", () => {
    expect(inviteUrl(false, "192.168.1.20", 10102, "0.0.0.0")).toBe("http://192.168.1.20:10102/");
    expect(inviteUrl(true, "::1", 8443, "::1")).toBe("https://[::1]:8443/");
    expect(inviteUrl(false, "localhost", 10102, "127.0.0.1")).toBe("http://localhost:10102/");
  });
});

describe("/invite.svg and /invite.txt", () => {
  test("served by papo with the page's security headers", async () => {
    const server = serve({ web: true, webPort: 0 });
    const url = server.web?.url ?? "";
    const text = await fetch(`${url}invite.txt`);
    expect(text.status).toBe(200);
    expect(await text.text()).toBe(`${url}\n`);
    const svg = await fetch(`${url}invite.svg`);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(svg.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    expect(svg.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await svg.text()).toBe(qrSvg(url));
    const head = await fetch(`${url}invite.svg`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });
});
