/**
 * Other clients' DORAs during a one-MAC flood, end to end:
 * `deno run -A bench/mac_flood.ts [workers] [seconds] [macs] [default|dgram|lo]`.
 *
 * Runs nats-server, the responder role and the DHCP server role (no cache,
 * so every lookup is real) as subprocesses, then twice runs `workers`
 * clients looping DORAs on loopback for `seconds`, each taking turns with
 * `macs / workers` reserved MACs (so that no MAC reaches the per-MAC lookup
 * limit of 2 a second): once alone,
 * once while one more MAC sends DISCOVERs in a tight loop
 * (tests/reliability/_flood.ts). Prints the DORAs a second of each run and
 * their ratio (the target: the flood leaves other clients at least half).
 *
 * The server's socket: `default` (no `--interface`: the recvmmsg batch
 * socket on Linux, FFI being allowed), `dgram` (the same with `--deny-ffi`,
 * so `node:dgram`), `lo` (`--interface lo`, the batch socket bound to lo).
 *
 * @module
 */
import { startNatsServer } from "../tests/_helpers/nats_server.ts";
import {
  metric,
  ROOT,
  startLoad,
  startResponderRole,
  startRole,
  writeReservations,
} from "../tests/reliability/_roles.ts";

const workers = Number(Deno.args[0] ?? 20);
const seconds = Number(Deno.args[1] ?? 5);
const clients = Number(Deno.args[2] ?? 400);
/** `default`, `dgram` (node:dgram) or `lo` (bound to lo). */
const socket = Deno.args[3] ?? "default";
if (!["default", "dgram", "lo"].includes(socket)) {
  throw new RangeError(
    `Invalid socket "${socket}": it must be default, dgram or lo`,
  );
}

/** DORAs a second of the clients over `seconds`, with `during` running. */
async function measure(
  server: string,
  macs: string[],
  during?: () => Promise<unknown>,
): Promise<{ dorasPerSecond: number; failed: number }> {
  const load = startLoad(server, macs, {
    workers,
    timeout: 5000,
    retransmit: 250,
    pauseMs: 20,
  });
  await new Promise((r) => setTimeout(r, 1000)); // warm up
  const from = performance.now();
  const flood = during?.();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const to = performance.now();
  await flood;
  const results = await load.stop();
  const inWindow = results.filter((r) => r.end >= from && r.end <= to);
  return {
    dorasPerSecond: Math.round(
      inWindow.filter((r) => r.ok).length / ((to - from) / 1000),
    ),
    failed: inWindow.filter((r) => !r.ok).length,
  };
}

await using nats = await startNatsServer();
const { file, macs } = await writeReservations(clients + 1);
const [looping, ...others] = macs;
try {
  await using _responder = await startResponderRole(nats.url, file);
  // Not an ephemeral port: the clients' ports come from that range.
  const port = 20000 + Math.floor(Math.random() * 10000);
  await using dhcp = await startRole([
    "--listen",
    `127.0.0.1:${port}`,
    "--server-ip",
    "127.0.0.1",
    "--nats-url",
    nats.url,
    "--cache-ttl",
    "0",
    ...(socket === "lo" ? ["--interface", "lo"] : []),
  ], {
    ready: /DHCP server listening/,
    denoFlags: socket === "dgram" ? ["--deny-ffi"] : [],
  });
  const listening = dhcp.lines().find((l) => /DHCP server listening/.test(l));
  const kind = /socket=(\S+)/.exec(listening ?? "")?.[1];
  while (await dhcp.health() !== 200) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const server = `127.0.0.1:${port}`;
  const alone = await measure(server, others);
  const flooded = await measure(
    server,
    others,
    () =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          `${ROOT}tests/reliability/_flood.ts`,
          "127.0.0.1",
          String(port),
          "mac",
          String(seconds * 1000),
          looping,
        ],
        stdout: "piped",
      }).output().then((o) => JSON.parse(new TextDecoder().decode(o.stdout))),
  );
  const text = await dhcp.scrape();
  console.log(JSON.stringify({
    socket: `${socket} (${kind})`,
    workers,
    macs: others.length,
    seconds,
    alone,
    flooded,
    ratio: +(flooded.dorasPerSecond / alone.dorasPerSecond).toFixed(2),
    refusedBeforeDecode: metric(
      text,
      'dhcp_nats_packets_dropped_total{reason="rateLimited"}',
    ),
    refusedAtLookup: metric(
      text,
      'dhcp_nats_lookups_total{outcome="rate_limited"}',
    ),
  }));
} finally {
  await Deno.remove(file);
}
