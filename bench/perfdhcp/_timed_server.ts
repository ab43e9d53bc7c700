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

const samples = new Float64Array(1 << 21);
let count = 0;
const timed: Backend = {
  async lookup(mac, options) {
    const t0 = performance.now();
    try {
      return await inner.lookup(mac, options);
    } finally {
      samples[count++ & (samples.length - 1)] = performance.now() - t0;
    }
  },
};

const server = await DhcpServer.start({
  listen: flag("listen"),
  interface: flag("interface"),
  serverIp: flag("server-ip"),
  maxInFlight: Number(flag("max-in-flight", "1024")), // the CLI default
  backend: timed,
  logger,
});

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

Deno.addSignalListener("SIGUSR1", () => {
  const n = Math.min(count, samples.length);
  const sorted = samples.slice(0, n).sort();
  console.log(JSON.stringify({
    lookups: count,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: n ? sorted[n - 1] : NaN,
    counters: server.counters,
  }));
  count = 0;
});

const stop = async () => {
  await server.close();
  await inner[Symbol.asyncDispose]();
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
console.log("timed server ready");
