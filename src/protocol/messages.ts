/**
 * The exact text of every line the server sends (protocol v1), in one table
 * per language. Chat lines are "<name> text" and actions "* <name> action" in
 * every language (a person's words are never translated); notices start with
 * "* " and never with "* <", errors for one client with "! ". Pure string
 * building; encoding to bytes happens where lines are sent.
 */

import type { Lang } from "./lang.ts";
import { PROTOCOL } from "./limits.ts";
import type { NameProblem } from "./names.ts";
import { COMMANDS, type CommandName } from "./parse.ts";

export const notice = (text: string): string => `* ${text}`;
export const error = (text: string): string => `! ${text}`;
export const chat = (name: string, text: string): string => `<${name}> ${text}`;
/**
 * "* <NAME> action": a notice never starts with "<" (names cannot contain
 * it), so no /me can imitate a server notice.
 */
export const action = (name: string, text: string): string => `* <${name}> ${text}`;

export interface ServerText {
  greeting(): string;
  /** The greeting of a room with a password: the password comes first, then the name. */
  greetingPassword(): string;
  passwordAccepted(): string;
  wrongPassword(): string;
  welcome(name: string, total: number, names: readonly string[]): string;
  /** Sent right after the welcome, so a client can check lines before sending them. */
  limits(maxLineBytes: number, rate: number, burst: number): string;
  topic(text: string): string;
  /** One of the room's earlier lines, replayed to a newcomer with the time it was said. */
  history(time: string, line: string): string;

  joined(name: string): string;
  /** `reason` is the member's own words from /quit. */
  left(name: string, reason?: string): string;
  leftTooSlow(name: string): string;
  /** A member behind that took nothing for --behind-timeout was closed. */
  leftNotReading(name: string): string;
  /** This member fell further behind than the room's window: `count` lines it will never get. */
  missedLines(count: number): string;
  /** A resume found a new log (the server restarted without its log): what was said meanwhile is lost. */
  missedRestart(): string;
  /** A resume worked: the member is back, with its name. */
  resumed(name: string): string;
  /** A resume did not work (unknown, spent or expired token): the connection goes on as a new one. */
  resumeFailed(): string;
  /** A private line was not sent: its receiver's own queue is full. */
  notReading(name: string): string;
  kicked(name: string, by: string, reason?: string): string;
  banned(name: string, by: string): string;
  renamed(from: string, to: string): string;
  who(total: number, names: readonly string[]): string;
  privateTo(to: string, text: string): string;
  privateFrom(from: string, text: string): string;
  /**
   * The /help lines for `who`: an operator sees every command; a member sees
   * what it may do (the topic shown, not set); in a room without operators
   * nobody sees /op or the operators' commands.
   */
  help(who: HelpFor): string[];
  bye(): string;
  shuttingDown(): string;
  language(): string;
  nowOperator(): string;
  topicSet(by: string, text: string): string;
  noTopic(): string;
  unbanned(what: string): string;
  /** An operator muted `name`: it reads but cannot speak, for `minutes` (none: until /unmute). */
  muted(name: string, by: string, minutes?: number): string;
  unmuted(name: string, by: string): string;
  /** Slow mode: each member may say one line every `seconds`. */
  slowOn(by: string, seconds: number): string;
  slowOff(by: string): string;
  /** Quiet mode: only operators speak. */
  quietOn(by: string): string;
  quietOff(by: string): string;
  /**
   * For a newcomer, after the welcome and topic, when the room has rules on:
   * slow mode's seconds (0: off) and whether only operators speak.
   */
  roomModes(slowSeconds: number, quiet: boolean): string;
  /** The other servers of the room cannot be reached (multi-server mode). */
  linkDown(): string;
  linkUp(): string;
  /** Turns of this server's lines that never reached the others (the link was down too long). */
  linkLost(turns: number): string;
  /** Lines from another server never arrived here (this server fell too far behind). */
  linesMissed(): string;
  /** While the link was down another server gave `name` to someone else. */
  nameLostInOutage(name: string, now: string): string;
  /** For operators: the room's store on disk fails (`why`); lines are relayed, not kept. */
  storeFailing(why: string): string;
  /** For operators: the store works again; `lost` turns of lines were never kept. */
  storeRecovered(lost: number): string;
  /** For an operator: the transcript is at `path` on the web page, once, for `seconds`. */
  transcriptReady(path: string, seconds: number): string;
  /** For an operator: the transcript is written by `command`, run on the server's machine. */
  transcriptCommand(command: string): string;
  /** For an operator: the room keeps no record to make a transcript of. */
  noTranscript(): string;

