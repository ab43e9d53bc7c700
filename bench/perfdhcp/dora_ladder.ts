/**
 * DORA ladder: our server (through the NATS hop) against Kea, side by side
 * in one run, with kea's `perfdhcp` as the load generator (a relay agent:
 * giaddr set, unicast to the server, replies at giaddr:67).
 *
 * ```sh
 * deno run -A bench/perfdhcp/dora_ladder.ts [--quick] [--broker nats-server|embedded]
 *   [--rates 1000,2000,...] [--period 20] [--clients 10000] [--kea-threads 0]
 *   [--server timed|cli] [--profile DIR] [--v8-flags FLAGS] [--no-heap-flags]
 *   [--server-log FILE] [--only ours|kea] [-- SERVER FLAGS]
 * ```
 *
 * Needs root (network namespaces, port 67), perfdhcp and kea-dhcp4.
 * Everything lives in four namespaces (two per system) that are removed on
 * exit, failure or Ctrl-C.
 *
 * @module
 */
import {
  benchHosts,
  keaConfig,
  macList,
  reservationsYaml,
} from "./fixtures.ts";
import { type PerfdhcpResult, runPerfdhcp } from "./perfdhcp.ts";
import {
  type ProcSample,
  resetPeak,
  sampleProc,
  sampleUdp,
} from "./proc_stats.ts";
import {
  startKea,
  startOurs,
  type Target,
  type TimedStats,
} from "./targets.ts";
import {
  printCpuTable,
  printMemoryTable,
  printSummary,
  printTable,
  type Rung,
} from "./report.ts";
import { printTargets } from "./targets_report.ts";
import { dhcpServerV8Flags } from "../../lib/server/v8_flags.ts";

function opt(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}

const quick = Deno.args.includes("--quick");
const dashDash = Deno.args.indexOf("--");
const serverFlags = dashDash >= 0 ? Deno.args.slice(dashDash + 1) : [];
const rates = opt(
  "rates",
  quick
    ? "1000,2000,3000,4000,6000,0"
    : "1000,2000,3000,4000,5000,6000,8000,10000,12000,0",
).split(",").map(Number);
const period = Number(opt("period", quick ? "8" : "20"));
const clients = Number(opt("clients", "10000"));
const broker = opt("broker", "nats-server");
const only = opt("only", "");
const profileDir = opt("profile", "");
const v8Flags = opt("v8-flags", "");
const serverLog = opt("server-log", "");

const dir = await Deno.makeTempDir({ prefix: "dora-ladder-" });
const hosts = benchHosts(clients);
const macFile = `${dir}/macs.txt`;
await Deno.writeTextFile(macFile, macList(hosts));
await Deno.writeTextFile(`${dir}/reservations.yaml`, reservationsYaml(hosts));

const stack = new AsyncDisposableStack();
let cleaning: Promise<void> | undefined;
let interrupted = false;
/** Remove namespaces, processes and temp files once; later callers wait. */
async function cleanup(code: number): Promise<never> {
  cleaning ??= (async () => {
    await stack.disposeAsync().catch((e) => console.error(e));
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  })();
  await cleaning;
  Deno.exit(interrupted ? 130 : code);
}
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(sig, () => {
    console.error(`\n${sig}: cleaning up namespaces`);
    interrupted = true;
    void cleanup(130);
  });
}

function procTotals(t: Target): (ProcSample | undefined)[] {
  return t.procs.map((p) => sampleProc(p.pid));
}

