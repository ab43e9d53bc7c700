/**
 * A loopback round trip through a DHCP server socket, shared by the socket
 * tests.
 *
 * @module
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import type { ReceivedPacket } from "../../lib/server/socket.ts";

const decoder = new TextDecoder();

/** Send "ping" from a loopback client; answer "pong"; the packet received. */
export async function pingPong(
  socket: {
    local: { port: number };
    send: (d: Uint8Array, a: string, p: number) => Promise<void>;
  },
  received: Promise<ReceivedPacket>,
): Promise<ReceivedPacket> {
  const client = dgram.createSocket("udp4");
  try {
    await new Promise<void>((r) => client.bind(0, "127.0.0.1", () => r()));
    const back = new Promise<string>((r) =>
      client.once("message", (m) => r(String(m)))
    );
    client.send("ping", socket.local.port, "127.0.0.1");
    const packet = await received;
    assert.equal(decoder.decode(packet.data), "ping");
    assert.equal(packet.port, client.address().port);
    await socket.send(
      new TextEncoder().encode("pong"),
      packet.address,
      packet.port,
    );
    assert.equal(await back, "pong");
    return packet;
  } finally {
    await new Promise<void>((r) => client.close(() => r()));
  }
}
