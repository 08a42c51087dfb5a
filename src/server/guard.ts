/**
 * Entry points the event loop calls outside any socket handler (a turn's
 * delivery, the next turn, the pacer's timer, the cluster's flush and
 * heartbeat, a client's timers): Bun guards socket handlers, nothing guards
 * these, and a throw in one would stop the whole server. Each runs inside
 * {@link guarded}: the error is logged with its stack and goes no further;
 * the caller resets its own state so that later turns run as usual.
 */

/** What becomes of an error an entry point threw: `where` names the entry point. */
export type OnError = (where: string, error: unknown) => void;

/** `run`, such that a throw is handed to `onError` instead of stopping the process. */
export function guarded(where: string, onError: OnError, run: () => void): () => void {
  return () => {
    try {
      run();
    } catch (error) {
      onError(where, error);
    }
  };
}

/** An OnError that writes "error in WHERE: STACK" to the operator log. */
export function noteError(log: { note(text: string): void }): OnError {
  return (where, error) => log.note(`error in ${where}: ${described(error)}`);
}

/** An error's stack (or its text) for the log. */
export function described(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