function sumOf(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

async function rung(
  t: Target,
  rate: number,
  seconds: number,
): Promise<Rung> {
  // Resets the lookup latency window; its counters are the baseline.
  const start: TimedStats | undefined = await t.report();
  for (const p of t.procs) resetPeak(p.pid); // peak RSS of this rung alone
  const before = procTotals(t);
  const udpBefore = await Promise.all(
    [t.net.serverNs.name, t.net.clientNs.name].map(sampleUdp),
  );
  const result: PerfdhcpResult = await runPerfdhcp({
    ns: t.net.clientNs.name,
    interface: t.net.clientIf,
    serverIp: "10.231.0.1",
    rate,
    seconds,
    clients,
    macFile,
  });
  const after = procTotals(t);
  const udpAfter = await Promise.all(
    [t.net.serverNs.name, t.net.clientNs.name].map(sampleUdp),
  );
  const drops = (i: number) =>
    (udpAfter[i]?.rcvbufErrors ?? NaN) - (udpBefore[i]?.rcvbufErrors ?? NaN);
  const timed: TimedStats | undefined = await t.report();
  const dora = result.requestAck.received || 0;
  return {
    target: t.name,
    result,
    timed,
    kernelDrops: { server: drops(0), client: drops(1) },
    serverDrops: timed && start
      ? sumOf(timed.counters.drops) - sumOf(start.counters.drops)
      : undefined,
    procs: t.procs.map((p, i) => ({
      name: p.name,
      cpuSeconds: (after[i]?.cpuSeconds ?? NaN) -
        (before[i]?.cpuSeconds ?? NaN),
      cpuPer1000: dora > 0
        ? 1000 * ((after[i]?.cpuSeconds ?? NaN) -
          (before[i]?.cpuSeconds ?? NaN)) /
          dora
        : NaN,
      rssMiB: after[i]?.rssMiB ?? NaN,
      peakRssMiB: after[i]?.peakRssMiB ?? NaN,
    })),
  };
}

try {
  const targets: Target[] = [];
  if (only !== "kea") {
    console.error(`Starting ours (broker ${broker}) ...`);
    targets.push(stack.use(
      await startOurs({
        reservations: `${dir}/reservations.yaml`,
        broker,
        server: opt("server", "timed"),
        profileDir: profileDir || undefined,
        v8Flags: v8Flags || undefined,
        heapFlags: !Deno.args.includes("--no-heap-flags"),
        serverLog: serverLog || undefined,
        serverFlags,
      }),
    ));
  }
  if (only !== "ours") {
    const threads = Number(opt("kea-threads", "0"));
    console.error(`Starting kea-dhcp4 (threads ${threads || "default"}) ...`);
    targets.push(stack.use(
      await startKea({
        dir,
        writeConfig(iface) {
          const path = `${dir}/kea-dhcp4.json`;
          Deno.writeTextFileSync(
            path,
            JSON.stringify(keaConfig(hosts, {
              interface: iface,
              leaseFile: `${dir}/leases4.csv`,
              threads,
            })),
          );
          return path;
        },
      }),
    ));
  }
  for (const t of targets) {
    console.error(
      `${t.name}: namespaces ${t.net.serverNs.name} (server, ${t.net.serverIf}) and ${t.net.clientNs.name} (perfdhcp, ${t.net.clientIf})`,
    );
  }
  for (const t of targets) {
    // Warm up (JIT of every process, connections, the responder's file)
    // until a modest rate runs clean: a cold Deno process loses exchanges
    // for its first seconds, a long-running server would not.
    for (let i = 0; i < 8; i++) {
      const w = await rung(t, 1000, quick ? 4 : 8);
      console.error(
        `warm-up ${t.name}: ${w.result.lostPercent.toFixed(1)}% lost`,
      );
      if (w.result.lostPercent < 1 && i >= 1) break;
    }
  }
  const rungs: Rung[] = [];
  const ladder = [...rates, ...(rates.includes(0) ? [-1] : [])];
  for (const [i, rate] of ladder.entries()) {
    // -1: recovery rung at the lowest rate right after the unlimited one.
    const r = rate === -1 ? Math.min(...rates.filter((x) => x > 0)) : rate;
    const order = i % 2 === 0 ? targets : [...targets].reverse();
    for (const t of order) {
      const one = await rung(t, r, rate === -1 ? Math.min(period, 10) : period);
      const base = rate === 0
        ? "unlimited"
        : rate === -1
        ? `${r} (recovery)`
        : `${r}`;
      const repeat = ladder.slice(0, i).filter((x) => x === rate).length;
      one.label = repeat > 0 ? `${base} #${repeat + 1}` : base;
      rungs.push(one);
      console.error(
        `${t.name} ${one.label}: ${
          one.result.doraPerSecond.toFixed(0)
        } DORA/s, ${one.result.lostPercent.toFixed(2)}% lost`,
      );
      await new Promise((res) => setTimeout(res, 1000));
    }
  }
  console.log(
    `\nserver V8 flags: ${
      [
        Deno.args.includes("--no-heap-flags") ? "" : dhcpServerV8Flags(),
        v8Flags,
      ].filter(Boolean).join(",") || "(V8 defaults)"
    }`,
  );
  console.log(
    `perfdhcp -4 -r RATE -R ${clients} -p ${period} -M macs -l IFACE 10.231.0.1` +
      ` | broker ${broker} | server flags: ${
        serverFlags.join(" ") || "(defaults)"
      }\n`,
  );
  for (const t of targets) if (t.info) console.log(`${t.name}: ${t.info}`);
  printTable(rungs);
  printCpuTable(rungs);
  printMemoryTable(rungs);
  printSummary(rungs, targets);
  printTargets(rungs);
} catch (e) {
  if (!interrupted) console.error(e instanceof Error ? e.message : e);
  await cleanup(1);
}
await cleanup(0);
