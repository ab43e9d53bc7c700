/**
 * The server's guards around each packet, through a real UDP socket on
 * loopback: a rate-limited MAC is refused from its chaddr before decoding,
 * and a packet whose processing throws is caught, counted and logged
 * without ending the process.
 *
 * @module
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { MemoryBackend } from "../../lib/backend/memory_backend.ts";
import { MessageType } from "../../lib/dhcp/codes.ts";
import { createLogger } from "../../lib/log/logger.ts";
import { MacRateLimiter } from "../../lib/backend/mac_rate_limit.ts";
import { DhcpServer } from "../../lib/server/server.ts";
import { HOST, request } from "./_support.ts";

/** A UDP client on loopback that collects what comes back. */
async function udpClient() {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
  const received: Uint8Array[] = [];
  socket.on("message", (m) => received.push(new Uint8Array(m)));
  return {
    received,
    send: (data: Uint8Array, port: number) =>
      new Promise<void>((r) => socket.send(data, port, "127.0.0.1", () => r())),
    [Symbol.asyncDispose]: () =>
      new Promise<void>((r) => socket.close(() => r())),
  };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("Timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("server - a MAC out of lookups is refused from chaddr, before decoding, and counted", async () => {
  const limiter = new MacRateLimiter({ perSecond: 0.001, burst: 2 });
  // The backend takes the tokens, as GuardedBackend does.
  const inner = new MemoryBackend([HOST]);
  let lookups = 0;
  const backend = {
    lookup(mac: string) {
      lookups++;
      if (!limiter.allow(mac)) return Promise.reject(new Error("limited"));
      return inner.lookup(mac);
    },
  };
  await using server = await DhcpServer.start({
    listen: "127.0.0.1:0",
    serverIp: "127.0.0.1",
    backend,
    macRateLimiter: limiter,
  });
  await using client = await udpClient();
  const discover = request(MessageType.Discover);
  for (let i = 0; i < 2; i++) {
    await client.send(discover, server.address.port);
    await until(() => client.received.length === i + 1);
  }
  for (let i = 0; i < 50; i++) await client.send(discover, server.address.port);
  await until(() => (server.counters.drops.rateLimited ?? 0) === 50);
  assert.equal(lookups, 2, "the refused packets made no lookup");
  assert.equal(client.received.length, 2);
  assert.equal(server.counters.packetsIn.DISCOVER, 2, "nor were they decoded");
});

Deno.test("server - a packet whose processing throws is caught, logged and counted; the server goes on", async () => {
  let failWrites = true;
  const lines: string[] = [];
  // A log write that throws, as one to a closed stderr pipe does.
  const logger = createLogger({
    format: "json",
    write: (line) => {
      if (failWrites && line.includes('"msg":"reply"')) {
        throw new Error("Broken pipe");
      }
      lines.push(line);
    },
  });
  await using server = await DhcpServer.start({
    listen: "127.0.0.1:0",
    serverIp: "127.0.0.1",
    backend: new MemoryBackend([HOST]),
    logger,
  });
  await using client = await udpClient();
  await client.send(request(MessageType.Discover), server.address.port);
  await until(() => (server.counters.drops.internalError ?? 0) === 1);
  assert.ok(lines.some((l) => l.includes("packet failed, no reply")));
  failWrites = false;
  await client.send(request(MessageType.Discover), server.address.port);
  await until(() => client.received.length === 1);
});