  invalidName(problem: NameProblem): string;
  nameTaken(name: string): string;
  /** At the door: a name kept for operators; the next line is the operator password. */
  nameReserved(name: string): string;
  /** /nick to a name kept for operators, by a member who is not one. */
  nameKept(name: string): string;
  sameName(name: string): string;
  nameTimeout(seconds: number): string;
  nameFirst(): string;
  lineTooLong(): string;
  /** A WebSocket member sent far more than it may while its input was held. */
  tooMuchInput(): string;
  slowDown(rate: number): string;
  serverFull(): string;
  bannedHere(): string;
  tooManyFromAddress(): string;
  noSuchUser(name: string): string;
  usage(usage: string): string;
  unknownCommand(command: string): string;
  notOperator(): string;
  noOperators(): string;
  unknownLanguage(lang: string): string;
  notBanned(what: string): string;
  banYourOwnAddress(name: string): string;
  /** A line not said: this member is muted for `leftMs` more (none: until /unmute). */
  mutedYou(leftMs?: number): string;
  /** A line not said under slow mode: the next one may come in `ms`. */
  slowMode(ms: number): string;
  /** A line not said: only operators speak now. */
  quietMode(): string;
  /** /unmute of a name that is not muted. */
  notMuted(name: string): string;
  /** /mute of an operator: operators are never muted. */
  muteOperator(name: string): string;
  /** /mute for longer than the longest mute, in minutes. */
  muteTooLong(maxMinutes: number): string;
  /** /slow for longer than the longest pause, in seconds. */
  slowTooLong(maxSeconds: number): string;
  /** A muted member (or anyone under quiet mode) tried /nick. */
  renameSilenced(): string;
  /** A block over the limits (`fenced`: opened with ```, whose rest up to its closing line is dropped too). */
  blockTooLong(maxLines: number, maxBytes: number, fenced: boolean): string;
  /** A line of a block was over the line limit: the block is not sent. */
  blockLineTooLong(): string;
  /** A block opened with ``` whose closing line did not come within `minutes`. */
  blockExpired(minutes: number): string;
}

/** "a, b, c" capped at `max` names, then ", and K more" in the table's words. */
function listOf(more: (k: number) => string) {
  // The room hands every newcomer the very same array while its first names stay (room.ts's names()).
  let last: { names: readonly string[]; max: number; shown: string } | null = null;
  return (names: readonly string[], total: number, max: number): string => {
    if (last === null || last.names !== names || last.max !== max) {
      last = { names, max, shown: names.slice(0, max).join(", ") };
    }
    const shown = last.shown;
    return total > max ? `${shown}${more(total - max)}` : shown;
  };
}

/** Whom /help is for: what they may do decides what it lists. */
export type HelpFor = "operator" | "member" | "no-operators";

