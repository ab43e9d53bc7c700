/**
 * Issue 18's targets, checked from one ladder run (ours and Kea side by
 * side): mean DISCOVER-OFFER delay at most 2x Kea's at 2,000/s and
 * 4,000/s, the longest at 4,000/s at most 50 ms, the DHCP server's peak RSS
 * at most 128 MiB in every rung (the unlimited and recovery ones included),
 * and the highest rate under 1% lost at least 1.25x Kea's.
 *
 * @module
 */
import type { Rung } from "./report.ts";

/** The limits of issue 18. */
export const TARGETS = {
  /** Mean DO delay, ours over Kea's, at each of these rates. */
  meanDelayRatio: 2,
  meanDelayRates: ["2000", "4000"],
  /** Longest DO delay at 4,000/s, ms. */
  maxDelayMs: 50,
  maxDelayRate: "4000",
  /** Peak RSS of our DHCP server in any rung, MiB. */
  serverPeakMiB: 128,
  /** Highest rate under 1% lost, ours over Kea's. */
  throughputRatio: 1.25,
} as const;

/** One target's verdict. */
export interface TargetCheck {
  /** What is measured. */
  what: string;
  /** The figure(s), formatted. */
  value: string;
  /** The limit, formatted. */
  limit: string;
  /** Met, not met, or not measured in this run. */
  met: boolean | undefined;
}

function find(
  rungs: readonly Rung[],
  target: string,
  label: string,
): Rung | undefined {
  return rungs.find((r) => r.target === target && r.label === label);
}

function bestRate(rungs: readonly Rung[], target: string): number | undefined {
  const ok = rungs.filter((r) =>
    r.target === target && r.result.lostPercent < 1
  );
  return ok.length
    ? Math.max(...ok.map((r) => r.result.doraPerSecond))
    : undefined;
}

/**
 * Check the targets against a run's rungs.
 *
 * @param rungs Every rung of both systems.
 * @returns One verdict per target, in the order.
 */
export function checkTargets(rungs: readonly Rung[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const rate of TARGETS.meanDelayRates) {
    const ours = find(rungs, "ours", rate)?.result.discoverOffer.avgMs;
    const kea = find(rungs, "kea", rate)?.result.discoverOffer.avgMs;
    const ratio = ours !== undefined && kea !== undefined && kea > 0
      ? ours / kea
      : undefined;
    checks.push({
      what: `mean DO delay at ${rate}/s, ours / Kea`,
      value: ratio === undefined
        ? "-"
        : `${ours!.toFixed(3)} / ${kea!.toFixed(3)} ms = ${ratio.toFixed(2)}x`,
      limit: `<= ${TARGETS.meanDelayRatio}x`,
      met: ratio === undefined ? undefined : ratio <= TARGETS.meanDelayRatio,
    });
  }
  const longest = find(rungs, "ours", TARGETS.maxDelayRate)?.result
    .discoverOffer.maxMs;
  checks.push({
    what: `longest DO delay at ${TARGETS.maxDelayRate}/s, ours`,
    value: longest === undefined ? "-" : `${longest.toFixed(1)} ms`,
    limit: `<= ${TARGETS.maxDelayMs} ms`,
    met: longest === undefined ? undefined : longest <= TARGETS.maxDelayMs,
  });
  const peaks = rungs.filter((r) => r.target === "ours").map((r) =>
    r.procs.find((p) => p.name === "server")?.peakRssMiB ?? NaN
  ).filter(Number.isFinite);
  const peak = peaks.length ? Math.max(...peaks) : undefined;
  checks.push({
    what: "peak RSS of our DHCP server, every rung",
    value: peak === undefined ? "-" : `${peak.toFixed(0)} MiB`,
    limit: `<= ${TARGETS.serverPeakMiB} MiB`,
    met: peak === undefined ? undefined : peak <= TARGETS.serverPeakMiB,
  });
  const ours = bestRate(rungs, "ours");
  const kea = bestRate(rungs, "kea");
  const ratio = ours !== undefined && kea !== undefined
    ? ours / kea
    : undefined;
  checks.push({
    what: "highest rate under 1% lost, ours / Kea",
    value: ratio === undefined
      ? "-"
      : `${ours!.toFixed(0)} / ${kea!.toFixed(0)} DORA/s = ${
        ratio.toFixed(2)
      }x`,
    limit: `>= ${TARGETS.throughputRatio}x`,
    met: ratio === undefined ? undefined : ratio >= TARGETS.throughputRatio,
  });
  return checks;
}

/** Print the verdicts of {@linkcode checkTargets}. */
export function printTargets(rungs: readonly Rung[]): void {
  console.log("\nissue 18 targets (this run):");
  for (const c of checkTargets(rungs)) {
    const verdict = c.met === undefined
      ? "not measured"
      : c.met
      ? "met"
      : "NOT met";
    console.log(
      `  ${c.what.padEnd(42)} ${c.value.padEnd(34)} ${
        c.limit.padEnd(12)
      } ${verdict}`,
    );
  }
}
