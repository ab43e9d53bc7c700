/**
 * Garbage, CPU and lookup latency per DORA inside the DHCP server process:
 * the server's processor with the lookup stack as `main.ts` builds it
 * (cache 5 s, per-MAC limit, guard), over a real `nats-server` and a
 * responder subprocess (`main.ts --responder` with the ladder's 10,000
 * hosts), without sockets on the DHCP side. Cheap enough to run on a busy
 * machine: bytes and CPU per DORA move little with other load.
 *
 * `deno run -A bench/server_alloc.ts [dorasPerRound=4000] [inFlight=8] [--top N] [--memory]`
 *
 * `--memory` runs more rounds and prints the process's peak RSS instead (with
 * `--v8-flags=...` to compare heap settings; 1024 at a time is the server's
 * default in-flight cap, what it holds under overload).
 *
 * Prints, per mode: heap bytes allocated per DORA (V8's sampling heap
 * profiler, collected objects included), CPU microseconds per DORA, and the
 * DISCOVER round trip (p50/p99/max, ms) with `inFlight` DORAs at a time;
 * then the `N` functions allocating most.
 *
 * @module
 */
import process from "node:process";
import { Session } from "node:inspector";
import { createLookupStack } from "../lib/nats/lookup_stack.ts";
import { Counters } from "../lib/server/counters.ts";
import { resolveSettings } from "../lib/server/options.ts";
import { PacketProcessor } from "../lib/server/processor.ts";
import { defaultHandlers } from "../lib/server/server.ts";
import { silentLogger } from "../lib/log/logger.ts";
import { startNatsServer } from "../tests/_helpers/nats_server.ts";
import { request as packet } from "../tests/server/_support.ts";
import { benchHosts, benchNet, reservationsYaml } from "./perfdhcp/fixtures.ts";

const args = Deno.args.filter((a, i) =>
  !a.startsWith("--") && Deno.args[i - 1] !== "--top"
);
const perRound = Number(args[0] ?? 4000);
const inFlight = Number(args[1] ?? 8);
const topAt = Deno.args.indexOf("--top");
const top = topAt >= 0 ? Number(Deno.args[topAt + 1]) : 12;

const hosts = benchHosts(10000);
const dir = await Deno.makeTempDir({ prefix: "server-alloc-" });
await Deno.writeTextFile(`${dir}/r.yaml`, reservationsYaml(hosts));
await using nats = await startNatsServer();
const responder = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    new URL("../main.ts", import.meta.url).pathname,
    "--responder",
    "--nats-url",
    nats.url,
    "--reservations",
    `${dir}/r.yaml`,
    "--log-level",
    "warn",
  ],
  stdout: "null",
  stderr: "inherit",
}).spawn();
await using lookups = createLookupStack({ servers: nats.url, cacheTtl: 5000 });
await lookups.connect();
const settings = resolveSettings({
  listen: "127.0.0.1:0",
  serverIp: benchNet.serverIp,
});
const counters = new Counters();
const processor = new PacketProcessor({
  settings,
  handlers: defaultHandlers(lookups, counters),
  logger: silentLogger,
  counters,
});
const relay = { gatewayIp: benchNet.clientIp };
const source = { address: benchNet.clientIp, port: 67 };
const discovers = hosts.map((h) =>
  packet(1, [], { ...relay, clientHardwareAddress: h.mac })
);
const requests = hosts.map((h) =>
  packet(3, [[50, h.ip.split(".").map(Number)], [
    54,
    benchNet.serverIp.split(".").map(Number),
  ]], { ...relay, clientHardwareAddress: h.mac })
);

// Wait for the responder to answer.
for (let i = 0; i < 600; i++) {
  if (await processor.process(discovers[0], source)) break;
  await new Promise((r) => setTimeout(r, 100));
}

