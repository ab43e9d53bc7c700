/**
 * Memory of the embedded broker against nats-server, in the same run. Each
 * server runs as its own process (ours as `main.ts --server`, the role as
 * deployed) and is measured from outside, by its resident set
 * (`/proc/PID/status`):
 *
 * - idle, and with 1,000 idle connections (CONNECT and PING answered), so
 *   the cost of one connection is the difference / 1,000;
 * - one slow consumer (a raw TCP client that subscribes and never reads)
 *   fed 64 KiB messages until the server closes it: the peak resident set
 *   above the level before, and the resident set once it is closed;
 * - 20 slow consumers at once (`--sequence`: one after another), then the
 *   resident set after they are closed and a settle, against before.
 *
 * Run: `deno run -A bench/broker_memory.ts [--connections 1000] [--slow 20]
 * [--sequence] [--settle 5] [--only ours|nats-server] [--deno-arg ARG ...]
 * [--server-log FILE]` (`--deno-arg --v8-flags=...` passes a flag to our
 * broker's `deno run`; `--server-log` appends its output to FILE).
 * Peak memory is about the pending limit (64 MiB) times the slow consumers
 * at once, for each server. The default run takes about a minute.
 *
 * @module
 */

import { freePort } from "../tests/_helpers/nats_server.ts";
import { openSession } from "../tests/broker/_raw.ts";

const encoder = new TextEncoder();
const MiB = 1024 * 1024;
/** nats-server's default `max_pending` and our `maxPending`. */
const PENDING_LIMIT = 64 * MiB;
const PAYLOAD = 64 * 1024;

/** What the bench reads from a server's monitoring endpoint. */
interface ServerCounts {
  connections: number;
  slowConsumers: number;
}

/** A server under measurement. */
interface Target extends AsyncDisposable {
  name: string;
  pid: number;
  port: number;
  counts(): Promise<ServerCounts>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident set (VmRSS) of a process, in bytes. */
function rss(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return kib * 1024;
}

async function waitFor(what: string, ok: () => Promise<boolean>) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await ok().catch(() => false)) return;
    await sleep(20);
  }
  throw new Error(`Timed out waiting for ${what}`);
}

async function spawnTarget(
  name: string,
  command: string,
  args: string[],
  port: number,
  counts: () => Promise<ServerCounts>,
  log?: string,
): Promise<Target> {
  const output = log ? "piped" : "null";
  const child = new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: output,
    stderr: output,
  }).spawn();
  if (log) {
    for (const stream of [child.stdout, child.stderr]) {
      const file = await Deno.open(log, { append: true, create: true });
      void stream.pipeTo(file.writable).catch(() => {});
    }
  }
  const target: Target = {
    name,
    pid: child.pid,
    port,
    counts,
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
    },
  };
  try {
    await waitFor(`${name} to listen`, async () => {
      await counts();
      return true;
    });
  } catch (err) {
    await target[Symbol.asyncDispose]();
    throw err;
  }
  return target;
}

function startNats(): Promise<Target> {
  const port = freePort();
  const http = freePort();
  return spawnTarget(
    "nats-server",
    "nats-server",
    ["-a", "127.0.0.1", "-p", String(port), "-m", String(http)],
    port,
    async () => {
      const varz = await (await fetch(`http://127.0.0.1:${http}/varz`))
        .json();
      return {
        connections: varz.connections,
        slowConsumers: varz.slow_consumers,
      };
    },
  );
}

function startOurs(denoArgs: string[], log?: string): Promise<Target> {
  const port = freePort();
  const http = freePort();
  const main = new URL("../main.ts", import.meta.url).pathname;
  return spawnTarget(
    "ours",
    Deno.execPath(),
    [
      "run",
      "-A",
      ...denoArgs,
      main,
      "--server",
      "--nats-url",
      `nats://127.0.0.1:${port}`,
      "--metrics-listen",
      `127.0.0.1:${http}`,
    ],
    port,
    async () => {
      const text = await (await fetch(`http://127.0.0.1:${http}/metrics`))
        .text();
      const metric = (name: string) =>
        Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
      return {
        connections: metric("dhcp_nats_broker_connections"),
        slowConsumers: metric("dhcp_nats_broker_slow_consumers_total"),
      };
    },
    log,
  );
}

const IDLE_HELLO = 'CONNECT {"verbose":false,"protocol":1}\r\nPING\r\n';
const SLOW_HELLO = 'CONNECT {"verbose":false,"protocol":1}\r\n' +
  "SUB flood 1\r\nPING\r\n";

async function openMany(port: number, n: number, hello: string) {
  const conns: Deno.TcpConn[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = Math.min(50, n - i);
    conns.push(
      ...await Promise.all(
        Array.from({ length: batch }, () => openSession(port, hello)),
      ),
    );
  }
  return conns;
}

function closeAll(conns: Deno.TcpConn[]) {
  for (const c of conns) {
    try {
      c.close();
    } catch { /* closed */ }
  }
}

async function settled(t: Target, connections: number, ms: number) {
  await waitFor(
    `${t.name} to have ${connections} connections`,
    async () => (await t.counts()).connections === connections,
  );
  await sleep(ms);
  return rss(t.pid);
}

