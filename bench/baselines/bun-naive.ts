/**
 * Baseline: the straightforward broadcaster on Bun.listen. Same protocol
 * subset as papo: the first line is the name (answered with "* hello NAME!"),
 * every later line goes to everyone else as "<name> text". Each message is
 * encoded once and written to each client with its own write(): no batching.
 *
 * NOTE: Bun's socket.write drops what the kernel does not take, so each client
 * keeps a queue of what is left, flushed on drain. Without it this baseline
 * would lose lines and the comparison would mean nothing; it is still one
 * write per message per client, and the queue has no cap.
 *
 * Usage: bun bench/baselines/bun-naive.ts [--port N] [--host H]
 */

import { parseArgs } from "node:util";
import type { Socket } from "bun";

interface Client {
  name: string | null;
  partial: string;
  decoder: TextDecoder;
  /** Bytes the kernel has not taken yet, oldest first. */
  queue: Uint8Array[];
}

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
  },
});

const encoder = new TextEncoder();
const clients = new Set<Socket<Client>>();

function send(socket: Socket<Client>, bytes: Uint8Array): void {
  const { queue } = socket.data;
  if (queue.length > 0) {
    queue.push(bytes);
    return;
  }
  const taken = socket.write(bytes);
  if (taken >= 0 && taken < bytes.length) queue.push(bytes.subarray(taken));
}

function flush(socket: Socket<Client>): void {
  const { queue } = socket.data;
  while (queue.length > 0) {
    const head = queue[0] as Uint8Array;
    const taken = socket.write(head);
    if (taken < 0) {
      queue.length = 0;
      return;
    }
    if (taken < head.length) {
      queue[0] = head.subarray(taken);
      return;
    }
    queue.shift();
  }
}

function receive(socket: Socket<Client>, chunk: Uint8Array): void {
  const client = socket.data;
  const lines = (client.partial + client.decoder.decode(chunk, { stream: true })).split("\n");
  client.partial = lines.pop() ?? "";
  for (const raw of lines) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (client.name === null) {
      client.name = line;
      clients.add(socket);
      send(socket, encoder.encode(`* hello ${line}! ${clients.size} online\n`));
      continue;
    }
    const out = encoder.encode(`<${client.name}> ${line}\n`);
    for (const other of clients) if (other !== socket) send(other, out);
  }
}

const server = Bun.listen<Client>({
  hostname: values.host ?? "127.0.0.1",
  port: Number(values.port),
  socket: {
    binaryType: "uint8array",
    open: (socket) => {
      socket.data = { name: null, partial: "", decoder: new TextDecoder(), queue: [] };
    },
    data: (socket, chunk) => receive(socket, chunk),
    drain: (socket) => flush(socket),
    close: (socket) => {
      clients.delete(socket);
    },
    error: () => {},
  },
});

process.stdout.write(`bun-naive listening on ${server.hostname}:${server.port}\n`);
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
