/**
 * The words of `papo` itself (the one-file program, cli/papo.ts) in each
 * language: its --help and its one sentence for a command it does not know.
 * Which language: the locale's, as the client decides; each command's own
 * --help says its options.
 */

import type { Lang } from "../protocol/lang.ts";

export interface PapoWords {
  help: string;
  unknown: (command: string) => string;
}

const en: PapoWords = {
  help: `papo: a chat room over TCP and the web

usage: papo <command> [options]

commands:
  server         run the chat server, with its web page
  client         chat in a room from the terminal, or from a script (piped)
  export         write a room's log as a transcript

  papo <command> --help   that command's options
  --version, -v           show papo's version
  --help, -h              show this help
`,
  unknown: (command) => `papo: no command ${command}: server, client or export (try --help)`,
};

const pt: PapoWords = {
  help: `papo: uma sala de bate-papo por TCP e pela web

uso: papo <comando> [opções]

comandos:
  server         roda o servidor de bate-papo, com a sua página web
  client         conversa numa sala pelo terminal, ou por um script (entrada por pipe)
  export         escreve o registro de uma sala como transcrição

  papo <comando> --help   as opções desse comando
  --version, -v           mostra a versão do papo
  --help, -h              mostra esta ajuda
`,
  unknown: (command) =>
    `papo: não há o comando ${command}: server, client ou export (tente --help)`,
};

export const PAPO_WORDS: Readonly<Record<Lang, PapoWords>> = { en, pt };
