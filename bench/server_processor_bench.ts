/**
 * Cost of handling one request in the server, without sockets: decode, the
 * handler chain with an in-memory backend, options, encode, addressing.
 *
 * `deno bench -A bench/server_processor_bench.ts`
 *
 * @module
 */
import { MemoryBackend } from "../lib/backend/memory_backend.ts";
import { encodeMessage } from "../lib/dhcp/message.ts";
import { DhcpOptions } from "../lib/dhcp/options.ts";
import { silentLogger } from "../lib/log/logger.ts";
import { Counters } from "../lib/server/counters.ts";
import { resolveSettings } from "../lib/server/options.ts";
import { PacketProcessor } from "../lib/server/processor.ts";
import { defaultHandlers } from "../lib/server/server.ts";

const MAC = "52:54:00:12:34:56";
const backend = new MemoryBackend([{
  macAddress: MAC,
  ipAddress: "192.168.2.153",
  subnetMask: "255.255.255.0",
  defaultGateway: "192.168.2.1",
  nameServers: ["8.8.8.8", "1.1.1.1"],
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
const pxeDiscover = packet(1, [[60, [
  ...new TextEncoder().encode("PXEClient:Arch:00007:UNDI:003016"),
]], [93, [0, 7]]]);
const request = packet(3, [[50, [192, 168, 2, 153]], [54, [192, 168, 2, 1]]]);
const source = { address: "0.0.0.0", port: 68 };

Deno.bench(
  "server: DISCOVER -> OFFER",
  { group: "process", baseline: true },
  async () => {
    await processor.process(discover, source);
  },
);
Deno.bench("server: PXE DISCOVER -> OFFER with boot options", {
  group: "process",
}, async () => {
  await processor.process(pxeDiscover, source);
});
Deno.bench("server: REQUEST -> ACK", { group: "process" }, async () => {
  await processor.process(request, source);
});
