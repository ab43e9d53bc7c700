/**
 * Tables of the DORA ladder: one row per rate with both systems side by
 * side, then the summary (highest loss-free rate, ratio, lookup latency,
 * CPU per 1,000 DORAs, peak memory, overload behaviour).
 *
 * @module
 */
import type { PerfdhcpResult } from "./perfdhcp.ts";
import type { Target, TimedStats } from "./targets.ts";

/** One process's share of a rung. */
export interface ProcRung {
  /** Process name. */
  name: string;
  /** CPU seconds used during the rung. */
  cpuSeconds: number;
  /** CPU seconds per 1,000 completed DORAs. */
  cpuPer1000: number;
  /** RSS after the rung, MiB. */
  rssMiB: number;
  /** Peak RSS during the rung (VmHWM reset at its start), MiB. */
  peakRssMiB: number;
}

/** One system at one rate. */
export interface Rung {
  /** "ours" or "kea". */
  target: string;
  /** Row label (rate asked, "unlimited", "... (recovery)"). */
  label?: string;
  /** perfdhcp's numbers. */
  result: PerfdhcpResult;
  /** Lookup latency and counters (ours, timed server). */
  timed?: TimedStats;
  /** Per process CPU and memory. */
  procs: ProcRung[];
  /**
   * Datagrams the kernel dropped for a full socket receive buffer during
   * the rung (UDP RcvbufErrors), in the server's and perfdhcp's namespace.
   */
  kernelDrops?: { server: number; client: number };
  /** Requests our server itself dropped during the rung (over the cap...). */
  serverDrops?: number;
}

const f0 = (n: number) => Number.isFinite(n) ? n.toFixed(0) : "-";
const f2 = (n: number) => Number.isFinite(n) ? n.toFixed(2) : "-";

function cells(r: Rung | undefined): string[] {
  if (!r) return ["-", "-", "-", "-"];
  const { result: p } = r;
  return [
    f0(p.doraPerSecond),
    f2(p.lostPercent),
    `${f2(p.discoverOffer.avgMs)}/${f0(p.discoverOffer.maxMs)}`,
    `${f2(p.requestAck.avgMs)}/${f0(p.requestAck.maxMs)}`,
  ];
}

function printRows(rows: string[][]): void {
  const widths = rows[0].map((_, i) =>
    Math.max(...rows.map((r) => r[i].length))
  );
  for (const row of rows) {
    console.log(row.map((c, i) => c.padStart(widths[i])).join("  "));
  }
}

/** Print the side-by-side table. */
export function printTable(rungs: readonly Rung[]): void {
  const labels = [...new Set(rungs.map((r) => r.label ?? ""))];
  const rows = [[
    "rate asked",
    "ours DORA/s",
    "lost %",
    "DO avg/max ms",
    "RA avg/max ms",
    "kea DORA/s",
    "lost %",
    "DO avg/max ms",
    "RA avg/max ms",
    "ours/kea",
    "lookup p50/p99 ms",
  ]];
  for (const label of labels) {
    const ours = rungs.find((r) => r.label === label && r.target === "ours");
    const kea = rungs.find((r) => r.label === label && r.target === "kea");
    const ratio = ours && kea
      ? f2(ours.result.doraPerSecond / kea.result.doraPerSecond)
      : "-";
    const t = ours?.timed;
    rows.push([
      label,
      ...cells(ours),
      ...cells(kea),
      ratio,
      t ? `${f2(t.p50Ms)}/${f2(t.p99Ms)}` : "-",
    ]);
  }
  printRows(rows);
}

/** One row per rung, one column per process, a figure in each cell. */
function printPerProcess(
  rungs: readonly Rung[],
  title: string,
  cell: (p: ProcRung | undefined) => string,
): void {
  const labels = [...new Set(rungs.map((r) => r.label ?? ""))];
  const names = [
    ...new Set(
      rungs.flatMap((r) => r.procs.map((p) => `${r.target} ${p.name}`)),
    ),
  ];
  const rows = [[title, ...names]];
  for (const label of labels) {
    rows.push([
      label,
      ...names.map((n) => {
        const [target, proc] = n.split(" ");
        const r = rungs.find((x) => x.label === label && x.target === target);
        return cell(r?.procs.find((p) => p.name === proc));
      }),
    ]);
  }
  console.log("");
  printRows(rows);
}

