/**
 * Every sentence the client itself shows, in one table per language. The
 * original papo was written for Portuguese speakers, so Brazilian Portuguese
 * sits beside English; lines that come from the server are shown as they are.
 */

import type { Lang } from "../protocol/lang.ts";

export { isLang, LANGS, type Lang, langFromEnv } from "../protocol/lang.ts";

export interface Strings {
  /** Full --help text. */
  usage: string;
  /** Prompt for a name on a terminal. */
  usernamePrompt: string;
  /** "Cannot connect to ADDRESS: CAUSE." */
  cannotConnect: (address: string, cause: string) => string;
  causeRefused: string;
  causeUnknownHost: (host: string) => string;
  causeTimedOut: (seconds: number) => string;
  /** The server closed the connection before greeting. */
  causeClosed: string;
  /** The server said why it would not talk ("server full"). */
  causeServer: (reason: string) => string;
  causeOther: (detail: string) => string;
  connectionLost: string;
  /** The server announced it was going away; `notice` is its words. */
  disconnected: (notice: string) => string;
  nameRefused: (reason: string) => string;
  noName: string;
  badOption: (detail: string) => string;
  badPort: (value: string) => string;
  badLang: (value: string) => string;
  /** An input line too long to send was skipped (piped mode). */
  inputTooLong: (maxBytes: number) => string;
  /** Shown after the server's /help list in interactive mode. */
  keysHelp: readonly string[];
}

const en: Strings = {
  usage: `Usage: bun run client [options]

Chat in a papo room from the terminal.

Options:
  --host HOST     server address (default 127.0.0.1)
  --port, -p N    server port (default 10101)
  --name, -n NAME your name; without it you are asked for one
                  (piped input: the first line is the name)
  --lang LANG     en or pt (default: from LC_ALL / LANG)
  --no-color      no colours (also NO_COLOR=1, or when output is not a terminal)
  --help, -h      show this help

Piped mode: when input is not a terminal, each input line is sent and each
line received is printed; at the end of input the client says /quit.
Exit status: 0 once the server confirms the /quit, 1 if it cannot connect
or join, 2 if the connection is lost.`,
  usernamePrompt: "Username: ",
  cannotConnect: (address, cause) => `Cannot connect to ${address}: ${cause}.`,
  causeRefused: "connection refused (is the server running?)",
  causeUnknownHost: (host) => `unknown host ${host}`,
  causeTimedOut: (seconds) => `no answer within ${seconds} s`,
  causeClosed: "the server closed the connection",
  causeServer: (reason) => `the server said "${reason}"`,
  causeOther: (detail) => detail,
  connectionLost: "Connection to server lost.",
  disconnected: (notice) => `Disconnected: ${notice}.`,
  nameRefused: (reason) => `The server refused the name: ${reason}.`,
  noName: "No name given: use --name, or make the first input line the name.",
  badOption: (detail) => `${detail}. Try --help.`,
  badPort: (value) => `Invalid port "${value}": use a number from 1 to 65535.`,
  badLang: (value) => `Unknown language "${value}": use en or pt.`,
  inputTooLong: (maxBytes) => `Skipped an input line longer than ${maxBytes} bytes.`,
  keysHelp: [
    "keys:",
    "  Up / Down        earlier and later input lines",
    "  Ctrl-A / Ctrl-E  start / end of the line",
    "  Ctrl-U           clear the line",
    "  Ctrl-C / Ctrl-D  leave (same as /quit)",
  ],
};

const pt: Strings = {
  usage: `Uso: bun run client [opções]

Converse numa sala papo pelo terminal.

Opções:
  --host HOST     endereço do servidor (padrão 127.0.0.1)
  --port, -p N    porta do servidor (padrão 10101)
  --name, -n NOME seu nome; sem ele, o nome é perguntado
                  (entrada por pipe: a primeira linha é o nome)
  --lang IDIOMA   en ou pt (padrão: de LC_ALL / LANG)
  --no-color      sem cores (também NO_COLOR=1, ou quando a saída não é um terminal)
  --help, -h      mostra esta ajuda

Modo pipe: quando a entrada não é um terminal, cada linha de entrada é
enviada e cada linha recebida é impressa; no fim da entrada o cliente
envia /quit. Saída: 0 quando o servidor confirma o /quit, 1 se não
conseguir conectar ou entrar, 2 se a conexão cair.`,
  usernamePrompt: "Nome de usuário: ",
  cannotConnect: (address, cause) => `Não foi possível conectar a ${address}: ${cause}.`,
  causeRefused: "conexão recusada (o servidor está rodando?)",
  causeUnknownHost: (host) => `host desconhecido ${host}`,
  causeTimedOut: (seconds) => `sem resposta em ${seconds} s`,
  causeClosed: "o servidor fechou a conexão",
  causeServer: (reason) => `o servidor disse "${reason}"`,
  causeOther: (detail) => detail,
  connectionLost: "Conexão com o servidor perdida.",
  disconnected: (notice) => `Desconectado: ${notice}.`,
  nameRefused: (reason) => `O servidor recusou o nome: ${reason}.`,
  noName: "Nenhum nome informado: use --name, ou faça da primeira linha da entrada o nome.",
  badOption: (detail) => `${detail}. Veja --help.`,
  badPort: (value) => `Porta inválida "${value}": use um número de 1 a 65535.`,
  badLang: (value) => `Idioma desconhecido "${value}": use en ou pt.`,
  inputTooLong: (maxBytes) => `Linha de entrada com mais de ${maxBytes} bytes ignorada.`,
  keysHelp: [
    "teclas:",
    "  Cima / Baixo     linhas digitadas antes e depois",
    "  Ctrl-A / Ctrl-E  início / fim da linha",
    "  Ctrl-U           apaga a linha",
    "  Ctrl-C / Ctrl-D  sai (o mesmo que /quit)",
  ],
};

/** The tables, by language. */
export const STRINGS: Readonly<Record<Lang, Strings>> = { en, pt };
