/**
 * Baseline: the broadcaster most people would write first on Node's `net`.
 * Same protocol subset as papo: the first line is the name (answered with
 * "* hello NAME!"), every later line goes to everyone else as "<name> text".
 * Each message is encoded once and written to each client with its own
 * write() (Node buffers what the kernel does not take): no batching, no caps.
 *
 * Usage: node bench/baselines/node-net.mjs [--port N] [--host H]
 */

import net from "node:net";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
  },
});

/** Every named client. */
const clients = new Set();

const server = net.createServer((socket) => {
  let name = null;
  let partial = "";
  socket.setEncoding("utf8");
  socket.setNoDelay(true);
  socket.on("data", (text) => {
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const raw of lines) {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (name === null) {
        name = line;
        clients.add(socket);
        socket.write(`* hello ${name}! ${clients.size} online\n`);
        continue;
      }
      const out = Buffer.from(`<${name}> ${line}\n`);
      for (const client of clients) if (client !== socket) client.write(out);
    }
  });
  socket.on("close", () => clients.delete(socket));
  socket.on("error", () => {});
});

server.listen(Number(values.port), values.host, () => {
  const { address, port } = server.address();
  process.stdout.write(`node-net listening on ${address}:${port}\n`);
});

process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
