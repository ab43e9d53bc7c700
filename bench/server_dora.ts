/**
 * DORA throughput of our server on loopback, measured with our own client:
 * `deno run -A bench/server_dora.ts [clients] [seconds] [memory|nats]`.
 *
 * Each client loops DISCOVER/OFFER/REQUEST/ACK for `seconds`; prints
 * transactions per second and latency percentiles. With `nats`, lookups go
 * through a real nats-server to an in-memory responder.
 *
 * @module
 */
import type { Reservation } from "../lib/backend/reservation.ts";
import { MemoryBackend } from "../lib/backend/memory_backend.ts";
import { DhcpClient } from "../lib/client/client.ts";
import { createLookupStack } from "../lib/nats/lookup_stack.ts";
import { DhcpServer } from "../lib/server/server.ts";
import { startMemoryResponder } from "../tests/_helpers/memory_responder.ts";
import { startNatsServer } from "../tests/_helpers/nats_server.ts";

const clients = Number(Deno.args[0] ?? 16);
const seconds = Number(Deno.args[1] ?? 3);
const mode = Deno.args[2] ?? "memory";

const hosts: Reservation[] = Array.from({ length: clients }, (_, i) => ({
  macAddress: `02:00:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${
    (i & 255).toString(16).padStart(2, "0")
  }`,
  ipAddress: `10.${(i >> 8) + 1}.${i & 255}.10`,
  subnetMask: "255.255.255.0",
  defaultGateway: "10.0.0.1",
  nameServers: ["10.0.0.53"],
}));

await using nats = mode === "nats" ? await startNatsServer() : undefined;
await using _responder = nats
  ? await startMemoryResponder({ url: nats.url, reservations: hosts })
  : undefined;
// Every client loops DORAs on its own MAC: no per-MAC limit.
await using lookups = nats
  ? createLookupStack({ servers: nats.url, macRateLimit: false })
  : undefined;
await using server = await DhcpServer.start({
  listen: "127.0.0.1:0",
  backend: lookups ?? new MemoryBackend(hosts),
});
await lookups?.connect();
const target = `127.0.0.1:${server.address.port}`;
const latencies: number[] = [];
const deadline = performance.now() + seconds * 1000;
await Promise.all(hosts.map(async (h) => {
  await using client = await DhcpClient.open({
    server: target,
    mac: h.macAddress,
    bind: "127.0.0.1:0",
    retransmit: 1000,
  });
  while (performance.now() < deadline) {
    const t = performance.now();
    await client.dora();
    latencies.push(performance.now() - t);
  }
}));
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.floor(latencies.length * p)].toFixed(2);
console.log(
  `${mode}: ${clients} clients, ${latencies.length} DORA in ${seconds} s = ${
    (latencies.length / seconds).toFixed(0)
  }/s; latency p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms; counters ${
    JSON.stringify(server.counters.drops)
  }`,
);
