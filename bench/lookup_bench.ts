/**
 * Lookup throughput, latency and CPU cost through a real nats-server to a
 * responder in another process: this project's layer (NatsBackend ->
 * CloudEvents -> the responder) against a bare nats.js request-reply carrying
 * the same wire data as plain JSON (same request and reply encoding, same
 * store; no CloudEvents envelope, no backend wrappers), in one run.
 *
 * Usage: deno run -A bench/lookup_bench.ts [--seconds-per-phase=1] [--rounds=7]
 *   [--responder-prof=DIR] (a V8 CPU profile of the responder process)
 *
 * Each round measures, for each path: one request at a time, and 64 in
 * flight (distinct MACs; NatsBackend alone, without the lookup stack's
 * coalescing and cache). Rounds alternate which
 * path goes first; the table shows the median round. Two overhead figures:
 * wall time per lookup (ours over bare, median of per-round ratios), and CPU
 * time per lookup summed over the client and the responder process, which
 * load from other processes on the machine disturbs far less. The default
 * run takes about 35 s. Both paths share one connection, opened with
 * `noAsyncTraces` (as NatsBackend opens its own): the bare path is nats.js
 * `request()` at its cheapest, ours is NatsBackend's shared-inbox requests.
 *
 * @module
 */
import process from "node:process";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { startNatsServer } from "../tests/_helpers/nats_server.ts";
import { NatsBackend } from "../lib/nats/backend.ts";
import { decodeLookupReply, encodeLookupRequest } from "../lib/nats/wire.ts";
import { BENCH_HOSTS, benchMac } from "./_lookup_data.ts";

const arg = Deno.args.find((a) => a.startsWith("--seconds-per-phase="));
const PHASE_MS = 1000 * Number(arg?.split("=")[1] ?? 1);
const roundsArg = Deno.args.find((a) => a.startsWith("--rounds="));
const ROUNDS = Number(roundsArg?.split("=")[1] ?? 7);
const IN_FLIGHT = 64;

interface Result {
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU microseconds per lookup, client plus responder process. */
  cpu: number;
}

type Lookup = (i: number) => Promise<unknown>;

function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

async function measure(
  lookup: Lookup,
  concurrency: number,
  remoteCpu: () => Promise<number>,
): Promise<Result> {
  // Warm-up, not measured.
  await Promise.all(Array.from({ length: concurrency }, (_, i) => lookup(i)));
  const latencies: number[] = [];
  let next = 0;
  const remoteBefore = await remoteCpu();
  const cpuBefore = cpuNow();
  const started = performance.now();
  const deadline = started + PHASE_MS;
  const worker = async () => {
    while (performance.now() < deadline) {
      const i = next++ % BENCH_HOSTS;
      const t0 = performance.now();
      await lookup(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  const cpu = cpuNow() - cpuBefore + (await remoteCpu()) - remoteBefore;
  latencies.sort((a, b) => a - b);
  const pick = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    perSecond: (latencies.length / elapsed) * 1000,
    p50: pick(0.5),
    p99: pick(0.99),
    cpu: cpu / latencies.length,
  };
}

function middle(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function bareLookup(nc: NatsConnection, subject: string): Lookup {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  return async (i) => {
    const payload = enc.encode(
      JSON.stringify(encodeLookupRequest(benchMac(i), "")),
    );
    const msg = await nc.request(subject, payload, { timeout: 5000 });
    const r = decodeLookupReply(JSON.parse(dec.decode(msg.data)));
    if (!r?.ipAddress) throw new Error(`Bare lookup ${i} got no reservation`);
    return r;
  };
}

function ourLookup(backend: NatsBackend): Lookup {
  return async (i) => {
    const r = await backend.lookup(benchMac(i));
    if (!r?.ipAddress) throw new Error(`Lookup ${i} got no reservation`);
    return r;
  };
}

const fmt = (n: number, d = 0) => n.toFixed(d).padStart(8);

await using nats = await startNatsServer();
const prefix = `bench${Date.now()}`;
const profArg = Deno.args.find((a) => a.startsWith("--responder-prof="));
const responder = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    ...(profArg ? ["--cpu-prof", `--cpu-prof-dir=${profArg.slice(17)}`] : []),
    new URL("./_lookup_responder.ts", import.meta.url).pathname,
    nats.url,
    prefix,
  ],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const modes = ["1 at a time", `${IN_FLIGHT} in flight`] as const;
const table: Record<string, Result[]> = {};
for (const mode of modes) {
  table[`bare, ${mode}`] = [];
  table[`ours, ${mode}`] = [];
}
try {
  const reader = responder.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  let banner = "";
  while (!banner.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) {
      throw new Error("The responder process exited before it was ready");
    }
    banner += value;
  }
  await reader.cancel();

  // noAsyncTraces, as NatsBackend sets on connections it opens: the bare
  // path gets nats.js request() at its cheapest.
  const nc = await connect({ servers: nats.url, noAsyncTraces: true });
  const remoteCpu = async () => {
    const msg = await nc.request(`${prefix}.cpu`, undefined, { timeout: 5000 });
    return Number(new TextDecoder().decode(msg.data));
  };
  const backend = new NatsBackend({ nc, subject: `${prefix}.ce` });
  const paths = {
    ours: ourLookup(backend),
    bare: bareLookup(nc, `${prefix}.bare`),
  };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which path goes first, so drift in machine load cancels.
      const order = round % 2 === 0
        ? (["bare", "ours"] as const)
        : (["ours", "bare"] as const);
      for (const mode of modes) {
        const concurrency = mode === "1 at a time" ? 1 : IN_FLIGHT;
        for (const path of order) {
          table[`${path}, ${mode}`].push(
            await measure(paths[path], concurrency, remoteCpu),
          );
        }
      }
    }
  } finally {
    await backend.close();
    await nc.close();
  }
} finally {
  try {
    responder.kill("SIGTERM");
  } catch { /* already gone */ }
  await responder.status;
}

console.log(
  `lookups through nats-server ${nats.url} to a responder process, ` +
    `median of ${ROUNDS} rounds of ${PHASE_MS / 1000} s each`,
);
console.log(
  `${"path".padEnd(24)} ${"lookups/s".padStart(9)} ${"p50 ms".padStart(8)} ${
    "p99 ms".padStart(8)
  } ${"CPU us/lookup".padStart(14)}`,
);
for (const [name, results] of Object.entries(table)) {
  console.log(
    `${name.padEnd(24)} ${fmt(middle(results.map((r) => r.perSecond)))} ${
      fmt(middle(results.map((r) => r.p50)), 3)
    } ${fmt(middle(results.map((r) => r.p99)), 3)} ${
      fmt(middle(results.map((r) => r.cpu)), 1).padStart(14)
    }`,
  );
}
for (const mode of modes) {
  const bare = table[`bare, ${mode}`];
  const ours = table[`ours, ${mode}`];
  const wall = bare.map((b, i) => b.perSecond / ours[i].perSecond);
  const cpu = ours.map((o, i) => o.cpu / bare[i].cpu);
  const pct = (r: number) =>
    `${r >= 1 ? "+" : ""}${((r - 1) * 100).toFixed(1)}%`;
  console.log(
    `overhead, ${mode}: wall time per lookup ${pct(middle(wall))} ` +
      `(per-round ${wall.map((r) => r.toFixed(2)).join(" ")}); ` +
      `CPU per lookup ${pct(middle(cpu))} ` +
      `(per-round ${cpu.map((r) => r.toFixed(2)).join(" ")})`,
  );
}
