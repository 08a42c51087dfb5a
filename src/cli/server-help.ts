/**
 * The words of `bun run server --help` in each language: its title, the
 * flags that util.parseArgs takes without a config field, and the Portuguese
 * help of each flag (run-server.ts's table holds the English one). Which
 * language: --lang when given, else the locale's, as the client decides.
 */

import { SECRET_ENV } from "../config.ts";
import { isLang, type Lang, langFromEnv } from "../protocol/lang.ts";

export interface ServerHelp {
  title: string;
  synopsis: string;
  /** The boolean flags and --workers, after the table's. */
  extra: ReadonlyArray<[string, string]>;
  /** Each table flag's help in this language, by flag name; English keeps the table's. */
  flags: Readonly<Record<string, string>>;
}

const en: ServerHelp = {
  title: "papo chat server",
  synopsis: "[options]",
  extra: [
    ["--no-web", "do not serve the web client"],
    ["--no-store", "keep nothing on disk: the room lives in memory only"],
    ["--workers N|auto", "N processes on one port sharing the room (needs --redis)"],
    ["--quiet, -q", "do not log connections; startup and shutdown are still printed"],
    ["--help, -h", "show this help"],
  ],
  flags: {},
};

const pt: ServerHelp = {
  title: "servidor de bate-papo papo",
  synopsis: "[opções]",
  extra: [
    ["--no-web", "não serve o cliente web"],
    ["--no-store", "não guarda nada em disco: a sala vive só na memória"],
    ["--workers N|auto", "N processos numa porta dividindo a sala (precisa de --redis)"],
    ["--quiet, -q", "não registra as conexões; início e fim ainda são impressos"],
    ["--help, -h", "mostra esta ajuda"],
  ],
  flags: {
    host: "endereço em que escutar",
    port: "porta TCP; 0 escolhe uma livre",
    "max-clients": "máximo de conexões ao mesmo tempo",
    "max-line-bytes": "linha mais longa, em bytes",
    "max-queue-bytes": "bytes da fila própria de um membro: respostas, linhas privadas",
    "window-bytes": "bytes das últimas linhas da sala guardadas para quem atrasou e para retomar",
    "behind-timeout": "fecha um membro atrasado que nada lê por este tempo; 0 nunca",
    "resume-grace": "por quanto tempo um cliente papo que sumiu mantém o nome, para retomar",
    "rate-limit": "linhas por segundo por cliente; 0 desliga o controle de excesso",
    "rate-burst": "linhas permitidas de uma vez",
    "name-timeout": "segundos para escolher um nome; 0 sem limite",
    "announce-max": "anuncia entradas e saídas só até este número de membros",
    "shutdown-grace": "segundos para entregar as despedidas ao desligar",
    lang: "idioma das linhas do servidor; cada conexão pode trocar com /lang",
    history: "linhas anteriores mostradas a quem chega; 0 nenhuma",
    "op-password": `senha do /op; melhor em ${SECRET_ENV.opPassword}, que o ps não mostra`,
    "room-password": `senha para entrar na sala; ou ${SECRET_ENV.roomPassword}`,
    "max-per-address":
      "conexões de um endereço ainda fora da sala, loopback incluído; 0 sem limite",
    "tls-cert": "arquivo de certificado PEM: o servidor fala TLS; precisa de --tls-key",
    "tls-key": "arquivo de chave privada PEM para --tls-cert",
    "web-port": "porta do cliente web, HTTPS com --tls-cert; 0 escolhe uma livre",
    "web-hosts": "outros nomes pelos quais a página é acessada, separados por vírgula",
    redis: `URL do Redis: uma sala com todos os servidores nela; ou ${SECRET_ENV.redisUrl}`,
    room: "o nome da sala: seu arquivo em --data, e suas chaves no Redis",
    "op-names":
      "nomes reservados a operadores, separados por vírgula: entrar com um deles pede a senha de operador",
    data: "pasta em que a sala é guardada, em SQLite; com --redis só quando dada",
    "keep-lines": "máximo de linhas que a sala guardada mantém; as mais antigas saem antes",
    "keep-days": "dias que a sala guardada mantém uma linha; 0 sem limite",
    "metrics-port": "porta só de /healthz, /readyz e /metrics; sem ela, ficam na porta web",
    "metrics-token": "token bearer que abre /metrics além desta máquina; ou PAPO_METRICS_TOKEN",
    "log-format": "o que o servidor imprime: text para pessoas, linhas json para coletores de log",
    "trust-proxy":
      "proxies reversos, endereços ou faixas separados por vírgula: seu X-Forwarded-For nomeia os clientes web",
  },
};

export const SERVER_HELP: Readonly<Record<Lang, ServerHelp>> = { en, pt };

/** The language of --help: --lang when it is one, else the locale's. */
export function helpLang(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Lang {
  return flag !== undefined && isLang(flag) ? flag : langFromEnv(env);
}
