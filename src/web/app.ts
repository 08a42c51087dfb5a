/**
 * papo's web client: the page's wiring. One WebSocket to the server that
 * served the page, carrying the line protocol in its version 2 (tagged
 * lines); what the server says is sorted by view.ts and shown with
 * textContent only, never as HTML. The terminal client's pure code
 * (meaning.ts, members.ts, resume.ts) says what each line means: the name
 * prompt, the member list, coming back where it left after a lost
 * connection, and never showing a room line twice.
 *
 * Nothing is stored in the browser: names, history and a room password
 * live in this page's memory only.
 */

import { reconnectDelay, secondsLeft } from "../client/core/backoff.ts";
import { CAP_LINE, read } from "../client/core/meaning.ts";
import { Members } from "../client/core/members.ts";
import { Resume } from "../client/core/resume.ts";
import { CLIENT_DEFAULTS } from "../config.ts";
import type { Lang } from "../protocol/lang.ts";
import { action, chat } from "../protocol/messages.ts";
import { nameKey } from "../protocol/names.ts";
import { parseInput } from "../protocol/parse.ts";
import { sanitize } from "../protocol/sanitize.ts";
import { WEBSOCKET_PATH } from "./paths.ts";
import { type Entry, present } from "./view.ts";
import { pageLang, WORDS } from "./words.ts";

/** Lines kept on the page; older ones are removed (the DOM would only grow). */
const MAX_LINES = 2_000;
/** Input lines kept for Up and Down. */
const MAX_HISTORY = 200;

/**
 * Where the page is. "connecting": until the server answers CAP (and a
 * RESUME, when the page had a place to come back to). "password" and "naming": at the door, before joining;
 * only then is a server's "wrong password" or refusal about the door (in the
 * room it answers /op, and is only shown). "idle": the server gave up waiting
 * for a name or password; the page knocks again once the person gives it.
 */
type Phase = "connecting" | "password" | "naming" | "joined" | "idle" | "lost" | "ended";

const lang: Lang = pageLang(
  navigator.languages?.length ? navigator.languages : [navigator.language],
);
const w = WORDS[lang];
document.documentElement.lang = lang === "pt" ? "pt-BR" : "en";

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const log = $<HTMLOListElement>("log");
const status = $<HTMLParagraphElement>("status");
const input = $<HTMLInputElement>("input");
const memberList = $<HTMLUListElement>("member-list");
const membersPanel = $<HTMLElement>("members");
const membersToggle = $<HTMLButtonElement>("members-toggle");
const notifyButton = $<HTMLButtonElement>("notify");
const reconnectButton = $<HTMLButtonElement>("reconnect");
const door = $<HTMLDivElement>("door");
const doorInput = $<HTMLInputElement>("door-input");
const doorError = $<HTMLParagraphElement>("door-error");

$("help").textContent = w.help;
$("send").textContent = w.send;
$("input-label").textContent = w.placeholder;
$("members-title").textContent = w.members;
log.setAttribute("aria-label", w.log);
input.placeholder = w.placeholder;
reconnectButton.textContent = w.reconnectNow;
notifyButton.textContent = w.notify;

let socket: WebSocket | null = null;
let phase: Phase = "connecting";
/** Our name once the server welcomed it; asked again after a reconnect. */
let name = "";
/**
 * The room's password the server let us in with, in memory only (never in
 * the browser's storage), given again on every reconnect for the page's life.
 */
let password = "";
/** A password typed at the door and not yet answered. */
let tried = "";
let tries = 0;
/** The server's line limit, from its limits line; nothing longer is sent. */
let maxLineBytes = Number.POSITIVE_INFINITY;
const utf8 = new TextEncoder();
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let unread = 0;
/** A RESUME was sent on this connection: its answer comes before anything else. */
let resuming = false;
/** The room wants its password before the name (the CAP answer said). */
let roomPassword = false;
/** The page asked the server for its language: the answer is not shown. */
let langAsked = false;
/** The untagged greeting was shown once: later connections' are not. */
let greeted = false;
/** One of the page's own sentences to show after the current line ("" for none). */
let note = "";
/** Our resume token and the last room line shown, for the page's life. */
const resume = new Resume();
const members = new Members();
const history: string[] = [];
let historyAt = -1;
let draft = "";

