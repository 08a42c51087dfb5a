/**
 * Every child process the bench starts (servers, load generators) is tracked
 * here, so that an interrupted or failing run still kills them all: a leaked
 * load generator would hold thousands of sockets on the machine.
 */

import type { Subprocess } from "bun";

const live = new Set<Subprocess>();

/** Remember a child until it exits. */
export function track<P extends Subprocess>(proc: P): P {
  live.add(proc);
  proc.exited.finally(() => live.delete(proc));
  return proc;
}

/** Ask politely (SIGTERM), then insist (SIGKILL) after `graceMs`; resolves with the exit code. */
export async function stopChild(proc: Subprocess, graceMs: number): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
  const code = await proc.exited;
  clearTimeout(timer);
  return proc.signalCode === null ? code : null;
}

/** Kill every child still running, at once (used when the bench itself is interrupted). */
export function killAll(): void {
  for (const proc of live) proc.kill("SIGKILL");
}
