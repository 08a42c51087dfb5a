/**
 * The page's invitation: its address as a QR code, for students' phones to
 * scan from the projector. The same code is printed in the server's terminal
 * (cli/invite.ts) and served as an SVG for the page's "invite" button
 * (http.ts). The QR encoding is uqr's: small, no dependencies, ESM, the same
 * code on Bun and in a browser, and it renders both text and SVG.
 */

import { renderSVG, renderUnicodeCompact } from "uqr";
import { hostPort } from "../../net/address.ts";
import { interfacesOrNone } from "../../net/interfaces.ts";

/** Quiet zone around the code, in modules: phones read a code with a clear margin far more surely. */
const QUIET_MODULES = 2;

/** The QR code of `url` as terminal lines, two modules a character tall (half blocks). */
export function qrLines(url: string): string[] {
  return renderUnicodeCompact(url, { border: QUIET_MODULES }).split("\n");
}

/** The QR code of `url` as an SVG document, black on white whatever the page's theme. */
export function qrSvg(url: string): string {
  return renderSVG(url, { border: QUIET_MODULES, pixelSize: 8 });
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1"]);

/**
 * The address to invite others to, from the page as `host` (the request's
 * Host, already checked) reached it: the same, unless that is loopback,
 * which no phone can open; then, when the server listens on every
 * interface, this machine's first address others can reach.
 */
export function inviteUrl(secure: boolean, host: string, port: number, listening: string): string {
  const url = (address: string) => `${secure ? "https" : "http"}://${hostPort(address, port)}/`;
  if (!LOOPBACK.has(host) || (listening !== "0.0.0.0" && listening !== "::")) return url(host);
  for (const list of Object.values(interfacesOrNone())) {
    for (const entry of list ?? []) {
      if (!entry.internal && entry.family === "IPv4") return url(entry.address);
    }
  }
  return url(host);
}
