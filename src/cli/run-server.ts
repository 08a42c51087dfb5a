#!/usr/bin/env bun
/** `bun run server`: parse flags into a ServerConfig, start the server, stop it on signals. */

import { availableParallelism, homedir } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { SECRET_ENV, SERVER_DEFAULTS, type ServerConfig } from "../config.ts";
import { interfacesOrNone } from "../net/interfaces.ts";
import { LANGS } from "../protocol/lang.ts";
import { checkName } from "../protocol/names.ts";
import { proxyListProblem } from "../server/admission/proxy.ts";
import { redacted } from "../server/cluster/redis.ts";
import { plainLine, serverLog } from "../server/log-json.ts";
import { commandLine } from "../server/self.ts";
import { openShared, openStore, StartError, startServer } from "../server/server.ts";
import { defaultDataDir, roomNameProblem } from "../server/store/place.ts";
import {
  argsOptions,
  argsProblem,
  FlagError,
  type FlagSpec,
  isParseArgsError,
  parseFlags,
  usage,
} from "./flags.ts";
import { inviteLines } from "./invite.ts";
import { listeningLines } from "./lan.ts";
import { helpLang, SERVER_HELP } from "./server-help.ts";
import { superviseWorkers, WORKER_ENV, workerCount } from "./workers.ts";

const FLAGS: FlagSpec<ServerConfig> = {
  host: { type: "string", help: "address to listen on", key: "host" },
  port: {
    type: "int",
    help: "TCP port; 0 picks a free one",
    key: "port",
    short: "p",
    max: 65535,
  },
  "max-clients": { type: "int", help: "most simultaneous connections", key: "maxClients", min: 1 },
  "max-line-bytes": { type: "int", help: "longest line in bytes", key: "maxLineBytes", min: 1 },
  "max-queue-bytes": {
    type: "int",
    help: "bytes of a member's own queue: replies, private lines",
    key: "maxQueueBytes",
    min: 1024,
  },
  "window-bytes": {
    type: "int",
    help: "bytes of the room's latest lines kept for members behind and for resume",
    key: "windowBytes",
    min: 1024,
  },
  "behind-timeout": {
    type: "seconds",
    help: "close a member behind that reads nothing for this long; 0 never",
    key: "behindTimeoutMs",
  },
  "resume-grace": {
    type: "seconds",
    help: "how long a papo client that vanished keeps its name, to resume",
    key: "resumeGraceMs",
  },
  "rate-limit": {
    type: "number",
    help: "lines per second per client; 0 turns flood control off",
    key: "rateLimit",
  },
  "rate-burst": { type: "int", help: "lines allowed in a burst", key: "rateBurst", min: 1 },
  "name-timeout": {
    type: "seconds",
    help: "seconds to choose a name; 0 for no limit",
    key: "nameTimeoutMs",
  },
  "announce-max": {
    type: "int",
    help: "announce joins/leaves only up to this many members",
    key: "announceMax",
  },
  "shutdown-grace": {
    type: "seconds",
    help: "seconds to flush goodbyes on shutdown",
    key: "shutdownGraceMs",
  },
  lang: {
    type: "choice",
    choices: LANGS,
    help: "language of the server's lines; each connection may switch with /lang",
    key: "lang",
  },
  history: {
    type: "int",
    help: "earlier lines shown to a newcomer; 0 for none",
    key: "historyLines",
    max: 1000,
  },
  "op-password": {
    type: "string",
    help: `password for /op; better in ${SECRET_ENV.opPassword}, which ps does not show`,
    key: "opPassword",
  },
  "room-password": {
    type: "string",
    help: `password to enter the room; or ${SECRET_ENV.roomPassword}`,
    key: "roomPassword",
  },
  "max-per-address": {
    type: "int",
    help: "connections from one address not yet in the room, loopback included; 0 for no cap",
    key: "maxPerAddress",
  },
  "tls-cert": {
    type: "string",
    help: "PEM certificate file: the listener speaks TLS; needs --tls-key",
    key: "tlsCert",
  },
  "tls-key": { type: "string", help: "PEM private key file for --tls-cert", key: "tlsKey" },
  "web-port": {
    type: "int",
    help: "port of the web client, HTTPS with --tls-cert; 0 picks a free one",
    key: "webPort",
    max: 65535,
  },
  "web-hosts": {
    type: "string",
    help: "more names the page is reached by, comma-separated: chat.school.example",
    key: "webHosts",
  },
  redis: {
    type: "string",
    help: `Redis URL: one room with every server on it; or ${SECRET_ENV.redisUrl}`,
    key: "redisUrl",
  },
  room: {
    type: "string",
    help: "the room's name: its file in --data, and its keys on Redis",
    key: "roomName",
  },
  "op-names": {
    type: "string",
    help: "names kept for operators, comma-separated: joining as one asks for the operator password",
    key: "opNames",
  },
  data: {
    type: "string",
    help: "folder the room is kept in, as SQLite; with --redis only when given",
    key: "dataDir",
  },
  "keep-lines": {
    type: "int",
    help: "lines the stored room keeps at most; the oldest go first",
    key: "keepLines",
    min: 1,
  },
  "keep-days": {
    type: "number",
    help: "days the stored room keeps a line; 0 for no limit",
    key: "keepDays",
  },
  "metrics-port": {
    type: "int",
    help: "port of /healthz, /readyz and /metrics alone; without it they are on the web port",
    key: "metricsPort",
    min: 1,
    max: 65535,
  },
  "metrics-token": {
    type: "string",
    help: `bearer token that opens /metrics beyond this machine; or ${SECRET_ENV.metricsToken}`,
    key: "metricsToken",
  },
  "log-format": {
    type: "choice",
    choices: ["text", "json"],
    help: "what the server prints: text for people, json lines for log shippers",
    key: "logFormat",
  },
  "trust-proxy": {
    type: "string",
    help: "reverse proxies, comma-separated addresses or ranges: their X-Forwarded-For names web clients",
    key: "trustProxy",
  },
};

