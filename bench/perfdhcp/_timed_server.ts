/**
 * Our DHCP server as `main.ts` starts it (the same lookup stack: NATS
 * backend, coalescing, cache, per-MAC limit, fail-fast guard; interface
 * socket, same settings), with its backend wrapped to time every lookup. On SIGUSR1
 * it prints one JSON line: lookup latency percentiles since the previous
 * report, and the server's counters. The ladder uses it to measure lookup
 * latency inside the server at a chosen rate.
 *
 * `deno run -A bench/perfdhcp/_timed_server.ts --nats-url URL --listen IP:67
 *  --interface IF --server-ip IP [--cache-ttl MS] [--max-in-flight N]`
 *
 * @module
 */
import type { Backend } from "../../lib/backend/backend.ts";
import { createLogger } from "../../lib/log/logger.ts";
import { createLookupStack } from "../../lib/nats/lookup_stack.ts";
import { DhcpServer } from "../../lib/server/server.ts";
import { benchHosts, benchNet, leaseTime } from "./fixtures.ts";

function flag(name: string, fallback?: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  const value = i >= 0 ? Deno.args[i + 1] : fallback;
  if (value === undefined) throw new TypeError(`Missing --${name}`);
  return value;
}

const logger = createLogger({ level: "warn" });
// --backend computed: no NATS at all, the reservation is computed from the
// MAC as fixtures.ts lays the hosts out (the price of the NATS hop).
const stack = flag("backend", "nats") === "computed"
  ? undefined
  : createLookupStack({
    servers: flag("nats-url"),
    cacheTtl: Number(flag("cache-ttl", "5000")),
    timeout: Number(flag("timeout", "5000")),
    // --no-async-traces: nats.js skips the Error it builds per request for
    // async stack traces (measured in bench/README.md).
    connectOptions: Deno.args.includes("--no-async-traces")
      ? { noAsyncTraces: true }
      : undefined,
    defaultLeaseTime: 86400,
    logger,
  });
const inner: Backend & AsyncDisposable = stack ?? computedBackend();
await stack?.connect();

function computedBackend(): Backend & AsyncDisposable {
  const hosts = new Map(benchHosts(62500).map((h) => [h.mac, h.ip]));
  return {
    lookup(mac) {
      const ip = hosts.get(mac.toLowerCase());
      return Promise.resolve(
        ip === undefined ? undefined : {
          macAddress: mac,
          ipAddress: ip,
          subnetMask: "255.255.0.0",
          defaultGateway: benchNet.clientIp,
          nameServers: [benchNet.serverIp],
          leaseTime,
        },
      );
    },
    [Symbol.asyncDispose]: () => Promise.resolve(),
  };
}

// Lookup times in a log-scale histogram (64 buckets a decade from 1 us to
// 100 s, within 4% of the true quantile): a few KiB, where a sample array
// for a 20 s rung at 12,000/s took 16 MiB of the server's RSS, which the
// ladder reports against the server's memory target.
const BUCKETS_PER_DECADE = 64;
const MIN_MS = 0.001;
const buckets = new Uint32Array(8 * BUCKETS_PER_DECADE + 1);
let count = 0;
let maxMs = 0;
const timed: Backend = {
  async lookup(mac, options) {
    const t0 = performance.now();
    try {
      return await inner.lookup(mac, options);
    } finally {
      const ms = performance.now() - t0;
      const i = ms <= MIN_MS
        ? 0
        : Math.ceil(Math.log10(ms / MIN_MS) * BUCKETS_PER_DECADE);
      buckets[Math.min(i, buckets.length - 1)]++;
      count++;
      if (ms > maxMs) maxMs = ms;
    }
  },
};

const server = await DhcpServer.start({
  listen: flag("listen"),
  interface: flag("interface"),
  serverIp: flag("server-ip"),
  maxInFlight: Number(flag("max-in-flight", "256")), // the CLI default
  backend: timed,
  logger,
});

/** The upper edge of the bucket holding quantile `q`, in ms. */
function quantile(q: number): number {
  if (count === 0) return NaN;
  const rank = Math.ceil(q * count);
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i];
    if (seen >= rank) return MIN_MS * 10 ** (i / BUCKETS_PER_DECADE);
  }
  return maxMs;
}

Deno.addSignalListener("SIGUSR1", () => {
  console.log(JSON.stringify({
    lookups: count,
    p50Ms: quantile(0.5),
    p99Ms: quantile(0.99),
    maxMs: count ? maxMs : NaN,
    counters: server.counters,
  }));
  count = 0;
  maxMs = 0;
  buckets.fill(0);
});

const stop = async () => {
  await server.close();
  await inner[Symbol.asyncDispose]();
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
console.log("timed server ready");
