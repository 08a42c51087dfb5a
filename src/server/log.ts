/**
 * The operator log: where the server listens, then one line per connection
 * event (time, remote address, name, why it ended). Never message text.
 */

/** Who an event is about; read only when the event is actually logged. */
export interface Peer {
  readonly address: string;
  readonly name: string;
}

export interface Log {
  /** Always printed: startup, shutdown, limits the server had to lower. */
  info(text: string): void;
  /** One connection event; silenced by --quiet. */
  event(peer: Peer, text: string): void;
}

/** A log writing to stdout; `quiet` drops connection events. */
export function consoleLog(quiet: boolean, write: (line: string) => void = stdoutLine): Log {
  return {
    info: (text) => write(text),
    event: quiet
      ? () => {}
      : (peer, text) => {
          const name = peer.name ? ` ${peer.name}` : "";
          write(`${new Date().toISOString()} ${peer.address}${name} ${text}`);
        },
  };
}

function stdoutLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** A log that records nothing (tests, embedding). */
export const silentLog: Log = { info() {}, event() {} };
