/**
 * Every sentence the client itself shows, in one table per language. The
 * original papo was written for Portuguese speakers, so Brazilian Portuguese
 * sits beside English; lines that come from the server are shown as they are.
 */

import type { Lang } from "../protocol/lang.ts";

export { isLang, LANGS, type Lang, langFromEnv, langOfLocale } from "../protocol/lang.ts";

export interface Strings {
  /** Full --help text. */
  usage: string;
  /** Prompt for a name on a terminal. */
  usernamePrompt: string;
  /** Prompt for the room's password on a terminal (typed without echo). */
  passwordPrompt: string;
  /**
   * Prompt while the server checks a password (it can take seconds): what is
   * typed meanwhile is not echoed either, and is the next try if it was wrong.
   */
  passwordChecking: string;
  /** The name asked for is kept for operators (--op-names, or an operator's before). */
  operatorPasswordPrompt: (name: string) => string;
  /** Piped mode, the room asks for a password and the environment has none. */
  passwordNeeded: (variable: string) => string;
  passwordRefused: (reason: string) => string;
  passwordEnvUnset: (variable: string) => string;
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
  /** The TLS handshake failed; `reason` is Bun's words for it ("self-signed certificate"). */
  causeCertificate: (reason: string) => string;
  /** The certificate is trusted but made out for other names than `host`. */
  causeWrongHost: (host: string) => string;
  /** A certificate error code from the handshake in a few words; unknown codes keep Bun's words. */
  certProblem: (code: string, detail: string) => string;
  /** --ca names a file that cannot be read; `code` is the system error code. */
  caUnreadable: (path: string, code: string) => string;
  /** --insecure is on: said once, before connecting. */
  insecureWarning: string;
  connectionLost: string;
  /** The server announced it was going away; `notice` is its words. */
  disconnected: (notice: string) => string;
  nameRefused: (reason: string) => string;
  noName: string;
  badOption: (detail: string) => string;
  badPort: (value: string) => string;
  badHost: (value: string) => string;
  /** --host carries a port that --port contradicts. */
  portConflict: (host: string, port: number) => string;
  badLang: (value: string) => string;
  /** An input line too long to send was skipped (piped mode). */
  inputTooLong: (maxBytes: number) => string;
  /** A typed line over the server's limit, kept in the input line instead of sent. */
  lineTooLong: (bytes: number, maxBytes: number) => string;
  /** A line typed while the client is reconnecting, kept in the input line. */
  notConnected: string;
  /** The server refused a block we sent (muted, slow or quiet mode): how to send it again. */
  blockNotSaid: (lines: number) => string;
  /** After the sentence saying the connection is gone. */
  reconnecting: string;
  /** In the prompt while waiting to reconnect. */
  reconnectingIn: (seconds: number) => string;
  /** In the prompt while a reconnection is under way. */
  connecting: string;
  /** Rejoining after a loss, our name is still held (by our own old connection, most often). */
  nameStillTaken: (name: string) => string;
  /** Rejoined as new after a loss, and the room's log had started afresh: what was said is gone. */
  missedRestart: string;
  /** Rejoined as new after a loss (the resume failed): some of what was said may be missing. */
  missedSome: string;
  /** We were an operator, and came back as a member without its rights (a restart, a long cut). */
  operatorLost: string;
  /** /nick typed while reconnecting: the name to rejoin under. */
  rejoinAs: (name: string) => string;
  historyNotSaved: (reason: string) => string;
  /** Shown after the server's /help list in interactive mode. */
  keysHelp: readonly string[];
}

