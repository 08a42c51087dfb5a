/**
 * Every sentence the page itself shows, in English and Brazilian Portuguese,
 * the two languages the server speaks (/lang). Lines from the server are
 * shown as they come, in the language the page asked the server for.
 */

import type { BlockProblem } from "../protocol/block.ts";
import type { Lang } from "../protocol/lang.ts";
import { BLOCK } from "../protocol/limits.ts";

export interface Words {
  connecting: string;
  namePrompt: string;
  nameHint: string;
  join: string;
  passwordPrompt: string;
  passwordHint: string;
  /** The door, when the name asked for is kept for operators: its operator password. */
  operatorPrompt: (name: string) => string;
  operatorHint: string;
  enter: string;
  members: string;
  placeholder: string;
  send: string;
  help: string;
  notify: string;
  notifyOn: string;
  connected: string;
  lost: (seconds: number) => string;
  reconnectNow: string;
  ended: string;
  /** Back as a new member after a loss, and the room's log had started afresh. */
  missedRestart: string;
  /** Back as a new member after a loss (the resume failed): lines may be missing. */
  missedSome: string;
  /** We were an operator, and came back as a member without its rights (a restart, a long cut). */
  operatorLost: string;
  /** The typed line is over the server's limit: it stays in the input. */
  tooLong: (bytes: number, max: number) => string;
  notificationFrom: (name: string) => string;
  log: string;
  /** The operators' button that downloads the room's transcript. */
  transcript: string;
  /** The transcript the server gave is being saved. */
  transcriptSaved: string;
  /** The button that shows the page's address and its QR code. */
  invite: string;
  inviteTitle: string;
  /** The QR code's text alternative. */
  inviteCode: (url: string) => string;
  close: string;
  /** The marker for lines that came while the person had scrolled up. */
  newLines: string;
  /** The header's label before the room's topic. */
  topic: string;
  /** The header's label before the room's moderation modes. */
  modes: string;
  /** Slow mode in the header: one line every `seconds` each. */
  slowMode: (seconds: number) => string;
  /** Quiet mode in the header: only operators speak. */
  quietMode: string;
  /** A block the page will not send, and why (it stays in the input). */
  blockTooLong: (problem: BlockProblem) => string;
}

export const WORDS: Readonly<Record<Lang, Words>> = {
  en: {
    connecting: "Connecting…",
    namePrompt: "What is your name?",
    nameHint: "Letters, digits, _ - and . — no spaces, up to 24.",
    join: "Join",
    passwordPrompt: "This room has a password",
    passwordHint: "Ask whoever runs the room.",
    operatorPrompt: (name) => `Operator password for ${name}`,
    operatorHint: "This name is kept for an operator.",
    enter: "Enter",
    members: "In the room",
    placeholder: "Message, or /help for commands",
    send: "Send",
    help: "Commands",
    notify: "Notify me",
    notifyOn: "Notifying",
    connected: "Connected",
    lost: (s) => `Connection lost. Reconnecting in ${s} s…`,
    reconnectNow: "Reconnect now",
    ended: "Disconnected.",
    missedRestart: "the server restarted: lines said while you were away are lost",
    missedSome: "could not come back where you left: lines said while you were away may be missing",
    operatorLost:
      "you are no longer an operator here (the server restarted, or you were away too long): give /op PASSWORD again",
    tooLong: (bytes, max) => `! too long to send: ${bytes} bytes, the room takes up to ${max}`,
    notificationFrom: (name) => `${name} on papo`,
    log: "Messages",
    transcript: "Transcript",
    transcriptSaved: "the room's transcript is downloading (one page, to keep or print)",
    invite: "Invite",
    inviteTitle: "Join this room",
    inviteCode: (url) => `QR code of ${url}`,
    close: "Close",
    newLines: "New messages ↓",
    topic: "Topic",
    modes: "Room rules",
    slowMode: (s) => `slow mode: ${s} s`,
    quietMode: "quiet: operators only",
    blockTooLong: (p) =>
      p.kind === "line"
        ? `! a line of the block is too long to send: ${p.bytes} bytes, the room takes up to ${p.max}`
        : `! block too long to send: at most ${BLOCK.maxLines} lines and ${BLOCK.maxBytes} bytes`,
  },
  pt: {
    connecting: "Conectando…",
    namePrompt: "Qual é o seu nome?",
    nameHint: "Letras, dígitos, _ - e . — sem espaços, até 24.",
    join: "Entrar",
    passwordPrompt: "Esta sala tem senha",
    passwordHint: "Peça a quem cuida da sala.",
    operatorPrompt: (name) => `Senha de operador para ${name}`,
    operatorHint: "Este nome é reservado para operadores.",
    enter: "Entrar",
    members: "Na sala",
    placeholder: "Mensagem, ou /help para os comandos",
    send: "Enviar",
    help: "Comandos",
    notify: "Avisar-me",
    notifyOn: "Avisando",
    connected: "Conectado",
    lost: (s) => `Conexão perdida. Reconectando em ${s} s…`,
    reconnectNow: "Reconectar agora",
    ended: "Desconectado.",
    missedRestart: "o servidor reiniciou: as linhas ditas enquanto você estava fora se perderam",
    missedSome:
      "não foi possível voltar de onde você parou: podem faltar linhas ditas enquanto você estava fora",
    operatorLost:
      "você não tem mais poderes de operador aqui (o servidor reiniciou, ou você ficou fora tempo demais): use /op SENHA de novo",
    tooLong: (bytes, max) => `! longa demais para enviar: ${bytes} bytes, a sala aceita até ${max}`,
    notificationFrom: (name) => `${name} no papo`,
    log: "Mensagens",
    transcript: "Transcrição",
    transcriptSaved:
      "a transcrição da sala está sendo baixada (uma página, para guardar ou imprimir)",
    invite: "Convidar",
    inviteTitle: "Entre nesta sala",
    inviteCode: (url) => `Código QR de ${url}`,
    close: "Fechar",
    newLines: "Novas mensagens ↓",
    topic: "Tópico",
    modes: "Regras da sala",
    slowMode: (s) => `modo lento: ${s} s`,
    quietMode: "silêncio: só operadores",
    blockTooLong: (p) =>
      p.kind === "line"
        ? `! uma linha do bloco é longa demais para enviar: ${p.bytes} bytes, a sala aceita até ${p.max}`
        : `! bloco longo demais para enviar: no máximo ${BLOCK.maxLines} linhas e ${BLOCK.maxBytes} bytes`,
  },
};

/**
 * The page's language from the browser's ("pt-BR", "pt" → pt; "en-GB" → en),
 * the first of its languages that is one of the two; "none" when it lists
 * neither: the page then speaks the room's language (the server's default).
 */
export function pageLang(languages: readonly string[]): Lang | "none" {
  for (const tag of languages) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "pt") return "pt";
    if (base === "en") return "en";
  }
  return "none";
}