/** The /help lines: each command's usage, padded, then what it does. */
function helpLines(
  title: string,
  /** A usage ("/nick NAME") with its placeholders in the table's language. */
  usageIn: (usage: string) => string,
  described: Readonly<Record<CommandName, string>>,
  /** What /topic does for someone who may only read it. */
  topicShown: string,
  operatorNote: string,
  who: HelpFor,
): string[] {
  const operator = who === "operator";
  const shown = COMMANDS.filter(
    (c) => (operator || !c.operator) && !(c.name === "op" && who === "no-operators"),
  );
  const rows = shown.map((c) => {
    const settable = c.name !== "topic" || operator;
    const usage = settable ? c.usage : "/topic";
    const what = settable ? described[c.name] : topicShown;
    return notice(`  ${usageIn(usage).padEnd(22)} ${what}${c.operator ? operatorNote : ""}`);
  });
  return [notice(title), ...rows];
}

const withReason = (text: string, reason?: string) => (reason ? `${text} (${reason})` : text);

/** A stretch of time to wait, as a reader counts it: "4 s" under a minute, else "3 min" (rounded up). */
const span = (ms: number): string =>
  ms < 60_000 ? `${Math.max(1, Math.ceil(ms / 1000))} s` : `${Math.ceil(ms / 60_000)} min`;

const enList = listOf((k) => `, and ${k} more`);
const enLength = (bytes: number) =>
  `a line can be up to ${bytes} characters long (accented letters and emoji count as two or more)`;
