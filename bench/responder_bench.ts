/**
 * Responder benchmark: lookups per second it sustains with 64 requests in
 * flight (responder in its own process, a real nats-server, the official
 * client sending Go-style CloudEvents), for a 10-host and a 100,000-host
 * reservations file, and while the big file is replaced. Load and reload
 * times, event-loop stalls and table memory: bench/reload_bench.ts.
 *
 * Usage: deno run -A bench/responder_bench.ts [--seconds=3] [--hosts=100000]
 *   [--lookups-only | --files-only]
 *
 * The default run takes about 30 s. Files are generated in a temp directory
 * in the shape of examples/reservations.yaml (about 260 bytes per host).
 *
 * @module
 */
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { CloudEvent } from "cloudevents";
import { startNatsServer } from "../tests/_helpers/nats_server.ts";
import {
  decodeEventRecord,
  encodeStructured,
} from "../lib/cloudevents/nats_binding.ts";
import {
  decodeLookupReply,
  encodeLookupRequest,
  EVENT_SOURCE,
  READ_EVENT_TYPE,
} from "../lib/nats/wire.ts";
import { startFileResponder } from "../lib/responder/file_responder.ts";

const IN_FLIGHT = 64;

function flag(name: string, fallback: number): number {
  const arg = Deno.args.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.split("=")[1]) : fallback;
}

/** MAC of host `i`: 02:00:00:xx:xx:xx. */
export function benchMac(i: number): string {
  return [2, 0, 0, (i >> 16) & 255, (i >> 8) & 255, i & 255]
    .map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/** A reservations file of `count` hosts; `tag` marks the version. */
export function benchFile(count: number, tag = "a"): string {
  const parts: string[] = ["---\n"];
  for (let i = 0; i < count; i++) {
    parts.push(
      `${benchMac(i)}:\n` +
        `  ipAddress: 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}\n` +
        `  subnetMask: 255.0.0.0\n` +
        `  defaultGateway: 10.0.0.1\n` +
        `  nameServers:\n    - 10.0.0.2\n    - 10.0.0.3\n` +
        `  hostname: ${tag}-node-${i}\n` +
        `  domainName: example.com\n` +
        `  leaseTime: 86400\n` +
        `  netboot:\n    allowPxe: true\n`,
    );
  }
  return parts.join("");
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

// ---- child modes -----------------------------------------------------------

async function serveMode(
  file: string,
  url: string,
  subject: string,
  watch = false,
): Promise<void> {
  const responder = await startFileResponder({
    file,
    servers: url,
    subject,
    watch,
    serviceName: false,
  });
  console.log("ready");
  const buf = new Uint8Array(1);
  await Deno.stdin.read(buf); // parent closes stdin to stop us
  await responder.drain();
}

// ---- measurements ------------------------------------------------------------

async function throughput(
  nc: NatsConnection,
  subject: string,
  hosts: number,
  ms: number,
): Promise<
  { perSecond: number; p50: number; p99: number; max: number; errors: number }
> {
  const payloads = Array.from(
    { length: Math.min(hosts, 4096) },
    (_, k) => {
      const i = Math.floor((k * hosts) / Math.min(hosts, 4096));
      return encodeStructured(
        new CloudEvent({
          source: EVENT_SOURCE,
          type: READ_EVENT_TYPE,
          datacontenttype: "application/json",
          data: encodeLookupRequest(benchMac(i)),
        }),
      );
    },
  );
  const one = async (k: number) => {
    const msg = await nc.request(subject, payloads[k % payloads.length], {
      timeout: 5000,
    });
    const r = decodeLookupReply(decodeEventRecord(msg.data).data);
    if (!r) throw new Error("not found");
  };
  await Promise.all(Array.from({ length: IN_FLIGHT * 4 }, (_, k) => one(k)));
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + ms;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await one(next++);
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: latencies.length / elapsed,
    p50: latencies[Math.floor(latencies.length * 0.5)],
    p99: latencies[Math.floor(latencies.length * 0.99)],
    max: latencies[latencies.length - 1],
    errors,
  };
}

/** A file responder in its own process; dispose to stop it. */
async function spawnResponder(
  file: string,
  url: string,
  subject: string,
  watch = false,
): Promise<AsyncDisposable> {
  const args = ["run", "-A", import.meta.filename!, "--serve", file, url];
  args.push(subject, ...(watch ? ["--watch"] : []));
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("The responder process exited early");
    out += value;
  }
  return {
    async [Symbol.asyncDispose]() {
      await child.stdin.close();
      await reader.cancel();
      await child.status;
    },
  };
}

/**
 * Lookups/s for both files: one responder process each, measured in
 * alternating rounds (robust to load from other processes); medians shown.
 */