/** Feed `slow` never-reading subscribers until the server drops them all. */
async function floodUntilClosed(t: Target, slow: number) {
  const before = (await t.counts()).slowConsumers;
  const consumers = await openMany(t.port, slow, SLOW_HELLO);
  const publisher = await openSession(t.port, IDLE_HELLO);
  const header = encoder.encode(`PUB flood ${PAYLOAD}\r\n`);
  const chunk = new Uint8Array(16 * (header.length + PAYLOAD + 2));
  for (let off = 0; off < chunk.length; off += header.length + PAYLOAD + 2) {
    chunk.set(header, off);
    chunk.set([13, 10], off + header.length + PAYLOAD);
  }
  let done = false;
  let peak = rss(t.pid);
  const sampler = (async () => {
    while (!done) {
      peak = Math.max(peak, rss(t.pid));
      await sleep(10);
    }
  })();
  const deadline = Date.now() + 120_000;
  const writer = (async () => {
    while (!done && Date.now() < deadline) {
      for (let off = 0; off < chunk.length;) {
        off += await publisher.write(chunk.subarray(off));
      }
    }
  })();
  writer.catch(() => {});
  let closedAt = 0;
  try {
    await waitFor("the slow consumers to be closed", async () => {
      if ((await t.counts()).slowConsumers - before < slow) return false;
      return true;
    });
    closedAt = rss(t.pid);
  } finally {
    done = true;
    await sampler;
    closeAll([publisher, ...consumers]);
    await writer.catch(() => {});
  }
  return { peak: Math.max(peak, closedAt), closedAt };
}

/** The figures of one server. */
interface Figures {
  idle: number;
  withConnections: number;
  perConnection: number;
  beforeSlow: number;
  onePeak: number;
  oneClosed: number;
  manyPeak: number;
  manyAfter: number;
}

async function measure(
  t: Target,
  connections: number,
  slow: number,
  sequence: boolean,
  settleMs: number,
): Promise<Figures> {
  const idle = await settled(t, 0, settleMs);
  const conns = await openMany(t.port, connections, IDLE_HELLO);
  const withConnections = await settled(t, connections, settleMs);
  closeAll(conns);
  const beforeSlow = await settled(t, 0, settleMs);
  const one = await floodUntilClosed(t, 1);
  await settled(t, 0, settleMs);
  let manyPeak = 0;
  if (sequence) {
    for (let i = 0; i < slow; i++) {
      manyPeak = Math.max(manyPeak, (await floodUntilClosed(t, 1)).peak);
    }
  } else manyPeak = (await floodUntilClosed(t, slow)).peak;
  const manyAfter = await settled(t, 0, settleMs);
  return {
    idle,
    withConnections,
    perConnection: (withConnections - idle) / connections,
    beforeSlow,
    onePeak: one.peak,
    oneClosed: one.closedAt,
    manyPeak,
    manyAfter,
  };
}

function report(
  results: Map<string, Figures>,
  connections: number,
  slow: number,
  sequence: boolean,
) {
  const mib = (b: number) => (b / MiB).toFixed(1);
  const kib = (b: number) => (b / 1024).toFixed(1);
  const many = sequence ? `${slow} slow in sequence` : `${slow} slow at once`;
  const rows: [string, (f: Figures) => number, (b: number) => string][] = [
    ["RSS idle (MiB)", (f) => f.idle, mib],
    [`RSS, ${connections} idle conns (MiB)`, (f) => f.withConnections, mib],
    ["per connection (KiB)", (f) => f.perConnection, kib],
    ["RSS before slow consumers (MiB)", (f) => f.beforeSlow, mib],
    ["1 slow: peak RSS (MiB)", (f) => f.onePeak, mib],
    ["1 slow: peak above before (MiB)", (f) => f.onePeak - f.beforeSlow, mib],
    ["1 slow: RSS when closed (MiB)", (f) => f.oneClosed, mib],
    [`${many}: peak RSS (MiB)`, (f) => f.manyPeak, mib],
    [
      `${many}: peak above before / slow (MiB)`,
      (f) => (f.manyPeak - f.beforeSlow) / (sequence ? 1 : slow),
      mib,
    ],
    [`${many}: RSS after close+settle (MiB)`, (f) => f.manyAfter, mib],
    [
      "after / before slow consumers",
      (f) => f.manyAfter / f.beforeSlow,
      (r) => r.toFixed(2),
    ],
  ];
  const nats = results.get("nats-server");
  const ours = results.get("ours");
  console.log(
    `broker memory: pending limit ${mib(PENDING_LIMIT)} MiB (both), ` +
      `${PAYLOAD / 1024} KiB messages`,
  );
  console.log(
    `${"figure".padEnd(46)} ${"nats-server".padStart(11)} ${
      "ours".padStart(9)
    } ${"ours/nats".padStart(9)}`,
  );
  for (const [name, get, fmt] of rows) {
    const n = nats ? get(nats) : NaN;
    const o = ours ? get(ours) : NaN;
    console.log(
      `${name.padEnd(46)} ${fmt(n).padStart(11)} ${fmt(o).padStart(9)} ${
        (o / n).toFixed(2).padStart(9)
      }`,
    );
  }
}

async function main(): Promise<void> {
  const args = Deno.args;
  const value = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const connections = Number(value("--connections") ?? 1000);
  const slow = Number(value("--slow") ?? 20);
  const settleMs = Number(value("--settle") ?? 5) * 1000;
  const sequence = args.includes("--sequence");
  const only = value("--only");
  const denoArgs = args.flatMap((a, i) =>
    args[i - 1] === "--deno-arg" ? [a] : []
  );
  const results = new Map<string, Figures>();
  const targets: [string, () => Promise<Target>][] = [
    ["nats-server", startNats],
    ["ours", () => startOurs(denoArgs, value("--server-log"))],
  ];
  for (const [name, start] of targets) {
    if (only && only !== name) continue;
    await using target = await start();
    results.set(
      name,
      await measure(target, connections, slow, sequence, settleMs),
    );
  }
  report(results, connections, slow, sequence);
}

if (import.meta.main) await main();
