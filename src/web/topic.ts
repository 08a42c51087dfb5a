/**
 * The room's topic, read from the server's tagged lines (the topic after the
 * welcome, /topic's answer, and the notice when an operator sets it), so
 * the page's header keeps showing it after the line has scrolled away. Pure.
 */

import type { ServerLine } from "../client/core/meaning.ts";
import { sanitize } from "../protocol/sanitize.ts";

/** The topic `line` tells ("" for none), or null when it tells nothing of it. */
export function topicOf(line: ServerLine): string | null {
  const args = argsOf(line.tags.args);
  switch (line.tags.ev) {
    case "topic":
      return textAt(args, 0);
    case "topicSet":
      return textAt(args, 1);
    case "noTopic":
      return "";
    default:
      return null;
  }
}

function textAt(args: unknown[], i: number): string | null {
  const value = args[i];
  return typeof value === "string" ? sanitize(value) : null;
}

/** The `args` tag: a JSON array, or nothing usable. */
export function argsOf(json: string | undefined): unknown[] {
  if (json === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}
