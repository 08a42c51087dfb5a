/**
 * The QR codes the server prints at start: one per page address other
 * machines can open, for phones to scan from the projector. None for
 * loopback, which only this machine can open. Pure: the caller passes in
 * what os.networkInterfaces() returned.
 */

import { hostPort } from "../net/address.ts";
import { qrLines } from "../server/transport/invite.ts";
import { type Interfaces, lanAddresses } from "./lan.ts";

const LOOPBACK = /^(127\.|::1$|localhost$)/;

/**
 * Bright white on black around each line of the code, for a terminal: the
 * code draws its light modules, which only a dark background shows right,
 * and a projector's terminal is often a light one.
 */
const ON_BLACK = ["\x1b[97;40m", "\x1b[0m"] as const;

/**
 * "scan to open URL" and its QR code, for each address of the page others
 * can reach; `tty`: coloured for a terminal, plain for a log file.
 */
export function inviteLines(
  host: string,
  interfaces: Interfaces,
  tls: boolean,
  web: { readonly port: number } | null,
  tty = false,
): string[] {
  if (web === null) return [];
  const everywhere = host === "0.0.0.0" || host === "::";
  const addresses = everywhere ? lanAddresses(host, interfaces) : [host];
  return addresses
    .filter((address) => !LOOPBACK.test(address))
    .flatMap((address) => {
      const url = `${tls ? "https" : "http"}://${hostPort(address, web.port)}/`;
      const code = qrLines(url).map((line) => (tty ? `${ON_BLACK[0]}${line}${ON_BLACK[1]}` : line));
      return [`scan to open ${url}`, ...code];
    });
}
