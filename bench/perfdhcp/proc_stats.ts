/**
 * CPU time and memory of a process, read from `/proc/PID/stat` and
 * `/proc/PID/status` (Linux).
 *
 * @module
 */

import { runInNamespace } from "../../tests/_helpers/ns_process.ts";

/** Clock ticks per second of `/proc/PID/stat` (USER_HZ, 100 on Linux). */
export const clockTicks = 100;

/** A sample of one process. */
export interface ProcSample {
  /** User + system CPU seconds so far. */
  cpuSeconds: number;
  /** Resident set size now, in MiB. */
  rssMiB: number;
  /** Peak resident set size (VmHWM, since start or {@linkcode resetPeak}), in MiB. */
  peakRssMiB: number;
}

/**
 * Read CPU seconds and memory of `pid`.
 *
 * @returns The sample, or `undefined` when the process is gone
 */
export function sampleProc(pid: number): ProcSample | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields of the whole line.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(rest[11]) + Number(rest[12]);
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = (key: string) =>
      Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0);
    return {
      cpuSeconds: ticks / clockTicks,
      rssMiB: kb("VmRSS") / 1024,
      peakRssMiB: kb("VmHWM") / 1024,
    };
  } catch {
    return undefined;
  }
}

/**
 * Reset the peak RSS (VmHWM) of `pid` to its RSS now (`5` into
 * `/proc/PID/clear_refs`, root or the process's owner), so the next
 * {@linkcode sampleProc} gives the peak since this call: one rung's peak.
 *
 * @returns Whether it was reset (false when the process is gone).
 */
export function resetPeak(pid: number): boolean {
  try {
    Deno.writeTextFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** UDP counters of one network namespace (`/proc/net/snmp`). */
export interface UdpCounters {
  /** Datagrams dropped because the socket's receive buffer was full. */
  rcvbufErrors: number;
  /** Datagrams received in all. */
  inDatagrams: number;
}

/**
 * Read the UDP counters of network namespace `ns`.
 *
 * @param ns Namespace name (`ip netns`).
 * @returns The counters, or `undefined` when they cannot be read.
 */
export async function sampleUdp(ns: string): Promise<UdpCounters | undefined> {
  const out = await runInNamespace(ns, "cat", ["/proc/net/snmp"], {
    check: false,
  }).catch(() => undefined);
  if (out?.code !== 0) return undefined;
  const lines = out.stdout.split("\n").filter((l) => l.startsWith("Udp:"));
  if (lines.length < 2) return undefined;
  const keys = lines[0].split(/\s+/);
  const values = lines[1].split(/\s+/).map(Number);
  const get = (k: string) => values[keys.indexOf(k)] ?? NaN;
  return {
    rcvbufErrors: get("RcvbufErrors"),
    inDatagrams: get("InDatagrams"),
  };
}
