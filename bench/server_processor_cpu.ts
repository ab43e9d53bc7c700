/**
 * CPU time per request in the server's processor (no sockets, in-memory
 * backend), 64 requests in flight like a loaded server: decode, handler
 * chain, lookup deadline, options, encode. CPU time rather than wall time,
 * so other load on the machine disturbs it less than `deno bench`.
 *
 * `deno run -A bench/server_processor_cpu.ts [rounds=9] [perRound=5000]`
 *
 * Prints the median, min and max CPU microseconds per request over the
 * rounds (DISCOVER and REQUEST alternating).
 *
 * @module
 */
import process from "node:process";
import { MemoryBackend } from "../lib/backend/memory_backend.ts";
import { encodeMessage } from "../lib/dhcp/message.ts";
import { DhcpOptions } from "../lib/dhcp/options.ts";
import { silentLogger } from "../lib/log/logger.ts";
import { Counters } from "../lib/server/counters.ts";
import { resolveSettings } from "../lib/server/options.ts";
import { PacketProcessor } from "../lib/server/processor.ts";
import { defaultHandlers } from "../lib/server/server.ts";

const rounds = Number(Deno.args[0] ?? 9);
const perRound = Number(Deno.args[1] ?? 5000);
const IN_FLIGHT = 64;
const MAC = "52:54:00:12:34:56";
const backend = new MemoryBackend([{
  macAddress: MAC,
  ipAddress: "192.168.2.153",
  subnetMask: "255.255.255.0",
  defaultGateway: "192.168.2.1",
  nameServers: ["8.8.8.8"],
  hostname: "bench-host",
  domainName: "example.com",
  leaseTime: 3600,
  netboot: { allowNetboot: true },
}]);
const settings = resolveSettings({
  listen: "0.0.0.0:67",
  serverIp: "192.168.2.1",
});
const counters = new Counters();
const processor = new PacketProcessor({
  settings,
  handlers: defaultHandlers(backend, counters),
  logger: silentLogger,
  counters,
});

function packet(type: number, extra: [number, number[]][] = []): Uint8Array {
  return encodeMessage({
    op: 1,
    hardwareType: 1,
    hardwareLength: 6,
    hops: 0,
    transactionId: 0x1234,
    seconds: 0,
    flags: 0,
    clientIp: "0.0.0.0",
    yourIp: "0.0.0.0",
    serverIp: "0.0.0.0",
    gatewayIp: "0.0.0.0",
    clientHardwareAddress: MAC,
    serverName: "",
    bootFileName: "",
    options: new DhcpOptions([
      [53, Uint8Array.of(type)],
      [55, Uint8Array.of(1, 3, 6, 12, 15, 28, 42, 119)],
      ...extra.map(([c, v]): [number, Uint8Array] => [c, Uint8Array.from(v)]),
    ]),
  });
}

const discover = packet(1);
const request = packet(3, [[50, [192, 168, 2, 153]], [54, [192, 168, 2, 1]]]);
const source = { address: "0.0.0.0", port: 68 };
const batches = Math.ceil(perRound / IN_FLIGHT);
const results: number[] = [];
for (let round = 0; round < rounds; round++) {
  const before = process.cpuUsage();
  for (let b = 0; b < batches; b++) {
    await Promise.all(
      Array.from(
        { length: IN_FLIGHT },
        (_, i) => processor.process(i & 1 ? request : discover, source),
      ),
    );
  }
  const used = process.cpuUsage(before);
  results.push((used.user + used.system) / (batches * IN_FLIGHT));
}
results.sort((a, b) => a - b);
const f = (n: number) => n.toFixed(2);
console.log(
  `processor, ${IN_FLIGHT} in flight: CPU us/request median ${
    f(results[Math.floor(rounds / 2)])
  } (min ${f(results[0])}, max ${f(results[rounds - 1])}, ${rounds} rounds of ${
    batches * IN_FLIGHT
  })`,
);