const en: ServerText = {
  greeting: () => notice("welcome to papo! this room speaks English. what is your name?"),
  greetingPassword: () =>
    notice(
      "welcome to papo! this room speaks English and has a password: send it first, then your name",
    ),
  passwordAccepted: () => notice("password accepted. what is your name?"),
  wrongPassword: () => error("wrong password"),
  welcome: (name, total, names) =>
    notice(
      `hello ${name}! ${total} online: ${enList(names, total, PROTOCOL.welcomeNames)} (type /help for commands)`,
    ),
  limits: (bytes, rate, burst) =>
    notice(
      rate > 0
        ? `limits: ${enLength(bytes)}; you can send ${burst} lines at once, then ${rate} a second: faster lines wait their turn, none are lost`
        : `limits: ${enLength(bytes)}; send as many lines as you like`,
    ),
  topic: (text) => notice(`topic: ${text}`),
  history: (time, line) => `[history ${time}] ${line}`,
  joined: (name) => notice(`${name} joined`),
  left: (name, reason) => notice(withReason(`${name} left`, reason)),
  leftTooSlow: (name) => notice(`${name} left (too slow)`),
  leftNotReading: (name) => notice(`${name} left (not reading)`),
  missedLines: (count) => notice(`you missed ${count} ${count === 1 ? "line" : "lines"}`),
  missedRestart: () => notice("the server restarted: lines said while you were away are lost"),
  resumed: (name) => notice(`welcome back, ${name}`),
  resumeFailed: () => error("could not resume (unknown or expired token): joining as new"),
  notReading: (name) => error(`${name} is not reading: your line was not sent`),
  kicked: (name, by, reason) => notice(withReason(`${name} was kicked by ${by}`, reason)),
  banned: (name, by) => notice(`${name} was banned by ${by}`),
  renamed: (from, to) => notice(`${from} is now known as ${to}`),
  who: (total, names) => notice(`online (${total}): ${enList(names, total, PROTOCOL.whoNames)}`),
  privateTo: (to, text) => `[private to ${to}] ${text}`,
  privateFrom: (from, text) => `[private] <${from}> ${text}`,
  help: (who) =>
    helpLines(
      "commands:",
      (usage) => usage,
      {
        who: "list who is online",
        nick: "change your name",
        me: "describe an action (* <NAME> ACTION)",
        msg: "send a private message",
        topic: "show the topic, or set it",
        lang: "speak English (en) or Portuguese (pt)",
        op: "become an operator",
        kick: "remove someone from the room",
        ban: "remove someone and refuse their address",
        unban: "let a banned address in again",
        mute: "let someone read but not speak (for MINUTES)",
        unmute: "let someone speak again",
        slow: "one line every SECONDS for each member (0 ends it)",
        quiet: "only operators speak (/quiet off ends it)",
        transcript: "download the room's transcript",
        quit: "leave the room",
        help: "show this list",
        slash: "send a message that starts with /",
      },
      "show the topic",
      " (operators)",
      who,
    ),
  bye: () => notice("bye"),
  shuttingDown: () => notice("server shutting down"),
  language: () => notice("language: English"),
  nowOperator: () => notice("you are now an operator"),
  topicSet: (by, text) => notice(`${by} set the topic: ${text}`),
  noTopic: () => notice("no topic is set"),
  unbanned: (what) => notice(`${what} may join again`),
  muted: (name, by, minutes) =>
    notice(
      `${by} muted ${name}${typeof minutes === "number" ? ` for ${span(minutes * 60_000)}` : ""}`,
    ),
  unmuted: (name, by) => notice(`${by} unmuted ${name}`),
  slowOn: (by, seconds) => notice(`${by} turned slow mode on: one line every ${seconds} s each`),
  slowOff: (by) => notice(`${by} turned slow mode off`),
  quietOn: (by) => notice(`${by} turned quiet mode on: only operators may speak`),
  quietOff: (by) => notice(`${by} turned quiet mode off: everyone may speak`),
  roomModes: (seconds, quiet) =>
    notice(
      `in this room now: ${[
        seconds > 0 ? `slow mode, one line every ${seconds} s each` : "",
        quiet ? "quiet mode, only operators may speak" : "",
      ]
        .filter(Boolean)
        .join("; ")}`,
    ),
  linkDown: () =>
    notice("the link to the other servers is down: for now only people on this server read you"),
  linkUp: () => notice("the link to the other servers is back"),
  linkLost: (turns) =>
    notice(`${turns} turns of lines from this server never reached the other servers`),
  linesMissed: () => notice("some lines from the other servers never arrived here"),
  nameLostInOutage: (name, now) =>
    notice(`while the servers were apart, ${name} was taken on another one: you are now ${now}`),
  storeFailing: (why) =>
    error(`the room's record on disk fails (${why}): lines are relayed but not kept; retrying`),
  storeRecovered: (lost) =>
    notice(
      lost === 0
        ? "the room's record on disk works again: nothing was lost"
        : `the room's record on disk works again: ${lost} turns of lines were not kept`,
    ),
  transcriptReady: (path, seconds) =>
    notice(
      `the room's transcript is at ${path} on this room's web page, once, for ${seconds} s (on the server, the export command writes it too)`,
    ),
  transcriptCommand: (command) =>
    notice(`the room's transcript: run ${command} on the server's machine`),
  noTranscript: () => error("this room keeps no record to make a transcript of (--no-store)"),

  invalidName: (problem) =>
    error(
      `invalid name: ${
        {
          empty: "name is empty",
          "too-long": `name is longer than ${PROTOCOL.maxNameLength} characters`,
          "bad-chars": "use only letters, digits, _ - and . (no spaces)",
          "no-letter": "a name needs at least one letter or digit",
        }[problem]
      }`,
    ),
  nameTaken: (name) => error(`name taken: ${name}`),
  nameReserved: (name) =>
    notice(
      `${name} is kept for an operator: send the operator password (or another name after it)`,
    ),
  nameKept: (name) => error(`${name} is kept for an operator`),
  sameName: (name) => error(`you are already called ${name}`),
  nameTimeout: (seconds) => error(`no name given within ${seconds} s, closing`),
  nameFirst: () => error("choose a name first"),
  lineTooLong: () => error("line too long"),
  tooMuchInput: () => error("too much input at once, closing"),
  slowDown: (rate) =>
    error(`slow down: over ${rate} lines a second, your lines are delayed (none are lost)`),
  serverFull: () => error("server full"),
  bannedHere: () => error("you are banned from this room"),
  tooManyFromAddress: () => error("too many connections from your address"),
  noSuchUser: (name) => error(`no such user: ${name}`),
  usage: (usage) => error(`usage: ${usage}`),
  unknownCommand: (command) => error(`unknown command ${command} (try /help)`),
  notOperator: () => error("only operators can do that (see /op)"),
  noOperators: () => error("this room has no operators"),
  unknownLanguage: (lang) => error(`unknown language ${lang} (use en or pt)`),
  notBanned: (what) => error(`not banned: ${what}`),
  banYourOwnAddress: (name) =>
    error(`${name} connects from your own address: a ban would shut you out too (use /kick)`),
  mutedYou: (leftMs) =>
    error(
      typeof leftMs !== "number"
        ? "you are muted: you read but cannot speak"
        : `you are muted for ${span(leftMs)} more: you read but cannot speak`,
    ),
  slowMode: (ms) => error(`slow mode: wait ${Math.max(1, Math.ceil(ms / 1000))} s`),
  quietMode: () => error("quiet mode: only operators may speak now"),
  notMuted: (name) => error(`not muted: ${name}`),
  muteOperator: (name) => error(`${name} is an operator: operators are never muted`),
  muteTooLong: (max) => error(`a mute lasts at most ${max} minutes (a week)`),
  slowTooLong: (max) => error(`slow mode asks at most ${max} s between lines (an hour)`),
  renameSilenced: () => error("no new name while you cannot speak"),
  blockTooLong: (lines, bytes, fenced) =>
    error(
      `block too long (at most ${lines} lines, ${bytes} bytes): not sent` +
        (fenced ? ", nor the rest of it up to its closing ```" : ""),
    ),
  blockLineTooLong: () => error("line too long: the block it was in was not sent"),
  blockExpired: (minutes) =>
    error(`block not sent: its closing \`\`\` did not come within ${minutes} minutes`),
};

