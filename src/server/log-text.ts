/**
 * The operator's console in Portuguese. As gettext does, the English line is
 * the key: the server logs in English wherever it is, and consoleLog
 * (log.ts) words each line in --lang on its way out through the rules here.
 * NOTE: a line no rule knows (a rare error, a new line nobody added here
 * yet) is printed as it is, in English: better a line in the other language
 * than a line lost. test/server/log.test.ts walks the lines the server writes.
 */

import type { Lang } from "../protocol/lang.ts";

type Rule = readonly [RegExp, (...parts: string[]) => string];

/** Why a connection ended or was refused, as the session words it (output.ts, door.ts). */
const PT_WHY: Readonly<Record<string, string>> = {
  quit: "/quit",
  disconnected: "desconectou",
  "not reading": "não estava lendo",
  "no name given": "não deu nome",
  "too much input": "entrada demais",
  "server full": "servidor cheio",
  banned: "endereço banido",
  crowded: "conexões demais do endereço",
  "did not come back": "não voltou",
};

function ptWhy(why: string): string {
  const known = PT_WHY[why];
  if (known !== undefined) return known;
  const by = /^(kicked|banned) by (\S+)$/.exec(why);
  if (by) return `${by[1] === "kicked" ? "expulsão" : "banimento"} por ${by[2]}`;
  const error = /^(connection|internal) error: (.*)$/.exec(why);
  if (error) return `erro ${error[1] === "connection" ? "de conexão" : "interno"}: ${error[2]}`;
  return why;
}

const PT_RULES: readonly Rule[] = [
  // Startup (cli/run-server.ts, cli/lan.ts).
  [/^papo listening on (\S+)( \(TLS\))?$/, (at, tls) => `papo escutando em ${at}${tls ?? ""}`],
  [/^web client on (\S+)$/, (url) => `cliente web em ${url}`],
  [
    /^no network address besides loopback: other machines cannot reach this one yet$/,
    () => "nenhum endereço de rede além do loopback: outras máquinas ainda não alcançam esta",
  ],
  [
    /^other machines join with \(a copy of the certificate as FILE\):$/,
    () => "outras máquinas entram com (uma cópia do certificado como FILE):",
  ],
  [/^other machines join with:$/, () => "outras máquinas entram com:"],
  [/^or in a browser:$/, () => "ou num navegador:"],
  [/^scan to open (\S+)$/, (url) => `aponte a câmera para abrir ${url}`],
  [
    /^room (\S+) kept in (.+): (\d+) lines$/,
    (room, path, lines) => `sala ${room} guardada em ${path}: ${lines} linhas`,
  ],
  [/^sharing room (\S+) on (.+)$/, (room, url) => `sala ${room} compartilhada em ${url}`],
  [
    /^max clients lowered to (\d+) by the open-file limit$/,
    (n) => `máximo de clientes reduzido a ${n} pelo limite de arquivos abertos`,
  ],
  [/^shutting down$/, () => "desligando"],
  // The store (server.ts).
  [
    /^store: writing (.+) fails \((.*)\); relaying without keeping, retrying$/,
    (path, why) =>
      `registro: gravar ${path} falha (${why}); repassando sem guardar, tentando de novo`,
  ],
  [
    /^store: writing (.+) works again \((\d+) turns were not kept\)$/,
    (path, lost) => `registro: gravar ${path} voltou a funcionar (${lost} rodadas não guardadas)`,
  ],
  // Connection events (session/, admission/door.ts).
  [/^connected(?: \((\w+)\))?$/, (how) => (how ? `conectou (${how})` : "conectou")],
  [/^joined$/, () => "entrou"],
  [/^away$/, () => "ausente"],
  [/^left \((.*)\)$/, (why) => `saiu (${ptWhy(why)})`],
  [
    /^refused \((?:(tcp|tls|ws), )?(.*)\)$/,
    (how, why) => `recusado (${how ? `${how}, ` : ""}${ptWhy(why)})`,
  ],
  [/^wrong room password$/, () => "senha da sala errada"],
  [/^wrong operator password$/, () => "senha de operador errada"],
  [/^connection closed \((.*)\); away$/, (why) => `conexão fechada (${ptWhy(why)}); ausente`],
  [/^renamed from (\S+)$/, (old) => `antes se chamava ${old}`],
  [/^set the topic$/, () => "definiu o tópico"],
  [/^became an operator$/, () => "recebeu o papel de operador"],
  [/^gave the operator password for (\S+)$/, (name) => `deu a senha de operador de ${name}`],
  [/^kicked (\S+)$/, (name) => `expulsou ${name}`],
  [/^banned (\S+) \((.*)\)$/, (name, host) => `baniu ${name} (${host})`],
  [/^unbanned (.+)$/, (what) => `desbaniu ${what}`],
  [/^asked for the transcript$/, () => "pediu a transcrição"],
  [/^resumed as (\S+)$/, (name) => `retomou como ${name}`],
  [
    /^resumed as (\S+), before the restart$/,
    (name) => `retomou como ${name}, de antes do reinício`,
  ],
  [
    /^resumed as (\S+), from server (\S+)$/,
    (name, node) => `retomou como ${name}, vindo do servidor ${node}`,
  ],
  [/^resumed on another server$/, () => "retomou em outro servidor"],
  [
    /^removed from another server \((.*)\)$/,
    (why) => `removido por outro servidor (${ptWhy(why)})`,
  ],
  [
    /^renamed from (\S+): the name was taken during an outage$/,
    (old) => `antes se chamava ${old}: o nome foi tomado durante uma queda`,
  ],
  [/^muted (\S+)$/, (name) => `suspendeu a voz de ${name}`],
  [/^unmuted (\S+)$/, (name) => `devolveu a voz a ${name}`],
  [/^set slow mode to (\S+) s$/, (s) => `pôs o modo lento em ${s} s`],
  [/^turned quiet mode on$/, () => "ligou o modo silêncio"],
  [/^turned quiet mode off$/, () => "desligou o modo silêncio"],
  // While serving (output.ts, cluster/, cli/workers.ts).
  [/^error on (\S+): (.*)$/, (at, what) => `erro em ${at}: ${what}`],
  [
    /^cluster: the link to Redis is down; retrying$/,
    () => "cluster: a ligação com o Redis caiu; tentando de novo",
  ],
  [/^cluster: the link to Redis is back$/, () => "cluster: a ligação com o Redis voltou"],
  [/^cluster: server (\S+) is gone$/, (node) => `cluster: o servidor ${node} sumiu`],
  [
    /^papo: (\d+) workers listening on (\S+)$/,
    (n, at) => `papo: ${n} processos escutando em ${at}`,
  ],
  [
    /^papo: worker (\d+) exited \((.*)\); starting it again in (\S+) s$/,
    (i, code, wait) => `papo: o processo ${i} saiu (${code}); reiniciando em ${wait} s`,
  ],
];

const RULES: Readonly<Record<Lang, readonly Rule[]>> = { en: [], pt: PT_RULES };

/** A console line, written in English by the server, in `lang`. */
export function consoleWords(lang: Lang): (line: string) => string {
  const rules = RULES[lang];
  if (rules.length === 0) return (line) => line;
  return (line) => {
    for (const [pattern, word] of rules) {
      const m = pattern.exec(line);
      if (m) return word(...m.slice(1).map((part) => part ?? ""));
    }
    return line;
  };
}
