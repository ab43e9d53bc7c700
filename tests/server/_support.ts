/**
 * Test support for the server tests: requests built with the codec, a raw
 * option scanner independent of the decoder, and a processor factory.
 *
 * @module
 */
import type { Backend } from "../../lib/backend/backend.ts";
import { MemoryBackend } from "../../lib/backend/memory_backend.ts";
import type { Reservation } from "../../lib/backend/reservation.ts";
import { type DhcpMessage, encodeMessage } from "../../lib/dhcp/message.ts";
import { DhcpOptions } from "../../lib/dhcp/options.ts";
import {
  createLogger,
  type Logger,
  silentLogger,
} from "../../lib/log/logger.ts";
import { Counters } from "../../lib/server/counters.ts";
import {
  type DhcpServerOptions,
  resolveSettings,
} from "../../lib/server/options.ts";
import {
  type DatagramSource,
  PacketProcessor,
} from "../../lib/server/processor.ts";
import { defaultHandlers } from "../../lib/server/server.ts";

export const MAC = "52:54:00:12:34:56";
export const SERVER_IP = "192.168.2.1";

/** A full reservation used by most tests. */
export const HOST: Reservation = {
  macAddress: MAC,
  ipAddress: "192.168.2.153",
  subnetMask: "255.255.255.0",
  defaultGateway: "192.168.2.1",
  nameServers: ["8.8.8.8", "1.1.1.1"],
  hostname: "pxe-virtualbox",
  domainName: "example.com",
  broadcastAddress: "192.168.2.255",
  ntpServers: ["132.163.96.2"],
  leaseTime: 3600,
  domainSearch: ["example.com"],
  netboot: { allowNetboot: true },
};

/** The RFC path: a real client sends from 0.0.0.0:68. */
export const FROM_CLIENT: DatagramSource = { address: "0.0.0.0", port: 68 };

/** Option 93 (client architecture) for architecture `n`. */
export const arch = (n: number): [number, number[]] => [93, [
  n >> 8,
  n & 255,
]];

/** The options a PXE ROM of architecture `n` sends: 60, 93 and 94. */
export const pxe = (n: number): [number, number[] | string][] => [
  [60, `PXEClient:Arch:${String(n).padStart(5, "0")}:UNDI:003016`],
  arch(n),
  [94, [1, 3, 16]],
];

/**
 * A BOOTREQUEST with option 53 and the given options (raw, in order).
 */
export function request(
  type: number,
  options: [number, number[] | Uint8Array | string][] = [],
  fields: Partial<DhcpMessage> = {},
): Uint8Array {
  const store = new DhcpOptions([[53, Uint8Array.of(type)]]);
  for (const [code, value] of options) {
    store.set(
      code,
      typeof value === "string"
        ? new TextEncoder().encode(value)
        : Uint8Array.from(value),
    );
  }
  return encodeMessage({
    op: 1,
    hardwareType: 1,
    hardwareLength: 6,
    hops: 0,
    transactionId: 0x12345678,
    seconds: 0,
    flags: 0,
    clientIp: "0.0.0.0",
    yourIp: "0.0.0.0",
    serverIp: "0.0.0.0",
    gatewayIp: "0.0.0.0",
    clientHardwareAddress: MAC,
    serverName: "",
    bootFileName: "",
    options: store,
    ...fields,
  });
}

/** Raw options of a packet, walked from byte 240 without the codec. */
export function rawOptions(
  bytes: Uint8Array,
): Map<number, number[]> & { order: number[] } {
  const out = new Map<number, number[]>() as Map<number, number[]> & {
    order: number[];
  };
  out.order = [];
  let pos = 240;
  while (pos < bytes.length) {
    const code = bytes[pos];
    if (code === 0) {
      pos++;
      continue;
    }
    if (code === 255) break;
    const len = bytes[pos + 1];
    const value = Array.from(bytes.subarray(pos + 2, pos + 2 + len));
    out.set(code, [...(out.get(code) ?? []), ...value]);
    if (!out.order.includes(code)) out.order.push(code);
    pos += 2 + len;
  }
  return out;
}

/** Dotted quad at a byte offset. */
export function ipAt(bytes: Uint8Array, at: number): string {
  return Array.from(bytes.subarray(at, at + 4)).join(".");
}

/** A NUL-terminated string field at a byte offset. */
export function cString(bytes: Uint8Array, at: number, size: number): string {
  const field = bytes.subarray(at, at + size);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end === -1 ? field : field.subarray(0, end));
}

/** Text of raw option bytes. */
export function textOf(value: number[] | undefined): string | undefined {
  return value === undefined
    ? undefined
    : new TextDecoder().decode(Uint8Array.from(value));
}

/** A logger that keeps its lines. */
export function memoryLogger(
  level: "debug" | "info" = "debug",
): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(
    createLogger({ level, format: "json", write: (l) => lines.push(l) }),
    {
      lines,
    },
  );
}

/** A processor with the default chain. */
export function processor(
  backend: Backend = new MemoryBackend([HOST]),
  options: Omit<DhcpServerOptions, "backend"> = {},
  logger: Logger = silentLogger,
): PacketProcessor {
  const settings = resolveSettings({
    listen: "0.0.0.0:67",
    serverIp: SERVER_IP,
    ...options,
    netboot: {
      tftpServer: "192.168.2.5:69",
      httpIpxeBinaryUrl: "http://192.168.2.5:8080/ipxe/",
      ipxeScriptUrl: "http://192.168.2.5:8080/auto.ipxe",
      ...options.netboot,
    },
  });
  const counters = new Counters();
  return new PacketProcessor({
    settings,
    handlers: defaultHandlers(backend, counters),
    logger,
    counters,
  });
}
