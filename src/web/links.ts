/**
 * The web addresses in a line, so the page can make them links: only
 * http:// and https:// (a "javascript:" or "data:" address stays text), and
 * never the punctuation a sentence puts after an address. Pure: render.ts
 * builds the anchors from these parts with DOM calls, never from HTML.
 */

/** A piece of a line: plain text, or an address to link to. */
export type Part = { readonly text: string; readonly href: string | null };

/** An http(s) address up to the next space or angle bracket (which no URL has unescaped). */
const ADDRESS = /\bhttps?:\/\/[^\s<>"]+/gi;

/** What a sentence may end an address with, rather than the address itself. */
const TRAILING = new Set([...".,;:!?'\")]}"]);

/** Split `text` into plain parts and link parts, in order; "" gives no parts. */
export function linkParts(text: string): Part[] {
  const parts: Part[] = [];
  let at = 0;
  for (const match of text.matchAll(ADDRESS)) {
    const address = trimmed(match[0]);
    const href = safeHref(address);
    if (href === null) continue;
    if (match.index > at) parts.push({ text: text.slice(at, match.index), href: null });
    parts.push({ text: address, href });
    at = match.index + address.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), href: null });
  return parts;
}

/**
 * The address without the sentence's punctuation after it; a closing
 * bracket stays when the address opened it (a wiki's "Foo_(bar)").
 */
function trimmed(address: string): string {
  let end = address.length;
  const count = (c: string) => address.slice(0, end).split(c).length - 1;
  while (end > 0 && TRAILING.has(address[end - 1] as string)) {
    if (address[end - 1] === ")" && count(")") <= count("(")) break;
    end -= 1;
  }
  return address.slice(0, end);
}

/** The address as the browser will read it, when it is really http or https. */
function safeHref(address: string): string | null {
  try {
    const url = new URL(address);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}
