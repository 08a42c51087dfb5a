/**
 * papo's web client: the page's wiring. One WebSocket to the server that
 * served the page (connection.ts), carrying the line protocol in its version
 * 2 (tagged lines). Each line the server sends is read by the terminal
 * client's pure code (meaning.ts, blocks.ts, members.ts, resume.ts), moves
 * the page from the door into the room (arrival.ts), may change the header
 * (header.ts), the page's language (language.ts) or give a refused line back
 * (refused.ts), and is shown with textContent only, never as HTML (view.ts,
 * render.ts), once. What the person types goes out through sender.ts.
 *
 * Nothing is stored in the browser: names, history, a room password and an
 * operator password live in this page's memory only.
 */

import { gather } from "../client/core/blocks.ts";
import { read, type ServerLine } from "../client/core/meaning.ts";
import { Members } from "../client/core/members.ts";
import { Resume } from "../client/core/resume.ts";
import { BlockReader } from "../protocol/block.ts";
import { Arrival } from "./arrival.ts";
import { Connection } from "./connection.ts";
import { Door } from "./door.ts";
import { Header } from "./header.ts";
import { inputBox } from "./input.ts";
import { inviteButton } from "./invite.ts";
import { labelPage } from "./labels.ts";
import { PageLanguage } from "./language.ts";
import { Notifier } from "./notify.ts";
import { refusedLine, restored } from "./refused.ts";
import { MemberList, showLine } from "./render.ts";
import { Sender } from "./sender.ts";
import { completeOnTab, TabCompleter } from "./tab.ts";
import { TranscriptButton } from "./transcript.ts";
import { NewLinesMarker } from "./unread.ts";
import { type Entry, present } from "./view.ts";

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const log = $<HTMLOListElement>("log");
const input = $<HTMLTextAreaElement>("input");

const language = new PageLanguage(
  navigator.languages?.length ? navigator.languages : [navigator.language],
  relabel,
);
const w = language.w;
labelPage(document, w, language.lang);

const connection = new Connection(
  {
    connecting: () => arrival.connecting(),
    opened: () => arrival.opened(),
    heard,
    closed: () => arrival.closed(),
  },
  $("status"),
  $("reconnect"),
  w,
);
const door = new Door(document, w, (asks, value) => arrival.answered(asks, value));
/** Our resume token and the last room line shown, for the page's life. */
const resume = new Resume();
const arrival = new Arrival({ connection, door, language, resume, joined });
const members = new Members();
const blocks = new BlockReader();
const header = new Header(document, w);
const notifier = new Notifier($("notify"), w);
const memberList = new MemberList(
  $("member-list"),
  $("members"),
  $("members-toggle"),
  w,
  () => document.documentElement.lang,
);
const marker = new NewLinesMarker(log, $("unread"));
/** The text just sent, given back to the input if the server refuses it (refused.ts). */
const box = inputBox(input, () => $<HTMLFormElement>("say").requestSubmit());
const sender = new Sender({ connection, box, w, name: () => arrival.name, show });
const transcript = new TranscriptButton($("transcript"), () => {
  connection.send("/transcript");
  input.focus();
});
inviteButton($("invite"), $("invite-dialog"), w);
completeOnTab(
  input,
  new TabCompleter(
    () => members.names(),
    () => arrival.name,
  ),
);

/** The untagged greeting was shown once: later connections' are not. */
let greeted = false;

/** One line from the server: act on what it means, then show it, unless it was shown already. */
function heard(raw: string): void {
  // A block's parts are one line, once its last part is in (blocks.ts).
  const line = gather(blocks, read(raw));
  if (line === null) return;
  if (transcript.heard(line)) {
    note(w.transcriptSaved);
    return;
  }
  header.heard(line);
  sender.heard(line);
  giveBack(line);
  if (!arrival.heard(line)) return;
  // The greeting is the one untagged line that is no refusal: said once is enough.
  if (line.kind === "" && !line.text.startsWith("! ") && greeted) return;
  if (line.kind === "") greeted = true;
  if (!resume.shows(line)) return;
  members.hear(line);
  memberList.show(members.shown(), arrival.name);
  const self = arrival.phase === "joined" ? arrival.name : "";
  show(present(line, self, new Date(), language.lang));
  const missed = arrival.missed;
  arrival.missed = null;
  if (missed !== null) note(missed === "restart" ? w.missedRestart : w.missedSome);
  if (arrival.operatorLost) note(w.operatorLost);
  arrival.operatorLost = false;
}

/** The page's own word in the log, as a notice. */
function note(text: string): void {
  show(present(`* ${text}`, arrival.name, new Date(), language.lang));
}

/** A line the server refused goes back to the input, unless something new is there. */
function giveBack(line: ServerLine): void {
  const refused = refusedLine(line);
  const back = refused === null ? null : restored(input.value, refused);
  if (back !== null) box.put(back);
}

/** One line on the page; a private line or a mention may want the person too. */
function show(entry: Entry): void {
  marker.added(showLine(log, entry, arrival.name));
  if (entry.attention !== null) notifier.attend(entry);
}

/** In the room: the input is the person's. */
function joined(): void {
  input.disabled = false;
  input.focus();
}

/** The page speaks another language now: its words on what is already shown. */
function relabel(): void {
  labelPage(document, w, language.lang);
  connection.relabel();
  notifier.relabel();
  header.relabel();
  memberList.show(members.shown(), arrival.name);
}

$("help").addEventListener("click", () => {
  connection.send("/help");
  input.focus();
});

$("say").addEventListener("submit", (event) => {
  event.preventDefault();
  if (arrival.phase !== "joined" || !connection.isOpen) return;
  const text = input.value;
  if (sender.send(text)) arrival.sent(text);
  input.focus();
});

memberList.show(members.shown(), arrival.name);
connection.open();