const ptList = listOf((k) => ` e mais ${k}`);
const ptLength = (bytes: number) =>
  `uma linha pode ter até ${bytes} caracteres (letras acentuadas e emoji contam como dois ou mais)`;
/** The placeholders of the commands' usages (protocol/parse.ts), in Portuguese. */
const PT_PLACEHOLDERS: Readonly<Record<string, string>> = {
  NAME: "NOME",
  ACTION: "AÇÃO",
  TEXT: "TEXTO",
  REASON: "MOTIVO",
  PASSWORD: "SENHA",
  ADDRESS: "ENDEREÇO",
  MINUTES: "MINUTOS",
  SECONDS: "SEGUNDOS",
};
/** "/kick NAME [REASON]" as "/kick NOME [MOTIVO]". */
const ptUsage = (usage: string) => usage.replace(/[A-Z]+/g, (w) => PT_PLACEHOLDERS[w] ?? w);
const pt: ServerText = {
  greeting: () => notice("boas-vindas ao papo! esta sala fala português. qual é o seu nome?"),
  greetingPassword: () =>
    notice(
      "boas-vindas ao papo! esta sala fala português e tem senha: envie a senha primeiro, depois o seu nome",
    ),
  passwordAccepted: () => notice("senha aceita. qual é o seu nome?"),
  wrongPassword: () => error("senha errada"),
  welcome: (name, total, names) =>
    notice(
      `olá ${name}! ${total} na sala: ${ptList(names, total, PROTOCOL.welcomeNames)} (digite /help para ver os comandos)`,
    ),
  limits: (bytes, rate, burst) =>
    notice(
      rate > 0
        ? `limites: ${ptLength(bytes)}; você pode enviar ${burst} linhas de uma vez, depois ${rate} por segundo: as que vierem mais rápido esperam a vez, nenhuma se perde`
        : `limites: ${ptLength(bytes)}; envie quantas linhas quiser`,
    ),
  topic: (text) => notice(`tópico: ${text}`),
  history: (time, line) => `[histórico ${time}] ${line}`,
  joined: (name) => notice(`${name} entrou`),
  left: (name, reason) => notice(withReason(`${name} saiu`, reason)),
  leftTooSlow: (name) => notice(`${name} saiu (lia devagar demais)`),
  leftNotReading: (name) => notice(`${name} saiu (não estava lendo)`),
  missedLines: (count) => notice(`você perdeu ${count} ${count === 1 ? "linha" : "linhas"}`),
  missedRestart: () =>
    notice("o servidor reiniciou: as linhas ditas enquanto você estava fora se perderam"),
  resumed: (name) => notice(`de volta à sala, ${name}`),
  resumeFailed: () =>
    error("não foi possível retomar (token desconhecido ou expirado): entrando de novo"),
  notReading: (name) => error(`${name} não está lendo: sua linha não foi enviada`),
  // Worded so that nobody's gender is needed: "prof expulsou maria".
  kicked: (name, by, reason) => notice(withReason(`${by} expulsou ${name}`, reason)),
  banned: (name, by) => notice(`${by} baniu ${name}`),
  renamed: (from, to) => notice(`${from} agora se chama ${to}`),
  who: (total, names) => notice(`na sala (${total}): ${ptList(names, total, PROTOCOL.whoNames)}`),
  privateTo: (to, text) => `[privado para ${to}] ${text}`,
  privateFrom: (from, text) => `[privado] <${from}> ${text}`,
  help: (who) =>
    helpLines(
      "comandos:",
      ptUsage,
      {
        who: "mostra quem está na sala",
        nick: "muda o seu nome",
        me: "descreve uma ação (* <NOME> AÇÃO)",
        msg: "envia uma mensagem privada",
        topic: "mostra o tópico, ou o define",
        lang: "fala português (pt) ou inglês (en)",
        op: "dá a você poderes de operador",
        kick: "tira alguém da sala",
        ban: "tira alguém da sala e barra o endereço",
        unban: "deixa um endereço banido entrar de novo",
        mute: "deixa alguém ler sem falar (por MINUTOS)",
        unmute: "devolve a voz a alguém",
        slow: "uma linha a cada SEGUNDOS por pessoa (0 encerra)",
        quiet: "só operadores falam (/quiet off encerra)",
        transcript: "baixa a transcrição da sala",
        quit: "sai da sala",
        help: "mostra esta lista",
        slash: "envia uma mensagem que começa com /",
      },
      "mostra o tópico",
      " (operadores)",
      who,
    ),
  bye: () => notice("tchau"),
  shuttingDown: () => notice("servidor desligando"),
  language: () => notice("idioma: português"),
  nowOperator: () => notice("agora você tem poderes de operador"),
  topicSet: (by, text) => notice(`${by} definiu o tópico: ${text}`),
  noTopic: () => notice("nenhum tópico definido"),
  unbanned: (what) => notice(`${what} pode entrar de novo`),
  muted: (name, by, minutes) =>
    notice(
      `${by} silenciou ${name}${typeof minutes === "number" ? ` por ${span(minutes * 60_000)}` : ""}`,
    ),
  unmuted: (name, by) => notice(`${by} devolveu a voz a ${name}`),
  slowOn: (by, seconds) =>
    notice(`${by} ligou o modo lento: uma linha a cada ${seconds} s por pessoa`),
  slowOff: (by) => notice(`${by} desligou o modo lento`),
  quietOn: (by) => notice(`${by} ligou o modo silêncio: só operadores falam`),
  quietOff: (by) => notice(`${by} desligou o modo silêncio: todo mundo pode falar`),
  roomModes: (seconds, quiet) =>
    notice(
      `nesta sala agora: ${[
        seconds > 0 ? `modo lento, uma linha a cada ${seconds} s por pessoa` : "",
        quiet ? "modo silêncio, só operadores falam" : "",
      ]
        .filter(Boolean)
        .join("; ")}`,
    ),
  linkDown: () =>
    notice("a ligação com os outros servidores caiu: por ora só quem está neste servidor lê você"),
  linkUp: () => notice("a ligação com os outros servidores voltou"),
  linkLost: (turns) =>
    notice(`${turns} rodadas de linhas deste servidor nunca chegaram aos outros servidores`),
  linesMissed: () => notice("algumas linhas dos outros servidores nunca chegaram aqui"),
  nameLostInOutage: (name, now) =>
    notice(
      `enquanto os servidores estavam separados, ${name} foi usado em outro: agora você é ${now}`,
    ),
  storeFailing: (why) =>
    error(
      `o registro da sala no disco falha (${why}): as linhas são repassadas mas não guardadas; tentando de novo`,
    ),
  storeRecovered: (lost) =>
    notice(
      lost === 0
        ? "o registro da sala no disco voltou a funcionar: nada se perdeu"
        : `o registro da sala no disco voltou a funcionar: ${lost} rodadas de linhas não foram guardadas`,
    ),
  transcriptReady: (path, seconds) =>
    notice(
      `a transcrição da sala está em ${path} na página web desta sala, uma vez, por ${seconds} s (no servidor, o comando export também a escreve)`,
    ),
  transcriptCommand: (command) =>
    notice(`a transcrição da sala: rode ${command} na máquina do servidor`),
  noTranscript: () =>
    error("esta sala não guarda registro para fazer uma transcrição (--no-store)"),

  invalidName: (problem) =>
    error(
      `nome inválido: ${
        {
          empty: "o nome está vazio",
          "too-long": `o nome tem mais de ${PROTOCOL.maxNameLength} caracteres`,
          "bad-chars": "use só letras, dígitos, _ - e . (sem espaços)",
          "no-letter": "um nome precisa de pelo menos uma letra ou dígito",
        }[problem]
      }`,
    ),
  nameTaken: (name) => error(`nome em uso: ${name}`),
  nameReserved: (name) =>
    notice(
      `o nome ${name} é reservado a operadores: envie a senha de operador (ou, depois dela, outro nome)`,
    ),
  nameKept: (name) => error(`o nome ${name} é reservado a operadores`),
  sameName: (name) => error(`você já se chama ${name}`),
  nameTimeout: (seconds) => error(`nenhum nome em ${seconds} s, encerrando`),
  nameFirst: () => error("escolha um nome primeiro"),
  lineTooLong: () => error("linha longa demais"),
  tooMuchInput: () => error("entrada demais de uma vez, fechando"),
  slowDown: (rate) =>
    error(
      `mais devagar: acima de ${rate} linhas por segundo, suas linhas vão com atraso (nenhuma se perde)`,
    ),
  serverFull: () => error("servidor cheio"),
  bannedHere: () => error("o seu endereço foi banido desta sala"),
  tooManyFromAddress: () => error("conexões demais do seu endereço"),
  noSuchUser: (name) => error(`usuário não encontrado: ${name}`),
  usage: (usage) => error(`uso: ${ptUsage(usage)}`),
  unknownCommand: (command) => error(`comando desconhecido ${command} (tente /help)`),
  notOperator: () => error("só operadores podem fazer isso (veja /op)"),
  noOperators: () => error("esta sala não tem operadores"),
  unknownLanguage: (lang) => error(`idioma desconhecido ${lang} (use en ou pt)`),
  notBanned: (what) => error(`nenhum banimento para ${what}`),
  banYourOwnAddress: (name) =>
    error(
      `${name} se conecta do seu próprio endereço: um banimento barraria você também (use /kick)`,
    ),
  mutedYou: (leftMs) =>
    error(
      typeof leftMs !== "number"
        ? "sua voz está suspensa: você lê, mas não fala"
        : `sua voz está suspensa por mais ${span(leftMs)}: você lê, mas não fala`,
    ),
  slowMode: (ms) => error(`modo lento: espere ${Math.max(1, Math.ceil(ms / 1000))} s`),
  quietMode: () => error("modo silêncio: agora só operadores falam"),
  notMuted: (name) => error(`${name} não está com a voz suspensa`),
  muteOperator: (name) =>
    error(`${name} tem poderes de operador: a voz de operadores nunca é suspensa`),
  muteTooLong: (max) => error(`a voz fica suspensa por no máximo ${max} minutos (uma semana)`),
  slowTooLong: (max) => error(`o modo lento pede no máximo ${max} s entre linhas (uma hora)`),
  renameSilenced: () => error("não dá para trocar de nome enquanto você não pode falar"),
  blockTooLong: (lines, bytes, fenced) =>
    error(
      `bloco longo demais (no máximo ${lines} linhas, ${bytes} bytes): não foi enviado` +
        (fenced ? ", nem o resto dele até a linha ``` que o fecha" : ""),
    ),
  blockLineTooLong: () => error("linha longa demais: o bloco em que estava não foi enviado"),
  blockExpired: (minutes) =>
    error(`bloco não enviado: a linha \`\`\` que o fecharia não veio em ${minutes} minutos`),
};

