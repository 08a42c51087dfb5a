/**
 * The web client's server: Bun.serve with the page's few files and the
 * WebSocket that makes a browser a member of the same room. One handlers
 * object whose handlers each call a named function (websocket.ts).
 *
 * Security, in the page's favour: every response forbids sniffing and
 * framing and carries a strict Content-Security-Policy (scripts and styles
 * from this origin only, nothing inline); the WebSocket upgrade is refused
 * (403) when a browser says it comes from another origin; nothing sets a
 * cookie; a request for a host name this server is not known by is refused
 * (421), so that a site rebinding its name to this machine gets no page and
 * no WebSocket. The page itself shows every line as text (src/web/).
 *
 * Behind a reverse proxy named by --trust-proxy, a member's address is the
 * one the proxy forwards (X-Forwarded-For, read by admission/proxy.ts) and
 * the page's scheme the one it says (X-Forwarded-Proto); from any other peer
 * those headers are ignored.
 *
 * An operator's transcript (GET /transcript?t=TICKET) is served once per
 * ticket, which /transcript gave on the operator's own connection and which
 * lives a minute (session/context.ts, Tickets): an unknown, spent or expired
 * ticket is a 404 like any other path. Only with the room's store; the
 * page is made by `bun run export` (cli/export.ts) in a process of its own.
 *
 * The page's "invite" button shows /invite.svg, the QR code of the page's
 * address as others can open it, and /invite.txt, that address as text
 * (invite.ts): served by papo, so the CSP needs no `data:` images.
 */

import { dirname } from "node:path";
import type { Server } from "bun";
import { INVITE_SVG, INVITE_TEXT, TRANSCRIPT_PATH, WEBSOCKET_PATH } from "../../web/paths.ts";
import {
  clientAddress,
  isTrustedProxy,
  parseTrustedProxies,
  type TrustedProxies,
  viaTrustedProxy,
} from "../admission/proxy.ts";
import type { Ops } from "../metrics/routes.ts";
import { selfCommand } from "../self.ts";
import type { Context } from "../session/context.ts";
import type { RoomStore } from "../store/sqlite.ts";
import { TRANSCRIPT_POLICY, transcriptFileName } from "../store/transcript.ts";
import { type PageFile, pageFile, pageScript } from "./assets.ts";
import { hostOnly, knownHosts } from "./hosts.ts";
import { inviteUrl, qrSvg } from "./invite.ts";
import type { WebData } from "./websocket.ts";
import * as websocket from "./websocket.ts";
import { WEB } from "./websocket.ts";

/** How long making a transcript may take before it is given up (ms). */
const TRANSCRIPT_MS = 60_000;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cache-control": "no-cache",
};

interface Asset {
  readonly type: string;
  readonly body: () => Promise<string>;
}

/** The page's files (assets.ts), read once, at the start. */
function file(name: PageFile): () => Promise<string> {
  const text = pageFile(name);
  return () => Promise.resolve(text);
}

function assets(): Map<string, Asset> {
  const html = file("index.html");
  return new Map<string, Asset>([
    ["/", { type: "text/html; charset=utf-8", body: html }],
    ["/index.html", { type: "text/html; charset=utf-8", body: html }],
    ["/app.js", { type: "text/javascript; charset=utf-8", body: pageScript }],
    ["/style.css", { type: "text/css; charset=utf-8", body: file("style.css") }],
    ["/icon.svg", { type: "image/svg+xml", body: file("icon.svg") }],
  ]);
}

export interface WebServer {
  readonly port: number;
  /** The page's address, as a person would open it. */
  readonly url: string;
  /** Stop taking connections; `closeActive` also cuts the open ones. */
  stop(closeActive: boolean): void;
}

/**
 * Serve the page and its WebSocket on the config's host and webPort, and
 * with `store` the operators' transcripts; throws when it cannot bind.
 */
