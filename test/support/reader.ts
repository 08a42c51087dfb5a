/**
 * A reader in a process of its own, for tests that stop it with SIGSTOP or
 * want it slower than the sender: joins the room, checks that the chat lines
 * of one sender arrive numbered 0, 1, 2… in order, and says how it ended on
 * stdout, one line: "joined" once welcomed, then "done N" (or "done N
 * missed M" when the server said it missed M of them: the reader fell
 * further behind than the room's window), "closed after N", or "wrong line
 * after N: …".
 *
 *   bun test/support/reader.ts PORT NAME SENDER COUNT [PAUSE_MS]
 *
 * PAUSE_MS > 0 stops reading for that long after every chunk, so the reader
 * is slower than a sender on loopback.
 */

const [port, name, sender, total, pauseMs = "0"] = process.argv.slice(2);
const expected = Number(total);
const pause = Number(pauseMs);
const prefix = `<${sender}> `;
const decoder = new TextDecoder();
let partial = "";
let joined = false;
let next = 0;
let missed = 0;

function finish(line: string, code: number): never {
  process.stdout.write(`${line}\n`);
  process.exit(code);
}

/** One whole line from the server. */
function line(text: string): void {
  if (!joined) {
    if (text.startsWith(`* hello ${name}!`)) {
      joined = true;
      process.stdout.write("joined\n");
    }
    return;
  }
  const gap = /^\* you missed (\d+) lines?$/.exec(text);
  if (gap !== null) {
    missed += Number(gap[1]);
    next += Number(gap[1]);
    if (next >= expected) finish(`done ${expected} missed ${missed}`, 0);
    return;
  }
  if (!text.startsWith(prefix)) return; // notices and other members' lines
  const number = Number(text.slice(prefix.length, text.indexOf(" ", prefix.length)));
  if (number !== next) finish(`wrong line after ${next}: ${text.slice(0, 60)}`, 1);
  next++;
  if (next === expected) finish(missed === 0 ? `done ${next}` : `done ${next} missed ${missed}`, 0);
}

await Bun.connect({
  hostname: "127.0.0.1",
  port: Number(port),
  socket: {
    open(socket) {
      socket.write(`${name}\n`);
    },
    data(socket, chunk) {
      partial += decoder.decode(chunk, { stream: true });
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const text of lines) line(text);
      if (pause > 0) {
        socket.pause();
        setTimeout(() => socket.resume(), pause);
      }
    },
    close() {
      finish(`closed after ${next}`, 2);
    },
    error() {},
  },
});
