/**
 * A line client over node:net, for the few tests that need a connection
 * from another loopback address (Bun.connect cannot choose its source;
 * node:net's localAddress can): bans and per-address caps.
 */

import net from "node:net";

/**
 * A client from another loopback address (Bun.connect cannot choose one;
 * node:net can): connected, greeted, and joined as `name` unless `named` is
 * false, which leaves the greeting (or refusal) unread.
 */
export async function joinFrom(port: number, name: string, from: string, named = true) {
  const lines: string[] = [];
  let wake: () => void = () => {};
  let partial = "";
  let isClosed = false;
  const socket = net.connect({ host: "127.0.0.1", port, localAddress: from });
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  socket.on("close", () => {
    isClosed = true;
    wake();
  });
  socket.on("error", () => {});
  socket.on("data", (chunk: Buffer) => {
    partial += chunk.toString("utf8");
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
    wake();
  });
  const next = async (ms = 3000): Promise<string> => {
    const deadline = Date.now() + ms;
    while (lines.length === 0) {
      if (isClosed) throw new Error("connection closed while waiting for a line");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line within ${ms} ms`);
      // Woken by a line or the close; the timer is only the deadline.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return lines.shift() as string;
  };
  const until = async (match: (line: string) => boolean) => {
    for (;;) {
      const line = await next();
      if (match(line)) return line;
    }
  };
  const client = {
    next,
    until,
    closed,
    send: (line: string) => socket.write(`${line}\n`),
    end: () => socket.end(),
  };
  if (!named) return client;
  await next();
  client.send(name);
  const welcome = await next();
  if (!welcome.startsWith(`* hello ${name}!`)) throw new Error(`not welcomed: ${welcome}`);
  return client;
}
