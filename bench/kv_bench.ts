/**
 * KV backend benchmark (issue 17), against a real nats-server with JetStream
 * (`-js`, its own store directory) on loopback:
 *
 * 1. `dhcp-nats kv import` of a 100,000-host reservations file into a new
 *    bucket: wall time of the command.
 * 2. A `--responder --kv-bucket` process started on that bucket: time from
 *    spawn to the first lookup answered for the last host, and its memory
 *    (VmRSS, VmHWM) once serving.
 * 3. Put-to-in-service latency at the DHCP server side: our DHCP server
 *    (cache off, per-MAC limit off) on a loopback port; for each of N puts
 *    of a new address for one MAC, DORAs back to back until the server
 *    offers the new address; p50/p99 of (first such DORA done - put acked).
 *    The resolution is one DORA on loopback (a few ms).
 *
 * Usage: deno run -A bench/kv_bench.ts [--hosts=100000] [--puts=200]
 *
 * @module
 */
import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import { dora } from "../lib/client/client.ts";
import { macToKvKey } from "../lib/net/mac.ts";
import { freePort, startNatsServer } from "../tests/_helpers/nats_server.ts";
import { lookup } from "../tests/responder/_lookup.ts";
import { benchFile, benchMac } from "./responder_bench.ts";

const ROOT = new URL("../", import.meta.url).pathname;

function flag(name: string, fallback: number): number {
  const arg = Deno.args.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.split("=")[1]) : fallback;
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
}

async function procStatus(pid: number, field: string): Promise<string> {
  const text = await Deno.readTextFile(`/proc/${pid}/status`);
  return new RegExp(`^${field}:\\s+(.*)$`, "m").exec(text)?.[1] ?? "?";
}

/** Start `main.ts` with `args`; resolves once its output matches `ready`. */
async function startMain(args: string[], ready?: RegExp) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}main.ts`, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const decoder = new TextDecoder();
  const collect = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s) output += decoder.decode(chunk);
  };
  const done = Promise.all([collect(child.stdout), collect(child.stderr)]);
  if (ready) {
    const deadline = Date.now() + 120_000;
    while (!ready.test(output)) {
      if (Date.now() > deadline) throw new Error(`not ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return {
    pid: child.pid,
    output: () => output,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await done;
    },
  };
}

async function main() {
  const hosts = flag("hosts", 100_000);
  const puts = flag("puts", 200);
  await using nats = await startNatsServer({ jetstream: true });
  const dir = await Deno.makeTempDir({ prefix: "kv_bench_" });
  const nc = await connect({ servers: nats.url });
  try {
    const file = `${dir}/hosts.yaml`;
    await Deno.writeTextFile(file, benchFile(hosts));
    console.log(`kv bench: ${hosts} hosts, nats-server -js at ${nats.url}`);

    // 1. Import.
    const t0 = performance.now();
    const imported = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${ROOT}main.ts`,
        "kv",
        "import",
        "--kv-bucket",
        "bench",
        "--nats-url",
        nats.url,
        file,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const importMs = performance.now() - t0;
    const importOut = new TextDecoder().decode(imported.stdout).trim();
    if (!imported.success) {
      throw new Error(new TextDecoder().decode(imported.stderr));
    }
    console.log(`import: ${(importMs / 1000).toFixed(1)} s (${importOut})`);

    // 2. Responder start from the full bucket.
    const t1 = performance.now();
    const responder = await startMain([
      "--responder",
      "--kv-bucket",
      "bench",
      "--nats-url",
      nats.url,
    ]);
    const last = benchMac(hosts - 1);
    for (;;) {
      const r = await lookup(nc, last, {
        subject: "tinkerbell.dhcp",
        timeout: 1000,
      }).catch(() => undefined);
      if (r !== undefined) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const firstAnswerMs = performance.now() - t1;
    const rss = await procStatus(responder.pid, "VmRSS");
    const hwm = await procStatus(responder.pid, "VmHWM");
    console.log(
      `responder start: first answer (last host) after ${
        (firstAnswerMs / 1000).toFixed(2)
      } s; memory VmRSS ${rss}, VmHWM ${hwm}`,
    );

    // 3. Put-to-in-service latency at the DHCP server, cache off.
    const port = freePort();
    const server = await startMain([
      "--listen",
      `127.0.0.1:${port}`,
      "--server-ip",
      "127.0.0.1",
      "--nats-url",
      nats.url,
      "--cache-ttl",
      "0",
      "--lookup-rate-per-mac",
      "0",
      "--log-level",
      "warn",
    ]);
    const kv = await new Kvm(nc).open("bench");
    const mac = benchMac(0);
    const key = macToKvKey(mac)!;
    const ask = () =>
      dora({ server: `127.0.0.1:${port}`, mac, timeout: 1000 })
        .then((l) => l.address).catch(() => undefined);
    while (await ask() === undefined) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const latencies: number[] = [];
    for (let i = 0; i < puts; i++) {
      const ip = `10.250.${(i >> 8) & 255}.${i & 255}`;
      await kv.put(
        key,
        JSON.stringify({ ipAddress: ip, subnetMask: "255.0.0.0" }),
      );
      const acked = performance.now();
      while (await ask() !== ip) { /* next DORA at once */ }
      latencies.push(performance.now() - acked);
    }
    console.log(
      `put -> in service at the DHCP server (cache off, ${puts} puts): p50 ${
        percentile(latencies, 0.5).toFixed(1)
      } ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms, max ${
        Math.max(...latencies).toFixed(1)
      } ms`,
    );
    await server.stop();
    await responder.stop();
  } finally {
    await nc.close();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
