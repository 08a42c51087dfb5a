/**
 * papo's web client: the page's wiring, and its conversation with the
 * server from the door into the room. One WebSocket to the server that
 * served the page (connection.ts), carrying the line protocol in its version
 * 2 (tagged lines); what the server says is sorted by view.ts and shown with
 * textContent only, never as HTML (render.ts). The terminal client's pure
 * code (meaning.ts, members.ts, resume.ts) says what each line means: the
 * name prompt, the member list, coming back where it left after a lost
 * connection, and never showing a room line twice.
 *
 * Nothing is stored in the browser: names, history and a room password
 * live in this page's memory only.
 */

import { CAP_LINE, read } from "../client/core/meaning.ts";
import { Members } from "../client/core/members.ts";
import { Resume } from "../client/core/resume.ts";
import type { Lang } from "../protocol/lang.ts";
import { action, chat } from "../protocol/messages.ts";
import { nameKey } from "../protocol/names.ts";
import { parseInput } from "../protocol/parse.ts";
import { sanitize } from "../protocol/sanitize.ts";
import { Connection } from "./connection.ts";
import { type Asks, Door } from "./door.ts";
import { inputBox } from "./input.ts";
import { inviteButton } from "./invite.ts";
import { Notifier } from "./notify.ts";
import { restored, Unsaid } from "./refused.ts";
import { MemberList, showLine } from "./render.ts";
import { completeOnTab, TabCompleter } from "./tab.ts";
import { topicOf } from "./topic.ts";
import { TranscriptButton } from "./transcript.ts";
import { NewLinesMarker } from "./unread.ts";
import { type Entry, present } from "./view.ts";
import { pageLang, WORDS } from "./words.ts";

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
const input = $<HTMLInputElement>("input");
const notifyButton = $<HTMLButtonElement>("notify");
const reconnectButton = $<HTMLButtonElement>("reconnect");

$("help").textContent = w.help;
$("send").textContent = w.send;
$("input-label").textContent = w.placeholder;
$("members-title").textContent = w.members;
$("topic-label").textContent = `${w.topic}: `;
// The live region around the list: a list's role must stay a list's.
$("log-region").setAttribute("aria-label", w.log);
input.placeholder = w.placeholder;
reconnectButton.textContent = w.reconnectNow;
notifyButton.textContent = w.notify;

const connection = new Connection(
  { connecting, opened, heard, closed },
  $("status"),
  reconnectButton,
  w,
);
const door = new Door(document, w, answered);
const box = inputBox(input);
const notifier = new Notifier(notifyButton, w);
const memberList = new MemberList(
  $("member-list"),
  $("members"),
  $("members-toggle"),
  w.members,
  new Intl.Collator(document.documentElement.lang),
);
const marker = new NewLinesMarker(log, $("unread"), w.newLines);
inviteButton($("invite"), $("invite-dialog"), w);
completeOnTab(
  input,
  new TabCompleter(
    () => members.names(),
    () => name,
  ),
);
/** The line just sent, given back to the input if the server refuses it (refused.ts). */
const unsaid = new Unsaid();
const transcript = new TranscriptButton($("transcript"), w.transcript, () => {
  connection.send("/transcript");
  input.focus();
});

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
/** The server's line limit, from its limits line; nothing longer is sent. */
let maxLineBytes = Number.POSITIVE_INFINITY;
const utf8 = new TextEncoder();
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

function connecting(): void {
  phase = "connecting";
}

function opened(): void {
  // Protocol version 2, and our place back when we had one (resume.ts).
  connection.send(CAP_LINE);
  const again = resume.request();
  resuming = again !== null;
  if (again !== null) connection.send(again);
}

