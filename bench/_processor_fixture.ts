/**
 * What the processor benchmarks share: a server's packet processor with an
 * in-memory backend holding one netbooting host, and request packets for it.
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

/** The one reserved client. */
export const MAC = "52:54:00:12:34:56";

/** A processor (no sockets) answering for {@linkcode MAC}. */
export function benchProcessor(): PacketProcessor {
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
  const counters = new Counters();
  return new PacketProcessor({
    settings: resolveSettings({
      listen: "0.0.0.0:67",
      serverIp: "192.168.2.1",
    }),
    handlers: defaultHandlers(backend, counters),
    logger: silentLogger,
    counters,
  });
}

/**
 * A client request from {@linkcode MAC}: message type `type`, a parameter
 * request list, and `extra` options as (code, bytes) pairs.
 */
export function packet(
  type: number,
  extra: [number, number[]][] = [],
): Uint8Array {
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

/** A REQUEST for the reserved address from the bench server. */
export const requestExtras: [number, number[]][] = [
  [50, [192, 168, 2, 153]],
  [54, [192, 168, 2, 1]],
];
