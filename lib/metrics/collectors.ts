/**
 * Small helpers to publish counters kept elsewhere (snapshots read at
 * scrape time) as prom-client metrics.
 *
 * @module
 */
import { Counter, Gauge, type Registry } from "prom-client";

/**
 * A counter whose values are read from `read()` at each scrape: one series
 * per key, under label `label`.
 *
 * @param registry Where to register it.
 * @param name Metric name (ending in `_total`).
 * @param help Help text.
 * @param label The label the keys go in (omit for a single series).
 * @param read Returns the current totals by key (or one number).
 * @returns The counter.
 */
export function snapshotCounter(
  registry: Registry,
  name: string,
  help: string,
  label: string | undefined,
  read: () => Record<string, number> | number,
): Counter {
  return new Counter({
    name,
    help,
    labelNames: label ? [label] : [],
    registers: [registry],
    collect() {
      this.reset();
      const values = read();
      if (typeof values === "number") {
        this.inc(values);
        return;
      }
      for (const [key, value] of Object.entries(values)) {
        if (value > 0) this.inc({ [label!]: key }, value);
      }
    },
  });
}

/**
 * A gauge set from `read()` at each scrape.
 *
 * @param registry Where to register it.
 * @param name Metric name.
 * @param help Help text.
 * @param read Returns the current value.
 * @returns The gauge.
 */
export function snapshotGauge(
  registry: Registry,
  name: string,
  help: string,
  read: () => number,
): Gauge {
  return new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

/**
 * Register `process_resident_memory_bytes` and `process_heap_used_bytes`
 * (prom-client's default process metrics rely on Node internals; these two
 * come from `Deno.memoryUsage()`).
 *
 * @param registry Where to register them.
 */
export function processMetrics(registry: Registry): void {
  snapshotGauge(
    registry,
    "process_resident_memory_bytes",
    "Resident memory size in bytes",
    () => Deno.memoryUsage().rss,
  );
  snapshotGauge(
    registry,
    "process_heap_used_bytes",
    "V8 heap in use, in bytes",
    () => Deno.memoryUsage().heapUsed,
  );
}
