/**
 * The operator log: where the server listens, then one line per connection
 * event (time, remote address, name, why it ended). Never message text.
 */

export interface Log {
  /** Always printed: startup, shutdown, limits the server had to lower. */
  info(text: string): void;
  /** One connection event; silenced by --quiet. */
  event(address: string, name: string, text: string): void;
}

/** "host:port", with IPv6 hosts in brackets ("[::1]:10101"). */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A log writing to stdout; `quiet` drops connection events. */
export function consoleLog(quiet: boolean, write: (line: string) => void = stdoutLine): Log {
  return {
    info: (text) => write(text),
    event: quiet
      ? () => {}
      : (address, name, text) =>
          write(`${new Date().toISOString()} ${address}${name ? ` ${name}` : ""} ${text}`),
  };
}

function stdoutLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** A log that records nothing (tests, embedding). */
export const silentLog: Log = { info() {}, event() {} };