const en: Strings = {
  usage: `Usage: bun run client [options]

Chat in a papo room from the terminal.

Options:
  --host HOST     server address, also HOST:PORT or [IPv6]:PORT
                  (default 127.0.0.1)
  --port, -p N    server port (default 10101)
  --name, -n NAME your name; without it you are asked for one
                  (piped input: the first line is the name)
  --lang LANG     en or pt, for the client and the server's lines
                  (default: from LC_ALL / LANG)
  --password-env VAR
                  the variable holding the room's password
                  (default PAPO_ROOM_PASSWORD); unset, a terminal asks
                  for it and piped mode fails
  --tls           encrypt the connection; the server's certificate must be
                  trusted by this system
  --ca FILE       trust this certificate (the server's own, when it is
                  self-signed, or its CA's); implies --tls
  --insecure      accept any certificate (test servers only); implies --tls
  --no-color      no colours (also NO_COLOR=1, or when output is not a terminal)
  --no-bell       no terminal bell for mentions and private messages
  --help, -h      show this help

On a terminal: Tab completes names and commands, Up/Down browse what you
typed (kept in $XDG_DATA_HOME/papo/history, never names or passwords),
Ctrl-C clears the line or leaves on an empty one, Ctrl-Z suspends. A lost
connection is retried, with the time to the next try in the prompt.

Piped mode: when input is not a terminal, each input line is sent and each
line received is printed; at the end of input the client says /quit.
Exit status: 0 once the server confirms the /quit, 1 if it cannot connect
or join, 2 if the connection is lost or the server ends it.`,
  usernamePrompt: "Username: ",
  passwordPrompt: "Room password: ",
  passwordChecking: "Room password (checking…): ",
  operatorPasswordPrompt: (name) =>
    name ? `${name} is kept for an operator. Operator password: ` : "Operator password: ",
  passwordNeeded: (variable) =>
    `This room has a password: put it in the environment variable ${variable}.`,
  passwordRefused: (reason) => `The server refused the password: ${reason}.`,
  passwordEnvUnset: (variable) => `The variable ${variable} (from --password-env) is not set.`,
  cannotConnect: (address, cause) => `Cannot connect to ${address}: ${cause}.`,
  causeRefused: "connection refused (is the server running?)",
  causeUnknownHost: (host) => `unknown host ${host}`,
  causeTimedOut: (seconds) => `no answer within ${seconds} s`,
  causeClosed: "the server closed the connection",
  causeServer: (reason) => `the server said "${reason}"`,
  causeOther: (detail) => detail,
  causeCertificate: (reason) =>
    `the server's certificate is not trusted (${reason}); use --ca FILE or --insecure`,
  causeWrongHost: (host) =>
    `the server's certificate is not made out for ${host}: connect by a name it is made out for`,
  certProblem: (code, detail) =>
    ({
      DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed certificate",
      SELF_SIGNED_CERT_IN_CHAIN: "self-signed certificate in the chain",
      UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "unknown issuer",
      UNABLE_TO_VERIFY_LEAF_SIGNATURE: "unknown issuer",
      CERT_HAS_EXPIRED: "expired certificate",
      ERR_TLS_CERT_ALTNAME_INVALID: "made out for another host name",
    })[code] ?? `${detail} (${code})`,
  caUnreadable: (path, code) =>
    `Cannot read the certificate "${path}" given with --ca${code === "ENOENT" ? ": no such file" : code ? ` (${code})` : ""}.`,
  insecureWarning:
    "Warning: --insecure accepts any certificate; the connection is encrypted but anyone in between could read it.",
  connectionLost: "Connection to server lost.",
  disconnected: (notice) => `Disconnected: ${notice}.`,
  nameRefused: (reason) => `The server refused the name: ${reason}.`,
  noName: "No name given: use --name, or make the first input line the name.",
  badOption: (detail) => `${detail}. Try --help.`,
  badPort: (value) => `Invalid port "${value}": use a number from 1 to 65535.`,
  badHost: (value) => `Invalid host "${value}": use HOST, HOST:PORT, IPV6 or [IPV6]:PORT.`,
  portConflict: (host, port) =>
    `--host ${host} names another port than --port ${port}: give the port once.`,
  badLang: (value) => `Unknown language "${value}": use en or pt.`,
  inputTooLong: (maxBytes) => `Skipped an input line longer than ${maxBytes} bytes.`,
  lineTooLong: (bytes, maxBytes) =>
    `Not sent: the line is ${bytes} bytes and the server takes at most ${maxBytes}.`,
  notConnected: "Not sent: not in the room right now (the line is kept).",
  blockNotSaid: (lines) =>
    `Your block of ${lines} lines was not said; it is kept: press Enter on an empty line to send it again.`,
  reconnecting: "Reconnecting (Ctrl-C to give up).",
  reconnectingIn: (seconds) => `reconnecting in ${seconds} s…`,
  connecting: "connecting…",
  nameStillTaken: (name) =>
    `The name ${name} is still taken, perhaps by your old connection until the server notices it is gone; trying again (/nick NAME picks another).`,
  missedRestart: "The server restarted: lines said while you were away are lost.",
  missedSome: "Could not come back where you left: lines said while you were away may be missing.",
  operatorLost:
    "You are no longer an operator here (the server restarted, or you were away too long): give /op PASSWORD again.",
  rejoinAs: (name) => `You will rejoin as ${name}.`,
  historyNotSaved: (reason) => `Input history not saved: ${reason}.`,
  keysHelp: [
    "keys:",
    "  Up / Down        earlier and later input lines (kept between runs)",
    "  Tab              complete a name or a command",
    "  Ctrl-A / Ctrl-E  start / end of the line",
    "  Ctrl-U           clear the line",
    "  Ctrl-C           clear the line; on an empty line, leave",
    "  Ctrl-D           leave, on an empty line (same as /quit)",
    "  Ctrl-Z           suspend (fg brings papo back)",
  ],
};