/** The tables, by language. */
export const SERVER_TEXT: Readonly<Record<Lang, ServerText>> = { en, pt };

/** The notices that go to everyone, each worded in its reader's language. */
type NoticeKey =
  | "joined"
  | "left"
  | "leftTooSlow"
  | "leftNotReading"
  | "kicked"
  | "banned"
  | "renamed"
  | "topicSet"
  | "muted"
  | "unmuted"
  | "slowOn"
  | "slowOff"
  | "quietOn"
  | "quietOff"
  | "shuttingDown"
  | "linkDown"
  | "linkUp"
  | "linkLost"
  | "linesMissed";

const NOTICE_KEYS: ReadonlySet<string> = new Set<NoticeKey>([
  "joined",
  "left",
  "leftTooSlow",
  "leftNotReading",
  "kicked",
  "banned",
  "renamed",
  "topicSet",
  "muted",
  "unmuted",
  "slowOn",
  "slowOff",
  "quietOn",
  "quietOff",
  "shuttingDown",
  "linkDown",
  "linkUp",
  "linkLost",
  "linesMissed",
]);

/**
 * A notice for everyone as data (which line, with what arguments) rather than
 * text: each language renders it for its readers, and it can travel to
 * another server as it is.
 */
export type Notice = {
  [K in NoticeKey]: { key: K; args: Parameters<ServerText[K]> };
}[NoticeKey];