/** Print CPU seconds per 1,000 DORAs of every process at every rung. */
export function printCpuTable(rungs: readonly Rung[]): void {
  printPerProcess(rungs, "CPU s/1000 DORA", (p) => f2(p?.cpuPer1000 ?? NaN));
  const labels = [...new Set(rungs.map((r) => r.label ?? ""))];
  const drops = [["datagrams dropped", ...targets(rungs)]];
  for (const label of labels) {
    drops.push([
      label,
      ...targets(rungs).map((target) => {
        const r = rungs.find((x) => x.label === label && x.target === target);
        const d = r?.kernelDrops;
        const app = r?.serverDrops === undefined
          ? ""
          : ` / server app ${r.serverDrops}`;
        return d
          ? `kernel: server ${f0(d.server)}, perfdhcp ${f0(d.client)}${app}`
          : "-";
      }),
    ]);
  }
  console.log("");
  printRows(drops);
}

/** Print each process's peak RSS in every rung (MiB). */
export function printMemoryTable(rungs: readonly Rung[]): void {
  printPerProcess(rungs, "peak RSS MiB", (p) => f0(p?.peakRssMiB ?? NaN));
}

function targets(rungs: readonly Rung[]): string[] {
  return [...new Set(rungs.map((r) => r.target))];
}

function leastLost(rungs: readonly Rung[], target: string): Rung | undefined {
  return rungs.filter((r) => r.target === target)
    .sort((a, b) => a.result.lostPercent - b.result.lostPercent)[0];
}

function best(rungs: readonly Rung[], target: string): Rung | undefined {
  return rungs.filter((r) => r.target === target && r.result.lostPercent < 1)
    .sort((a, b) => b.result.doraPerSecond - a.result.doraPerSecond)[0];
}

/** Print the summary under the table. */
export function printSummary(
  rungs: readonly Rung[],
  targets: readonly Target[],
): void {
  console.log("");
  const top: Record<string, Rung | undefined> = {};
  for (const t of targets) {
    const b = best(rungs, t.name);
    top[t.name] = b;
    console.log(
      `${t.name}: highest rate under 1% lost: ${
        b ? `${f0(b.result.doraPerSecond)} DORA/s (asked ${b.label})` : "none"
      }`,
    );
  }
  if (top.ours && top.kea) {
    console.log(
      `ratio ours/kea at the highest loss-free rate: ${
        f2(top.ours.result.doraPerSecond / top.kea.result.doraPerSecond)
      }`,
    );
  }
  const t = top.ours?.timed;
  if (t) {
    console.log(
      `ours lookup latency at ${top.ours?.label}: p50 ${f2(t.p50Ms)} ms, p99 ${
        f2(t.p99Ms)
      } ms, max ${f2(t.maxMs)} ms (${t.lookups} lookups)`,
    );
  }
  console.log(
    "\nCPU seconds per 1,000 DORAs (at the highest loss-free rate, else the" +
      " least lossy rung) and peak RSS over all rungs:",
  );
  for (const name of Object.keys(top)) {
    const b = top[name] ?? leastLost(rungs, name);
    if (!b) continue;
    for (const p of b.procs) {
      const peak = Math.max(
        ...rungs.filter((r) => r.target === name).map((r) =>
          r.procs.find((q) => q.name === p.name)?.peakRssMiB ?? NaN
        ),
      );
      console.log(
        `  ${name.padEnd(5)} ${p.name.padEnd(12)} at ${b.label}: ${
          f2(p.cpuPer1000)
        } CPU s/1000 DORA  peak RSS ${f0(peak)} MiB`,
      );
    }
  }
  const over = rungs.find((r) =>
    r.target === "ours" && r.label === "unlimited"
  );
  if (over?.timed) {
    console.log(
      `\nours under overload (unlimited): drops ${
        JSON.stringify(over.timed.counters.drops)
      }, in flight at the end ${over.timed.counters.inFlight}, RSS ${
        over.procs.map((p) => `${p.name} ${f0(p.rssMiB)} MiB`).join(", ")
      }`,
    );
  }
  for (const r of rungs.filter((x) => x.label?.includes("recovery"))) {
    console.log(
      `${r.target} recovery right after overload: ${
        f0(r.result.doraPerSecond)
      } DORA/s, ${f2(r.result.lostPercent)}% lost`,
    );
  }
}