/** One line from the server: act on what it means, then show it, unless it was shown already. */
function heard(raw: string): void {
  const line = read(raw);
  const m = line.meaning;
  if (transcript.heard(line)) {
    show(present(`* ${w.transcriptSaved}`, name, new Date(), lang));
    return;
  }
  const topic = topicOf(line);
  if (topic !== null) showTopic(topic);
  const refused = unsaid.refused(line);
  const back = refused === null ? null : restored(input.value, refused);
  if (back !== null) {
    input.value = back;
    // The box masks an "/op" and the like on input (input.ts).
    input.dispatchEvent(new Event("input"));
  }
  switch (m?.kind) {
    case "cap":
      connection.answered();
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
      door.ask("password", line.text);
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
        door.ask(phase === "naming" ? "name" : "password", line.text);
      }
  }
  // The greeting is the one untagged line that is no refusal: said once is enough.
  if (line.kind === "" && !line.text.startsWith("! ") && greeted) return;
  if (line.kind === "") greeted = true;
  if (!resume.shows(line)) return;
  members.hear(line);
  memberList.show(members.shown(), name);
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
    connection.send(`/lang ${lang}`);
  }
  if (!roomPassword) {
    named();
    return;
  }
  phase = "password";
  // The one we were let in with, or one typed while the page was away.
  if (tried === "") tried = password;
  if (tried !== "") connection.send(tried);
  else door.ask("password");
}

/** In the room: as a new member, or back where we left. */
function inRoom(as: string): void {
  phase = "joined";
  name = as;
  door.hide();
  input.disabled = false;
  input.focus();
}

/** Time to give a name: the one we had (a reconnect), or ask for one. */
function named(): void {
  phase = "naming";
  if (name !== "") connection.send(name);
  else door.ask("name");
}

/** A name or password typed at the door. */
function answered(asks: Asks | null, value: string): void {
  if (asks === "password") tried = value;
  else name = value;
  // The server gave up waiting (or the connection was lost): knock again now,
  // and answer its greeting with this.
  if (phase === "idle" || phase === "lost") connection.open();
  else if (phase === "password" && asks === "password") connection.send(tried);
  else if (phase === "naming" && asks === "name") connection.send(name);
  // Otherwise (connecting) the greeting to come is answered with it.
}

/** The connection is gone: try again later, keeping whatever is typed (and who was there). */
function closed(): void {
  // Waiting for the person at the door: their answer knocks again.
  if (phase === "idle") return;
  if (phase === "ended") {
    // The door would cover the way back in (and the line that says why).
    door.hide();
    connection.ended();
    return;
  }
  phase = "lost";
  connection.retryLater();
}

/** The room's topic in the header, where it stays ("" hides it). */
function showTopic(topic: string): void {
  $("topic").hidden = topic === "";
  $("topic-text").textContent = topic;
  $("topic").title = topic;
}

/** One line on the page; a private line or a mention may want the person too. */
function show(entry: Entry): void {
  marker.added(showLine(log, entry, name));
  if (entry.attention !== null) notifier.attend(entry);
}

$("help").addEventListener("click", () => {
  connection.send("/help");
  input.focus();
});

$("say").addEventListener("submit", (event) => {
  event.preventDefault();
  const line = input.value;
  if (line.trim() === "" || phase !== "joined" || !connection.isOpen) return;
  const bytes = utf8.encode(line).length;
  if (bytes > maxLineBytes) {
    // Refused here, as the terminal client does: the line stays to be shortened.
    show(present(w.tooLong(bytes, maxLineBytes), name, new Date()));
    return;
  }
  connection.send(line);
  unsaid.sent(line);
  // The server does not send people their own lines back: show them here,
  // read as the server reads them (sanitised first).
  const typed = parseInput(sanitize(line));
  if (typed.kind === "message") show(present(chat(name, typed.text), name, new Date()));
  if (typed.kind === "me") show(present(action(name, typed.action), name, new Date()));
  // Kept for Up and Down, never an "/op PASSWORD" (input.ts); the box empties.
  box.sent(line);
});

memberList.show(members.shown(), name);
connection.open();
