/**
 * Lookup throughput and latency through a real nats-server to a responder in
 * another process: this project's layer (NatsBackend -> CloudEvents ->
 * serveEvents) against a bare nats.js request-reply carrying the same wire
 * data as plain JSON (same request and reply encoding, same store, no
 * CloudEvents envelope, no backend wrappers), in one run.
 *
 * Usage: deno run -A bench/lookup_bench.ts [--seconds-per-phase=1.5]
 *
 * Each round measures, for each path: one request at a time, and 64 in
 * flight (distinct MACs, so coalescing does not help). Rounds alternate which
 * path goes first; the table shows the median round, and the overhead is the
 * median of the per-round ratios (robust to load from other processes). The
 * default run takes about 25 s.
 *
 * @module
 */
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { startNatsServer } from "../tests/_helpers/nats_server.ts";
import { NatsBackend } from "../lib/nats/backend.ts";
import { decodeLookupReply, encodeLookupRequest } from "../lib/nats/wire.ts";
import { BENCH_HOSTS, benchMac } from "./_lookup_data.ts";

const arg = Deno.args.find((a) => a.startsWith("--seconds-per-phase="));
const PHASE_MS = 1000 * Number(arg?.split("=")[1] ?? 1);
const ROUNDS = 5;
const IN_FLIGHT = 64;

interface Result {
  perSecond: number;
  p50: number;
  p99: number;
  count: number;
}

type Lookup = (i: number) => Promise<unknown>;

async function measure(lookup: Lookup, concurrency: number): Promise<Result> {
  // Warm-up, not measured.
  await Promise.all(Array.from({ length: concurrency }, (_, i) => lookup(i)));
  const latencies: number[] = [];
  let next = 0;
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
  latencies.sort((a, b) => a - b);
  const pick = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    perSecond: (latencies.length / elapsed) * 1000,
    p50: pick(0.5),
    p99: pick(0.99),
    count: latencies.length,
  };
}

function median(results: Result[]): Result {
  return [...results].sort((a, b) => a.perSecond - b.perSecond)[
    Math.floor(results.length / 2)
  ];
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
const responder = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    new URL("./_lookup_responder.ts", import.meta.url).pathname,
    nats.url,
    prefix,
  ],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const table: Record<string, Result[]> = {
  "bare, 1 at a time": [],
  "ours, 1 at a time": [],
  [`bare, ${IN_FLIGHT} in flight`]: [],
  [`ours, ${IN_FLIGHT} in flight`]: [],
};
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

  const nc = await connect({ servers: nats.url });
  const backend = new NatsBackend({ nc, subject: `${prefix}.ce` });
  const ours = ourLookup(backend);
  const bare = bareLookup(nc, `${prefix}.bare`);
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which path goes first, so drift in machine load cancels.
      if (round % 2 === 1) {
        table["ours, 1 at a time"].push(await measure(ours, 1));
        table["bare, 1 at a time"].push(await measure(bare, 1));
        table[`ours, ${IN_FLIGHT} in flight`].push(
          await measure(ours, IN_FLIGHT),
        );
        table[`bare, ${IN_FLIGHT} in flight`].push(
          await measure(bare, IN_FLIGHT),
        );
        continue;
      }
      table["bare, 1 at a time"].push(await measure(bare, 1));
      table["ours, 1 at a time"].push(await measure(ours, 1));
      table[`bare, ${IN_FLIGHT} in flight`].push(
        await measure(bare, IN_FLIGHT),
      );
      table[`ours, ${IN_FLIGHT} in flight`].push(
        await measure(ours, IN_FLIGHT),
      );
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
  }`,
);
const medians: Record<string, Result> = {};
for (const [name, results] of Object.entries(table)) {
  const m = medians[name] = median(results);
  console.log(
    `${name.padEnd(24)} ${fmt(m.perSecond).padStart(9)} ${fmt(m.p50, 3)} ${
      fmt(m.p99, 3)
    }`,
  );
}
for (const mode of ["1 at a time", `${IN_FLIGHT} in flight`]) {
  // Cost of our layer per round: time per lookup, ours over bare, from the
  // two back-to-back phases of that round; the median round is reported.
  const bare = table[`bare, ${mode}`];
  const ours = table[`ours, ${mode}`];
  const ratios = bare.map((b, i) => b.perSecond / ours[i].perSecond).sort((
    x,
    y,
  ) => x - y);
  const ratio = ratios[Math.floor(ratios.length / 2)];
  const o = medians[`ours, ${mode}`];
  const b = medians[`bare, ${mode}`];
  console.log(
    `overhead, ${mode}: ${((ratio - 1) * 100).toFixed(1)}% more time per ` +
      `lookup (median of per-round ratios ${
        ratios.map((r) => r.toFixed(2)).join(" ")
      }), p50 ${o.p50 >= b.p50 ? "+" : ""}${(o.p50 - b.p50).toFixed(3)} ms`,
  );
}