/** Build a notice: `say("joined", "ana")`. */
export function say<K extends NoticeKey>(key: K, ...args: Parameters<ServerText[K]>): Notice {
  // An optional argument not given (a leave or kick without a reason) is left out, not sent as null.
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  return { key, args } as Notice;
}

/**
 * Whether a value read from elsewhere (another server) is a notice this
 * papo can word: a known key and arguments that are strings or numbers.
 */
export function isNotice(value: unknown): value is Notice {
  if (typeof value !== "object" || value === null) return false;
  const { key, args } = value as { key?: unknown; args?: unknown };
  return (
    typeof key === "string" &&
    NOTICE_KEYS.has(key) &&
    Array.isArray(args) &&
    args.every(
      (a) => a === undefined || a === null || typeof a === "string" || typeof a === "number",
    )
  );
}

/** The notice's text in one language. */
export function render(text: ServerText, notice: Notice): string {
  return (text[notice.key] as (...args: unknown[]) => string)(...notice.args);
}

/** Local "HH:MM" of a moment, as history lines carry it. */
export function clock(at: number): string {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

/**
 * When a history line was said, in the server's local time: "HH:MM" on the
 * day it is now, else "YYYY-MM-DD HH:MM" (a room kept across days).
 */
export function whenSaid(at: number, now: number = Date.now()): string {
  const d = new Date(at);
  const today = new Date(now);
  const sameDay =
    d.getFullYear() === today.getFullYear() &&
    d.getMonth() === today.getMonth() &&
    d.getDate() === today.getDate();
  if (sameDay) return clock(at);
  const day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  return `${day} ${clock(at)}`;
}