function connect(): void {
  if (retryTimer !== null) clearTimeout(retryTimer);
  retryTimer = null;
  reconnectButton.hidden = true;
  setStatus(w.connecting);
  phase = "connecting";
  // One the server is closing (it gave up waiting at the door) is let go of.
  const old = socket;
  socket = null;
  old?.close();
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(`${scheme}//${location.host}${WEBSOCKET_PATH}`);
  ws.binaryType = "arraybuffer";
  const decoder = new TextDecoder();
  ws.onmessage = (event) => {
    // A connection the page has let go of (it knocked again) has nothing to say.
    if (socket !== ws) return;
    const text = typeof event.data === "string" ? event.data : decoder.decode(event.data);
    // A frame holds whole lines, each ending in "\n".
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    for (const line of lines) heard(line.replace(/\r$/, ""));
  };
  ws.onopen = () => {
    if (socket !== ws) return;
    // Protocol version 2, and our place back when we had one (resume.ts).
    send(CAP_LINE);
    const again = resume.request();
    resuming = again !== null;
    if (again !== null) send(again);
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = null;
    lost();
  };
  socket = ws;
}

function send(line: string): void {
  if (socket?.readyState === WebSocket.OPEN) socket.send(line);
}

/** One line from the server: act on what it means, then show it, unless it was shown already. */
function heard(raw: string): void {
  const line = read(raw);
  const m = line.meaning;
  switch (m?.kind) {
    case "cap":
      tries = 0;
      setStatus(w.connected);
      roomPassword = m.password;
      if (m.maxLineBytes !== null) maxLineBytes = m.maxLineBytes;
      // Resuming: the server answers the RESUME next. Otherwise in as a new member.
      if (!resuming) knock(m.lang);
      return;
    case "resumed":
      resume.resumed(m.token);
      inRoom(m.name);
      break;
    case "resume-failed":
      resume.failed();
      resuming = false;
      knock(null);
      break;
    case "password-accepted":
      if (phase !== "password") break;
      password = tried;
      tried = "";
      named();
      break;
    case "wrong-password":
      // Only at the door: in the room the same words answer a wrong /op.
      if (phase !== "password") break;
      // Even the one we were let in with: the room's password has changed.
      password = "";
      tried = "";
      ask("password", line.text);
      break;
    case "welcome": {
      inRoom(m.name);
      const missed = resume.welcomed(m.token, m.pos);
      if (missed !== null) note = missed === "restart" ? w.missedRestart : w.missedSome;
      break;
    }
    case "limits":
      maxLineBytes = m.maxLineBytes;
      break;
    case "language":
      // The answer to the page's own /lang is no news to the person.
      if (langAsked) {
        langAsked = false;
        return;
      }
      break;
    case "name-timeout":
      // The server stopped waiting for the person at the door. As the terminal
      // client does, say nothing: knock again when they answer (the door stays).
      if (phase === "naming" || phase === "password") {
        phase = "idle";
        return;
      }
      break;
    case "bye":
    case "banned-here":
      // Over for good: coming back on our own would only be told the same.
      phase = "ended";
      break;
    case "removed":
      if (nameKey(m.name) === nameKey(name)) phase = "ended";
      break;
    case "renamed":
      if (nameKey(m.from) === nameKey(name)) name = m.to;
      break;
    default:
      // A refusal while choosing a name: explain it where the name is typed.
      if ((phase === "naming" || phase === "password") && line.text.startsWith("! ")) {
        ask(phase === "naming" ? "name" : "password", line.text);
      }
  }
  // The greeting is the one untagged line that is no refusal: said once is enough.
  if (line.kind === "" && !line.text.startsWith("! ") && greeted) return;
  if (line.kind === "") greeted = true;
  if (!resume.shows(line)) return;
  members.hear(line);
  showMembers();
  show(present(line, phase === "joined" ? name : "", new Date(), lang));
  if (note !== "") show(present(`* ${note}`, name, new Date(), lang));
  note = "";
}

