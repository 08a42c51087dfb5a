/**
 * What the kernel says about a process, read from /proc (Linux only): resident
 * memory, CPU time of all its threads, open descriptors. Reading from outside
 * keeps the measurement out of the measured process.
 */

import { existsSync, readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc/PID/stat times (USER_HZ; 100 on every Linux build in use). */
const TICKS_PER_SECOND = 100;
const NS_PER_TICK = 1e9 / TICKS_PER_SECOND;

/** Resident set size in bytes (VmRSS), or 0 if the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Whether this kernel keeps the scheduler's per-thread run time (almost every build does). */
const HAS_SCHEDSTAT = existsSync("/proc/self/schedstat");

/**
 * CPU time of every thread of the process, in nanoseconds. The scheduler's
 * own count (schedstat) is exact; /proc/PID/stat counts 10 ms ticks, too
 * coarse for a flood that lasts a tenth of a second, and is only the fallback.
 *
 * NOTE: a thread that exits between two readings takes its schedstat time
 * with it. Bun keeps its threads for the life of the process; across the
 * bench's floods the two counts agree to within a tick.
 */
export function cpuNs(pid: number): number {
  if (!HAS_SCHEDSTAT) return tickNs(pid);
  try {
    return readdirSync(`/proc/${pid}/task`).reduce((ns, tid) => ns + threadNs(pid, tid), 0);
  } catch {
    return 0;
  }
}

function threadNs(pid: number, tid: string): number {
  try {
    // "run time on a CPU (ns), time waiting for one (ns), time slices"
    return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ", 1)[0]);
  } catch {
    return 0; // the thread ended since the listing
  }
}

/**
 * CPU time of the process's JIT compiler threads (JavaScriptCore names them
 * "JITWorker"), in nanoseconds; 0 for a runtime that names them otherwise
 * (Node's V8) or without schedstat. A warm-up reads it to know when the
 * compiler has caught up with the code the flood runs.
 */
export function compilerNs(pid: number): number {
  if (!HAS_SCHEDSTAT) return 0;
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0; // the process ended
  }
  let ns = 0;
  for (const tid of tids) {
    try {
      if (readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").startsWith("JITWorker")) {
        ns += threadNs(pid, tid);
      }
    } catch {
      // That thread ended since the listing (a collector's helper): the others still count.
    }
  }
  return ns;
}

/** User plus system CPU time of the process, in whole ticks. */
function tickNs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: split after its ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 (utime, stime), counted from 1, are 11 and 12 after the name.
    return (Number(fields[11]) + Number(fields[12])) * NS_PER_TICK;
  } catch {
    return 0;
  }
}

/** Open file descriptors (sockets included), or 0 if the process is gone. */
export function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** CPU readings of several processes at one instant, for a later {@link cpuShare}. */
export interface CpuMark {
  at: number;
  ns: number[];
}

/** Read the CPU time of each pid now. */
export function markCpu(pids: readonly number[]): CpuMark {
  return { at: performance.now(), ns: pids.map(cpuNs) };
}

/**
 * CPU used between two marks: nanoseconds per process, and the share of one
 * core each used (1 = one core busy all the time).
 */
export function cpuShare(from: CpuMark, to: CpuMark): { ns: number[]; cores: number[] } {
  const wallNs = Math.max(1, (to.at - from.at) * 1e6);
  // A process that died in between reads 0 at the end: count nothing rather than less than nothing.
  const ns = to.ns.map((v, i) => Math.max(0, v - (from.ns[i] ?? 0)));
  return { ns, cores: ns.map((v) => v / wallNs) };
}

/** Model name of the first CPU, e.g. "AMD EPYC 7B13", or "unknown". */
export function cpuModel(): string {
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    return /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}