export function startWeb(
  ctx: Context,
  tls: { cert: string; key: string } | null,
  store: RoomStore | null = null,
  ops: Ops | null = null,
): WebServer {
  const files = assets();
  ctx.transcripts.served = store !== null;
  const transcript = store === null ? null : (url: URL) => transcriptFor(ctx, store, url);
  void pageScript().catch((error: Error) => ctx.log.note(error.message));
  const secure = tls !== null;
  const hosts = knownHosts(ctx.config.host, ctx.config.webHosts);
  const trusted = parseTrustedProxies(ctx.config.trustProxy);
  const server: Server<WebData> = Bun.serve<WebData>({
    hostname: ctx.config.host,
    port: ctx.config.webPort,
    // --workers: every worker serves the page on one port, as it listens on one.
    reusePort: ctx.config.reusePort,
    development: false,
    ...(tls === null ? {} : { tls }),
    fetch: (request, server) =>
      respond(request, server, files, secure, hosts, transcript, ctx.config.host, ops, trusted),
    error: (error) => {
      ctx.log.note(`web error: ${error.stack ?? error.message}`);
      return plain(500, "internal error");
    },
    websocket: {
      maxPayloadLength: ctx.config.maxLineBytes * WEB.framesOfLines,
      backpressureLimit: WEB.frameBytes * 2,
      closeOnBackpressureLimit: false,
      idleTimeout: WEB.idleTimeoutSeconds,
      open: (ws) => websocket.opened(ctx, ws),
      message: (ws, message) => websocket.received(ctx, ws, message),
      drain: (ws) => websocket.drained(ctx, ws),
      close: (ws) => websocket.closed(ctx, ws),
      error: (error, ws) => websocket.failed(ctx, ws, error),
    },
  });
  const port = server.port ?? ctx.config.webPort;
  return {
    port,
    url: pageUrl(secure, server.hostname ?? ctx.config.host, port),
    stop: (closeActive) => void server.stop(closeActive),
  };
}

/** "http://127.0.0.1:10102/", with IPv6 hosts in brackets. */
export function pageUrl(secure: boolean, host: string, port: number): string {
  const shown = host.includes(":") ? `[${host}]` : host;
  return `${secure ? "https" : "http"}://${shown}:${port}/`;
}

async function respond(
  request: Request,
  server: Server<WebData>,
  files: Map<string, Asset>,
  secure: boolean,
  hosts: ReadonlySet<string>,
  transcript: ((url: URL) => Promise<Response>) | null,
  listening: string,
  ops: Ops | null,
  trusted: TrustedProxies,
): Promise<Response | undefined> {
  const host = request.headers.get("host");
  if (host !== null && !hosts.has(hostOnly(host))) {
    return plain(421, `this server is not known as ${hostOnly(host)} (see --web-hosts)`);
  }
  const url = new URL(request.url);
  // /healthz, /readyz, /metrics: metrics/routes.ts.
  if (ops?.serves(url.pathname))
    return ops.respond(request, server.requestIP(request)?.address ?? "");
  // Behind a proxy that speaks HTTPS for this server (--trust-proxy), the page is https.
  const https = secure || forwardedHttps(request, server, trusted);
  if (url.pathname === WEBSOCKET_PATH) return upgrade(request, server, https, trusted);
  if (url.pathname === TRANSCRIPT_PATH && transcript !== null) {
    return request.method === "GET" ? transcript(url) : plain(405, "method not allowed");
  }
  if (request.method !== "GET" && request.method !== "HEAD")
    return plain(405, "method not allowed");
  if (url.pathname === INVITE_SVG || url.pathname === INVITE_TEXT) {
    const port = Number(url.port) || (https ? 443 : 80);
    const invite = inviteUrl(https, hostOnly(host ?? url.hostname), port, listening);
    if (url.pathname === INVITE_TEXT) return plain(200, invite);
    return new Response(request.method === "HEAD" ? null : qrSvg(invite), {
      headers: { ...SECURITY_HEADERS, "content-type": "image/svg+xml" },
    });
  }
  const asset = files.get(url.pathname);
  if (asset === undefined) return plain(404, "not found");
  const body = request.method === "HEAD" ? null : await asset.body();
  return new Response(body, { headers: { ...SECURITY_HEADERS, "content-type": asset.type } });
}