const pt: Strings = {
  usage: `Uso: bun run client [opções]

Converse numa sala papo pelo terminal.

Opções:
  --host HOST     endereço do servidor, também HOST:PORTA e [IPv6]:PORTA
                  (padrão 127.0.0.1)
  --port, -p N    porta do servidor (padrão 10101)
  --name, -n NOME seu nome; sem ele, o nome é perguntado
                  (entrada por pipe: a primeira linha é o nome)
  --lang IDIOMA   en ou pt, para o cliente e para as linhas do servidor
                  (padrão: de LC_ALL / LANG)
  --password-env VAR
                  a variável com a senha da sala
                  (padrão PAPO_ROOM_PASSWORD); sem ela, o terminal
                  pergunta a senha e o modo pipe falha
  --tls           cifra a conexão; o certificado do servidor precisa ser
                  confiável para este sistema
  --ca ARQUIVO    confia neste certificado (o do servidor, se for
                  autoassinado, ou o da sua CA); implica --tls
  --insecure      aceita qualquer certificado (só para testes); implica --tls
  --no-color      sem cores (também NO_COLOR=1, ou se a saída não é um terminal)
  --no-bell       sem campainha do terminal para menções e mensagens privadas
  --help, -h      mostra esta ajuda

No terminal: Tab completa nomes e comandos, Cima/Baixo percorrem o que você
digitou (guardado em $XDG_DATA_HOME/papo/history, nunca nomes nem senhas),
Ctrl-C apaga a linha ou sai com a linha vazia, Ctrl-Z suspende. Uma conexão
perdida é tentada de novo, com o tempo até a próxima tentativa no prompt.

Modo pipe: quando a entrada não é um terminal, cada linha de entrada é
enviada e cada linha recebida é impressa; no fim da entrada o cliente
envia /quit. Saída: 0 quando o servidor confirma o /quit, 1 se não
conseguir conectar ou entrar, 2 se a conexão cair ou o servidor encerrá-la.`,
  usernamePrompt: "Nome de usuário: ",
  passwordPrompt: "Senha da sala: ",
  passwordChecking: "Senha da sala (verificando…): ",
  operatorPasswordPrompt: (name) =>
    name ? `O nome ${name} é reservado a operadores. Senha de operador: ` : "Senha de operador: ",
  passwordNeeded: (variable) =>
    `Esta sala tem senha: coloque-a na variável de ambiente ${variable}.`,
  passwordRefused: (reason) => `O servidor recusou a senha: ${reason}.`,
  passwordEnvUnset: (variable) => `A variável ${variable} (de --password-env) não está definida.`,
  cannotConnect: (address, cause) => `Não foi possível conectar a ${address}: ${cause}.`,
  causeRefused: "conexão recusada (o servidor está rodando?)",
  causeUnknownHost: (host) => `host desconhecido ${host}`,
  causeTimedOut: (seconds) => `sem resposta em ${seconds} s`,
  causeClosed: "o servidor fechou a conexão",
  causeServer: (reason) => `o servidor disse "${reason}"`,
  causeOther: (detail) => detail,
  causeCertificate: (reason) =>
    `o certificado do servidor não é confiável (${reason}); use --ca ARQUIVO ou --insecure`,
  causeWrongHost: (host) =>
    `o certificado do servidor não foi emitido para ${host}: conecte-se por um nome para o qual ele foi emitido`,
  certProblem: (code, detail) =>
    ({
      DEPTH_ZERO_SELF_SIGNED_CERT: "certificado autoassinado",
      SELF_SIGNED_CERT_IN_CHAIN: "certificado autoassinado na cadeia",
      UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "emissor desconhecido",
      UNABLE_TO_VERIFY_LEAF_SIGNATURE: "emissor desconhecido",
      CERT_HAS_EXPIRED: "certificado expirado",
      ERR_TLS_CERT_ALTNAME_INVALID: "emitido para outro nome de host",
    })[code] ?? `${detail} (${code})`,
  caUnreadable: (path, code) =>
    `Não foi possível ler o certificado "${path}" dado com --ca${code === "ENOENT" ? ": arquivo inexistente" : code ? ` (${code})` : ""}.`,
  insecureWarning:
    "Aviso: --insecure aceita qualquer certificado; a conexão é cifrada, mas alguém no meio do caminho poderia lê-la.",
  connectionLost: "Conexão com o servidor perdida.",
  disconnected: (notice) => `Desconectado: ${notice}.`,
  nameRefused: (reason) => `O servidor recusou o nome: ${reason}.`,
  noName: "Nenhum nome informado: use --name, ou faça da primeira linha da entrada o nome.",
  badOption: (detail) => `${detail}. Veja --help.`,
  badPort: (value) => `Porta inválida "${value}": use um número de 1 a 65535.`,
  badHost: (value) => `Host inválido "${value}": use HOST, HOST:PORTA, IPV6 ou [IPV6]:PORTA.`,
  portConflict: (host, port) =>
    `--host ${host} indica outra porta que --port ${port}: informe a porta uma vez só.`,
  badLang: (value) => `Idioma desconhecido "${value}": use en ou pt.`,
  inputTooLong: (maxBytes) => `Linha de entrada com mais de ${maxBytes} bytes ignorada.`,
  lineTooLong: (bytes, maxBytes) =>
    `Não enviada: a linha tem ${bytes} bytes e o servidor aceita no máximo ${maxBytes}.`,
  notConnected: "Não enviada: você não está na sala agora (a linha foi mantida).",
  blockNotSaid: (lines) =>
    `Seu bloco de ${lines} linhas não foi dito; ele foi mantido: tecle Enter numa linha vazia para enviá-lo de novo.`,
  reconnecting: "Reconectando (Ctrl-C para desistir).",
  reconnectingIn: (seconds) => `reconectando em ${seconds} s…`,
  connecting: "conectando…",
  nameStillTaken: (name) =>
    `O nome ${name} ainda está em uso, talvez pela sua conexão antiga até o servidor perceber que ela caiu; tentando de novo (/nick NOME escolhe outro).`,
  missedRestart: "O servidor reiniciou: as linhas ditas enquanto você estava fora se perderam.",
  missedSome:
    "Não foi possível voltar de onde você parou: podem faltar linhas ditas enquanto você estava fora.",
  operatorLost:
    "Você não tem mais poderes de operador aqui (o servidor reiniciou, ou você ficou fora tempo demais): use /op SENHA de novo.",
  rejoinAs: (name) => `Você vai voltar como ${name}.`,
  historyNotSaved: (reason) => `Histórico de entrada não salvo: ${reason}.`,
  keysHelp: [
    "teclas:",
    "  Cima / Baixo     linhas digitadas antes e depois (guardadas entre execuções)",
    "  Tab              completa um nome ou um comando",
    "  Ctrl-A / Ctrl-E  início / fim da linha",
    "  Ctrl-U           apaga a linha",
    "  Ctrl-C           apaga a linha; com a linha vazia, sai",
    "  Ctrl-D           sai, com a linha vazia (o mesmo que /quit)",
    "  Ctrl-Z           suspende (fg traz o papo de volta)",
  ],
};

/** The tables, by language. */
export const STRINGS: Readonly<Record<Lang, Strings>> = { en, pt };