let next = 1;
const delays: number[] = [];
async function dora(): Promise<void> {
  const i = next++ % hosts.length;
  const t0 = performance.now();
  const offer = await processor.process(discovers[i], source);
  delays.push(performance.now() - t0);
  if (offer === undefined) throw new Error(`No OFFER for ${hosts[i].mac}`);
  const ack = await processor.process(requests[i], source);
  if (ack === undefined) throw new Error(`No ACK for ${hosts[i].mac}`);
}
async function round(n: number): Promise<void> {
  let left = n;
  const worker = async () => {
    while (left-- > 0) await dora();
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: Node[];
}
const session = new Session();
session.connect();
const post = <T>(method: string, params: object = {}) =>
  new Promise<T>((resolve, reject) =>
    session.post(
      method,
      params,
      (e: unknown, r: unknown) => e ? reject(e) : resolve(r as T),
    )
  );

const f1 = (n: number) => n.toFixed(1);
await round(perRound); // warm up: JIT, cache, connections
delays.length = 0;
const cpu = process.cpuUsage();
const t0 = performance.now();
await round(perRound);
const used = process.cpuUsage(cpu);
const wall = performance.now() - t0;
const sorted = delays.slice().sort((a, b) => a - b);
const q = (p: number) =>
  sorted[Math.min(sorted.length - 1, p * sorted.length | 0)];

if (Deno.args.includes("--memory")) {
  // Memory mode: more rounds, then peak RSS instead of a heap profile.
  for (let i = 0; i < 4; i++) await round(perRound);
  const status = Deno.readTextFileSync("/proc/self/status");
  const kb = (field: string) =>
    Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1]) / 1024;
  console.log(
    `${inFlight} at a time: peak RSS ${kb("VmHWM").toFixed(0)} MiB (now ${
      kb("VmRSS").toFixed(0)
    }, anonymous ${kb("RssAnon").toFixed(0)}, file ${
      kb("RssFile").toFixed(0)
    }); ${f1((used.user + used.system) / perRound)} CPU us per DORA`,
  );
  responder.kill("SIGTERM");
  await responder.status;
  Deno.exit(0);
}
await post("HeapProfiler.enable");
// --live: what is still held while a round is half done (objects the
// collector freed are left out), instead of everything allocated.
const live = Deno.args.includes("--live");
await post("HeapProfiler.startSampling", {
  samplingInterval: 512,
  includeObjectsCollectedByMinorGC: !live,
  includeObjectsCollectedByMajorGC: !live,
});
const profiled = round(perRound);
if (live) await new Promise((r) => setTimeout(r, wall / 2));
else await profiled;
const { profile } = await post<{ profile: { head: Node } }>(
  "HeapProfiler.stopSampling",
);
const sites = new Map<string, number>();
let total = 0;
const name = (n: Node) => {
  const f = n.callFrame;
  const file = f.url.replace(/^.*\/(lib|bench|tests|npm)\//, "$1/")
    .replace(/^.*registry\.npmjs\.org\//, "npm/");
  return `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}`;
};
const walk = (n: Node, parent: string) => {
  total += n.selfSize;
  const own = name(n);
  // A builtin (no file) is named with its caller.
  const key = n.callFrame.url ? own : `${own} < ${parent}`;
  sites.set(key, (sites.get(key) ?? 0) + n.selfSize);
  for (const c of n.children) walk(c, own);
};
walk(profile.head, "");
session.disconnect();
await profiled;

console.log(
  `${perRound} DORAs, ${inFlight} at a time: ${
    f1(total / perRound / 1024)
  } KiB allocated per DORA, ${
    f1((used.user + used.system) / perRound)
  } CPU us per DORA, ${
    f1(perRound / wall * 1000)
  } DORA/s; DISCOVER p50/p99/max ${q(0.5).toFixed(3)}/${q(0.99).toFixed(3)}/${
    sorted[sorted.length - 1].toFixed(3)
  } ms`,
);
for (
  const [site, bytes] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, top)
) {
  console.log(`  ${f1(bytes / perRound)} B/DORA  ${site}`);
}
responder.kill("SIGTERM");
await responder.status;
await Deno.remove(dir, { recursive: true });