/** Null when --op-names can be used, else why not, in one sentence. */
function opNamesCheck(config: ServerConfig): string | null {
  if (config.opNames === "") return null;
  if (config.opPassword === "") {
    return `--op-names needs an operator password (--op-password, or ${SECRET_ENV.opPassword})`;
  }
  for (const name of config.opNames.split(",")) {
    const check = checkName(name.trim());
    if (!check.ok) return `--op-names: "${name.trim()}" is not a name papo accepts`;
  }
  return null;
}

/** The defaults as this machine has them: the room is kept under XDG's data home. */
function shownDefaults(): ServerConfig {
  return { ...SERVER_DEFAULTS, dataDir: defaultDataDir(process.env, homedir()) };
}

/** Start serving; false when there was nothing to serve (--help). */
async function serve(argv: string[]): Promise<boolean> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...argsOptions(FLAGS),
      "no-web": { type: "boolean" },
      "no-store": { type: "boolean" },
      workers: { type: "string" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    // Before any flag is checked: --lang when it names a language, else the locale's.
    const lang = helpLang(
      (values as Record<string, unknown>).lang as string | undefined,
      process.env,
    );
    const h = SERVER_HELP[lang];
    process.stdout.write(
      usage(
        `${commandLine("server")} ${h.synopsis}`,
        h.title,
        FLAGS,
        shownDefaults(),
        h.extra,
        lang,
        h.flags,
      ),
    );
    return false;
  }
  const secrets = {
    ...SERVER_DEFAULTS,
    dataDir: shownDefaults().dataDir,
    opPassword: process.env[SECRET_ENV.opPassword] ?? "",
    roomPassword: process.env[SECRET_ENV.roomPassword] ?? "",
    redisUrl: process.env[SECRET_ENV.redisUrl] ?? "",
    metricsToken: process.env[SECRET_ENV.metricsToken] ?? "",
  };
  const parsed = parseFlags(FLAGS, values as Record<string, string | undefined>, secrets);
  const roomProblem = roomNameProblem(parsed.roomName);
  if (roomProblem !== null) throw new FlagError(roomProblem);
  const opNamesProblem = opNamesCheck(parsed);
  if (opNamesProblem !== null) throw new FlagError(opNamesProblem);
  const proxyProblem = proxyListProblem(parsed.trustProxy);
  if (proxyProblem !== null) throw new FlagError(proxyProblem);
  // With --redis the stream is the room's log: the local store only when asked for with --data.
  const storeOff =
    values["no-store"] === true ||
    (parsed.redisUrl !== "" && (values as Record<string, unknown>).data === undefined);
  const config: ServerConfig = {
    ...parsed,
    dataDir: storeOff ? "" : resolve(parsed.dataDir),
    web: values["no-web"] !== true,
    quiet: values.quiet === true,
  };
  if (config.web && config.port !== 0 && config.port === config.webPort) {
    // With --workers both would share one port and the kernel would mix chat and HTTP.
    throw new FlagError(
      `--port and --web-port are both ${config.port}: give the web client its own`,
    );
  }
  if (
    config.metricsPort !== 0 &&
    (config.metricsPort === config.port || (config.web && config.metricsPort === config.webPort))
  ) {
    const taken = config.metricsPort === config.port ? "--port" : "--web-port";
    throw new FlagError(
      `--metrics-port and ${taken} are both ${config.metricsPort}: give the metrics a port of their own`,
    );
  }
  const worker = process.env[WORKER_ENV];
  if (values.workers !== undefined && worker === undefined) {
    const count = workerCount(values.workers, availableParallelism());
    if (config.redisUrl === "") {
      throw new FlagError("--workers needs --redis (the workers share the room through it)");
    }
    if (config.dataDir !== "") {
      throw new FlagError(
        "--workers with --data: one stored room has one server; leave --data out",
      );
    }
    await superviseWorkers(config, count, argv, serverLog(config.logFormat, true, config.lang));
    return true;
  }
  // The console speaks the room's language (--lang), as the operator set it; JSON is English.
  const log = serverLog(config.logFormat, config.quiet, config.lang);
  const store = openStore(config);
  const shared = config.redisUrl === "" ? undefined : await openShared(config);
  const server = startServer({ ...config, reusePort: worker !== undefined }, log, shared, store);
  if (store !== undefined)
    log.info(`room ${config.roomName} kept in ${store.path}: ${store.lines} lines`);
  const lines = listeningLines(
    server.host,
    server.port,
    interfacesOrNone(),
    server.tls,
    server.web,
  );
  for (const line of lines) log.info(line);
  // One set of QR codes for the class, not one per worker. A QR code is a picture for
  // people: JSON lines leave it out (the page's addresses are in the lines above).
  if ((worker === undefined || worker === "0") && config.logFormat === "text") {
    const tty = process.stdout.isTTY === true;
    for (const line of inviteLines(server.host, interfacesOrNone(), server.tls, server.web, tty))
      log.info(line);
  }
  if (shared !== undefined)
    log.info(`sharing room ${config.roomName} on ${redacted(config.redisUrl)}`);

  // stop() is idempotent: a second signal waits for the same shutdown.
  const stop = () => server.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return true;
}