async function lookups(
  files: { label: string; file: string; hosts: number }[],
  seconds: number,
): Promise<void> {
  await using nats = await startNatsServer();
  const stack = new AsyncDisposableStack();
  try {
    for (const [k, f] of files.entries()) {
      stack.use(await spawnResponder(f.file, nats.url, `bench.dhcp.${k}`));
    }
    const nc = await connect({ servers: nats.url });
    try {
      const results = files.map(() =>
        [] as Awaited<ReturnType<typeof throughput>>[]
      );
      for (let round = 0; round < 2; round++) {
        for (const [k, f] of files.entries()) {
          results[k].push(
            await throughput(nc, `bench.dhcp.${k}`, f.hosts, seconds * 1000),
          );
        }
      }
      for (const [k, f] of files.entries()) {
        const rs = results[k];
        console.log(
          `Lookups, ${f.label}-host file, ${IN_FLIGHT} in flight: ${
            rs.map((r) => Math.round(r.perSecond)).join(" / ")
          }/s (rounds), p50 ${
            median(rs.map((r) => r.p50)).toFixed(2)
          } ms, p99 ${median(rs.map((r) => r.p99)).toFixed(2)} ms, errors ${
            rs.reduce((a, r) => a + r.errors, 0)
          }`,
        );
      }
    } finally {
      await nc.close();
    }
  } finally {
    await stack.disposeAsync();
  }
}

/**
 * Lookups answered by a watching responder (its own process) while the big
 * file is replaced with a new version every 1.5 s: the slowest answer shows
 * how long a reload holds lookups up; every lookup must be answered.
 */
async function lookupsDuringReloads(big: string, hosts: number): Promise<void> {
  await using nats = await startNatsServer();
  await using _responder = await spawnResponder(
    big,
    nats.url,
    "bench.reload",
    true,
  );
  const nc = await connect({ servers: nats.url });
  try {
    await throughput(nc, "bench.reload", hosts, 1000); // warm up
    const idle = await throughput(nc, "bench.reload", hosts, 3000);
    // Built beforehand: building and encoding 23 MiB here would stall this
    // process's event loop and show up as slow lookups.
    const versions = ["g", "h", "i", "j"].map((tag) =>
      new TextEncoder().encode(benchFile(hosts, tag))
    );
    let replaced = 0;
    const writer = (async () => {
      for (const bytes of versions) {
        await new Promise((r) => setTimeout(r, 1000));
        await Deno.writeFile(`${big}.tmp`, bytes);
        await new Promise((r) => setTimeout(r, 500));
        await Deno.rename(`${big}.tmp`, big);
        replaced++;
      }
    })();
    const busy = await throughput(nc, "bench.reload", hosts, 7000);
    await writer;
    // The last version must be in service.
    const last = encodeStructured(
      new CloudEvent({
        source: EVENT_SOURCE,
        type: READ_EVENT_TYPE,
        datacontenttype: "application/json",
        data: encodeLookupRequest(benchMac(hosts - 1)),
      }),
    );
    const want = `j-node-${hosts - 1}`;
    for (let k = 0;; k++) {
      const msg = await nc.request("bench.reload", last, { timeout: 5000 });
      const r = decodeLookupReply(decodeEventRecord(msg.data).data);
      if (r?.hostname === want) break;
      if (k === 100) throw new Error("The last reload did not take effect");
      await new Promise((r) => setTimeout(r, 100));
    }
    const line = (r: typeof idle) =>
      `${Math.round(r.perSecond)}/s, p50 ${r.p50.toFixed(2)} ms, ` +
      `p99 ${r.p99.toFixed(2)} ms, slowest ${r.max.toFixed(0)} ms, ` +
      `errors ${r.errors}`;
    console.log(
      `Lookups (${hosts} hosts, ${IN_FLIGHT} in flight), no reload: ${
        line(idle)
      }`,
    );
    console.log(
      `Lookups while the file was replaced ${replaced} times in 7 s: ${
        line(busy)
      }`,
    );
  } finally {
    await nc.close();
  }
}

async function main(): Promise<void> {
  const seconds = flag("seconds", 3);
  const hosts = flag("hosts", 100_000);
  const dir = await Deno.makeTempDir({ prefix: "responder_bench_" });
  try {
    const small = `${dir}/hosts_10.yaml`;
    const big = `${dir}/hosts_${hosts}.yaml`;
    await Deno.writeTextFile(small, benchFile(10));
    const bigText = benchFile(hosts);
    await Deno.writeTextFile(big, bigText);
    console.log(
      `Reservations file: ${hosts} hosts, ${mib(bigText.length)} (${
        Math.round(bigText.length / hosts)
      } bytes/host)`,
    );

    if (!Deno.args.includes("--lookups-only")) {
      await lookupsDuringReloads(big, hosts);
    }
    if (Deno.args.includes("--files-only")) return;
    await lookups([
      { label: "10", file: small, hosts: 10 },
      { label: String(hosts), file: big, hosts },
    ], seconds);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--serve");
  if (i !== -1) {
    await serveMode(
      Deno.args[i + 1],
      Deno.args[i + 2],
      Deno.args[i + 3],
      Deno.args.includes("--watch"),
    );
  } else await main();
}