/**
 * The room's transcript as one HTML page to save, for a ticket given and
 * not yet spent; a 404 for any other. Every line said before it was asked
 * for is in it (the store's writer is waited for first). `bun run export`
 * makes it, in a process of its own, so the relay never waits for it:
 * reading and writing out 100,000 lines takes a few hundred milliseconds.
 */
async function transcriptFor(ctx: Context, store: RoomStore, url: URL): Promise<Response> {
  if (!ctx.transcripts.take(url.searchParams.get("t") ?? "")) return plain(404, "not found");
  const room = ctx.config.roomName;
  await store.flushed();
  const child = Bun.spawn(
    [...selfCommand("export"), "--format", "html", "--data", dirname(store.path), "--room", room],
    { stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: TRANSCRIPT_MS },
  );
  const [page, problem, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) {
    ctx.log.note(`transcript: ${problem.trim() || `export exited with ${code}`}`);
    return plain(500, "the room's record cannot be read");
  }
  return new Response(page, {
    headers: {
      ...SECURITY_HEADERS,
      "content-security-policy": `${TRANSCRIPT_POLICY}; frame-ancestors 'none'`,
      "cache-control": "no-store",
      "content-type": "text/html; charset=utf-8",
      "content-disposition": `attachment; filename="${transcriptFileName(room, Date.now())}"`,
    },
  });
}

/**
 * The WebSocket of a member. Its address is the peer's or, from a trusted
 * proxy, the client's the proxy names (admission/proxy.ts), without a port
 * (the proxy's own port says nothing of the client): bans, caps, password
 * penalties and the log all count it.
 */
function upgrade(
  request: Request,
  server: Server<WebData>,
  secure: boolean,
  trusted: TrustedProxies,
): Response | undefined {
  if (!sameOrigin(request.headers.get("origin"), request.headers.get("host"), secure)) {
    return plain(403, "cross-origin WebSocket refused");
  }
  const peer = server.requestIP(request);
  const forwardedFor = request.headers.get("x-forwarded-for");
  const forwarded = viaTrustedProxy(peer?.address ?? "", forwardedFor, trusted);
  const data: WebData = {
    client: null,
    connection: null,
    address: forwarded
      ? clientAddress(peer?.address ?? "", forwardedFor, trusted)
      : (peer?.address ?? ""),
    port: forwarded ? 0 : (peer?.port ?? 0),
  };
  if (server.upgrade(request, { data })) return undefined;
  return plain(400, "a WebSocket upgrade was expected here");
}

/** A request a trusted proxy forwarded from an HTTPS client (X-Forwarded-Proto: https). */
function forwardedHttps(
  request: Request,
  server: Server<WebData>,
  trusted: TrustedProxies,
): boolean {
  if (trusted.ranges.length === 0) return false;
  const proto = request.headers.get("x-forwarded-proto");
  if (proto?.trim().toLowerCase() !== "https") return false;
  return isTrustedProxy(server.requestIP(request)?.address ?? "", trusted);
}

/**
 * Whether a WebSocket's Origin is the page's own: same scheme, host and
 * port as the request's Host. No Origin at all is a program, not a browser
 * (browsers always send it): there is no page of ours to protect from it,
 * and it meets the same gate as a TCP client.
 */
export function sameOrigin(origin: string | null, host: string | null, secure: boolean): boolean {
  if (origin === null) return true;
  if (host === null) return false;
  return origin.toLowerCase() === `${secure ? "https" : "http"}://${host.toLowerCase()}`;
}

function plain(status: number, text: string): Response {
  return new Response(`${text}\n`, {
    status,
    headers: { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8" },
  });
}