/**
 * The server is ready for a new member: the page's language first, then the
 * room's password if it has one, then the name.
 */
function knock(serverLang: string | null): void {
  if (serverLang !== lang) {
    langAsked = true;
    send(`/lang ${lang}`);
  }
  if (!roomPassword) {
    named();
    return;
  }
  phase = "password";
  // The one we were let in with, or one typed while the page was away.
  if (tried === "") tried = password;
  if (tried !== "") send(tried);
  else ask("password");
}

/** In the room: as a new member, or back where we left. */
function inRoom(as: string): void {
  phase = "joined";
  name = as;
  door.hidden = true;
  input.disabled = false;
  input.focus();
}

/** Time to give a name: the one we had (a reconnect), or ask for one. */
function named(): void {
  phase = "naming";
  if (name !== "") send(name);
  else ask("name");
}

function ask(what: "name" | "password", refusal = ""): void {
  door.hidden = false;
  $("door-title").textContent = what === "name" ? w.namePrompt : w.passwordPrompt;
  $("door-hint").textContent = what === "name" ? w.nameHint : w.passwordHint;
  $("door-button").textContent = what === "name" ? w.join : w.enter;
  doorInput.type = what === "password" ? "password" : "text";
  // A password field starts empty: never a name (or anything else) as dots in it.
  if (what === "password" && doorInput.dataset.asks !== "password") doorInput.value = "";
  doorInput.dataset.asks = what;
  doorError.textContent = refusal.replace(/^! /, "");
  doorInput.focus();
  doorInput.select();
}

$("door-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const value = doorInput.value.trim();
  if (value === "") return;
  const asks = doorInput.dataset.asks;
  if (asks === "password") {
    tried = doorInput.value;
    doorInput.value = "";
  } else {
    name = value;
  }
  doorError.textContent = "";
  // The server gave up waiting (or the connection was lost): knock again now,
  // and answer its greeting with this.
  if (phase === "idle" || phase === "lost") connect();
  else if (phase === "password" && asks === "password") send(tried);
  else if (phase === "naming" && asks === "name") send(name);
  // Otherwise (connecting) the greeting to come is answered with it.
});

/** The connection is gone: try again later, keeping whatever is typed (and who was there). */
function lost(): void {
  // Waiting for the person at the door: their answer knocks again.
  if (phase === "idle") return;
  if (phase === "ended") {
    // The door would cover the way back in (and the line that says why).
    door.hidden = true;
    setStatus(w.ended, true);
    reconnectButton.hidden = false;
    return;
  }
  phase = "lost";
  // The terminal client's waits: 1 s, doubling, at most 30 s, spread ±20%.
  const wait = reconnectDelay(tries, Math.random(), CLIENT_DEFAULTS.reconnect);
  tries++;
  setStatus(w.lost(secondsLeft(wait)), true);
  reconnectButton.hidden = false;
  retryTimer = setTimeout(connect, wait);
}

reconnectButton.addEventListener("click", () => {
  tries = 0;
  connect();
});

function setStatus(text: string, bad = false): void {
  status.textContent = text;
  status.classList.toggle("lost", bad);
}

/** One line on the page, built from text nodes only. */
function show(entry: Entry): void {
  const item = document.createElement("li");
  item.className = `line ${entry.kind}`;
  if (entry.attention === "mention") item.classList.add("mention");
  const time = document.createElement("time");
  time.textContent = entry.time;
  item.append(time);
  if (entry.tag !== "") {
    const tag = document.createElement("span");
    tag.className = "tag";
    tag.textContent = entry.tag;
    item.append(tag, " ");
  }
  if (entry.name !== "") {
    const who = document.createElement("span");
    who.className = `who c${entry.color}`;
    if (entry.name === name) who.classList.add("self");
    who.textContent = entry.action ? `* ${entry.name}` : `<${entry.name}>`;
    item.append(who, " ");
  }
  const text = document.createElement("span");
  text.className = "text";
  text.textContent = entry.text;
  item.append(text);
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  log.append(item);
  while (log.childElementCount > MAX_LINES) log.firstElementChild?.remove();
  if (atBottom) log.scrollTop = log.scrollHeight;
  if (entry.attention !== null) attend(entry);
}