/**
 * Why the server cannot start, on stderr: one sentence, or with
 * `--log-format json` (read from the arguments, which may not have parsed)
 * one JSON line of kind "error".
 */
function complain(argv: readonly string[], problem: string): void {
  process.stderr.write(
    wantsJson(argv) ? `${plainLine(new Date(), "error", problem)}\n` : `papo: ${problem}\n`,
  );
}

/** Whether `argv` asks for `--log-format json`, read from the words themselves. */
function wantsJson(argv: readonly string[]): boolean {
  const at = argv.indexOf("--log-format");
  return argv.includes("--log-format=json") || (at !== -1 && argv[at + 1] === "json");
}

/** `bun run server` and `papo server`: serve until a signal; --help and failures exit. */
export async function main(argv: string[]): Promise<void> {
  try {
    if (!(await serve(argv))) process.exit(0);
  } catch (error) {
    // Expected failures get one sentence; anything else is a bug and keeps its stack.
    if (isParseArgsError(error)) {
      complain(argv, `${argsProblem(error)} (try --help)`);
      process.exit(1);
    }
    if (!(error instanceof StartError || error instanceof FlagError)) {
      if (!wantsJson(argv)) throw error;
      // Still one JSON line for the log shipper, the stack as a field of its own.
      const bug = error instanceof Error ? error : new Error(String(error));
      const line = { time: new Date().toISOString(), kind: "error", msg: bug.message };
      process.stderr.write(`${JSON.stringify({ ...line, stack: bug.stack ?? "" })}\n`);
      process.exit(1);
    }
    complain(argv, error.message);
    process.exit(1);
  }
}

if (import.meta.main) await main(process.argv.slice(2));