/** A private line or a mention: a notification while the tab is hidden, if allowed. */
function attend(entry: Entry): void {
  if (!document.hidden) return;
  unread++;
  document.title = `(${unread}) papo`;
  if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
  new Notification(w.notificationFrom(entry.name), { body: entry.text, tag: "papo" });
}

document.addEventListener("visibilitychange", () => {
  if (document.hidden) return;
  unread = 0;
  document.title = "papo";
});

if (typeof Notification !== "undefined" && Notification.permission !== "denied") {
  notifyButton.hidden = false;
  if (Notification.permission === "granted") notifyButton.textContent = w.notifyOn;
  notifyButton.addEventListener("click", async () => {
    const answer = await Notification.requestPermission();
    notifyButton.textContent = answer === "granted" ? w.notifyOn : w.notify;
    if (answer === "denied") notifyButton.hidden = true;
  });
}

function showMembers(): void {
  const names = members.names();
  const items = names.map((member) => {
    const item = document.createElement("li");
    const entry = present(`<${member}> .`, "", new Date());
    item.className = `who c${entry.color}`;
    if (member === name) item.classList.add("self");
    item.textContent = member;
    return item;
  });
  memberList.replaceChildren(...items);
  membersToggle.textContent = `${w.members} (${names.length})`;
}

membersToggle.addEventListener("click", () => {
  const open = membersPanel.classList.toggle("open");
  membersToggle.setAttribute("aria-expanded", String(open));
});

$("help").addEventListener("click", () => {
  send("/help");
  input.focus();
});

$("say").addEventListener("submit", (event) => {
  event.preventDefault();
  const line = input.value;
  if (line.trim() === "" || phase !== "joined" || socket?.readyState !== WebSocket.OPEN) return;
  const bytes = utf8.encode(line).length;
  if (bytes > maxLineBytes) {
    // Refused here, as the terminal client does: the line stays to be shortened.
    show(present(w.tooLong(bytes, maxLineBytes), name, new Date()));
    return;
  }
  send(line);
  // The server does not send people their own lines back: show them here,
  // read as the server reads them (sanitised first).
  const typed = parseInput(sanitize(line));
  if (typed.kind === "message") show(present(chat(name, typed.text), name, new Date()));
  if (typed.kind === "me") show(present(action(name, typed.action), name, new Date()));
  // Never a password: "/op PASSWORD" stays out of the history.
  const kind = typed.kind;
  const keep = kind !== "empty" && kind !== "op" && !secret(line);
  if (keep && history[0] !== line) history.unshift(line);
  if (history.length > MAX_HISTORY) history.pop();
  historyAt = -1;
  input.value = "";
  mask();
});

/** Whether a typed line holds the operator password: "/op " and what follows. */
function secret(line: string): boolean {
  return /^\/op\s/i.test(sanitize(line));
}

/** Whether the browser draws text as discs on request (Chromium and WebKit do). */
const discs = typeof CSS !== "undefined" && CSS.supports("-webkit-text-security", "disc");

/**
 * "/op PASSWORD" is hidden as it is typed: the teacher's screen is often
 * projected. Text drawn as discs (the field stays a text field, so the
 * browser offers to save no password); elsewhere, a password field.
 */
function mask(): void {
  const hide = secret(input.value);
  input.classList.toggle("secret", hide);
  input.spellcheck = !hide;
  if (!discs) input.type = hide ? "password" : "text";
}

input.addEventListener("input", mask);

input.addEventListener("keydown", (event) => {
  if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
  if (history.length === 0) return;
  event.preventDefault();
  if (historyAt === -1) draft = input.value;
  historyAt = Math.max(
    -1,
    Math.min(history.length - 1, historyAt + (event.key === "ArrowUp" ? 1 : -1)),
  );
  input.value = historyAt === -1 ? draft : (history[historyAt] as string);
  mask();
});

showMembers();
connect();
