import assert from "node:assert/strict";
import dgram from "node:dgram";
import { openUdpSocket, type ReceivedPacket } from "../../lib/server/socket.ts";
import { openInterfaceSocket } from "../../lib/server/socket_linux.ts";
import { DhcpServer } from "../../lib/server/server.ts";
import { MemoryBackend } from "../../lib/backend/memory_backend.ts";
import { pingPong } from "./_ping_pong.ts";

async function echoThrough(
  open: (
    onPacket: (p: ReceivedPacket) => void,
  ) => Promise<
    {
      local: { port: number };
      send: (d: Uint8Array, a: string, p: number) => Promise<void>;
      close(): Promise<void>;
    }
  >,
): Promise<ReceivedPacket> {
  let resolvePacket!: (p: ReceivedPacket) => void;
  const got = new Promise<ReceivedPacket>((r) => resolvePacket = r);
  const socket = await open((p) => resolvePacket(p));
  try {
    return await pingPong(socket, got);
  } finally {
    await socket.close();
  }
}

Deno.test("openUdpSocket() receives and sends on loopback", async () => {
  const p = await echoThrough((onPacket) =>
    openUdpSocket({ host: "127.0.0.1", port: 0, onPacket })
  );
  assert.equal(p.address, "127.0.0.1");
});

Deno.test("openInterfaceSocket() binds to lo and learns the interface index and destination", async () => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const p = await echoThrough((onPacket) =>
    openInterfaceSocket({ interface: "lo", host: "127.0.0.1", port, onPacket })
  );
  assert.equal(p.interfaceIndex, 1);
  assert.equal(p.destination, "127.0.0.1");
});

Deno.test("openInterfaceSocket() fails clearly for a missing interface", async () => {
  await assert.rejects(
    openInterfaceSocket({
      interface: "nosuch0",
      host: "0.0.0.0",
      port: 1067,
      onPacket: () => {},
    }),
    /^Error: Cannot bind to interface nosuch0: no such network interface$/,
  );
  await assert.rejects(
    DhcpServer.start({
      interface: "nosuch0",
      listen: "0.0.0.0:1067",
      serverIp: "10.0.0.1",
      backend: new MemoryBackend(),
    }),
    /no such network interface/,
  );
});

Deno.test("DhcpServer.start() fails clearly when the listen address is not on this host", async () => {
  await assert.rejects(
    DhcpServer.start({
      listen: "192.0.2.77:1067",
      backend: new MemoryBackend(),
    }),
    /^Error: Cannot bind UDP 192\.0\.2\.77:1067: the address is not on this host$/,
  );
});

Deno.test("openInterfaceSocket() takes a burst in batches, in order, and drops an oversized datagram with an error", async () => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const got: string[] = [];
  const errors: string[] = [];
  let done!: () => void;
  const all = new Promise<void>((r) => done = r);
  const socket = await openInterfaceSocket({
    interface: "lo",
    host: "127.0.0.1",
    port,
    onPacket: (p) => {
      got.push(new TextDecoder().decode(p.data));
      if (got.length === 100) done();
    },
    onError: (e) => errors.push(e.message),
  });
  const client = dgram.createSocket("udp4");
  try {
    await new Promise<void>((r) => client.bind(0, "127.0.0.1", () => r()));
    const send = (data: Uint8Array) =>
      new Promise<void>((r) => client.send(data, port, "127.0.0.1", () => r()));
    await send(new Uint8Array(5000)); // over the 4096-byte slot
    // More than one recvmmsg batch (32) arrives before the socket drains.
    await Promise.all(
      Array.from(
        { length: 100 },
        (_, i) => send(new TextEncoder().encode(`p${i}`)),
      ),
    );
    await all;
    assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => `p${i}`));
    assert.deepEqual(errors, [
      "Datagram over 4096 bytes from 127.0.0.1 dropped",
    ]);
  } finally {
    await new Promise<void>((r) => client.close(() => r()));
    await socket.close();
  }
});

Deno.test("openInterfaceSocket() sends a burst of replies in order; a failing one fails alone", async () => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const socket = await openInterfaceSocket({
    interface: "lo",
    host: "127.0.0.1",
    port,
    onPacket: () => {},
  });
  const client = dgram.createSocket({ type: "udp4", recvBufferSize: 1 << 20 });
  try {
    await new Promise<void>((r) => client.bind(0, "127.0.0.1", () => r()));
    const got: string[] = [];
    const all = new Promise<void>((r) =>
      client.on("message", (m) => {
        got.push(m.length > 100 ? `big:${m.length}` : String(m));
        if (got.length === 101) r();
      })
    );
    const to = client.address().port;
    const enc = new TextEncoder();
    // A larger one in the middle, and one too big for UDP (fails alone).
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      if (i === 70) {
        sends.push(socket.send(new Uint8Array(3000), "127.0.0.1", to));
      }
      sends.push(socket.send(enc.encode(`r${i}`), "127.0.0.1", to));
    }
    const tooBig = socket.send(new Uint8Array(70000), "127.0.0.1", to);
    await Promise.all(sends);
    await assert.rejects(
      tooBig,
      /sendto\(127\.0\.0\.1:\d+\) on lo failed: EMSGSIZE/,
    );
    await all;
    const expected = Array.from({ length: 100 }, (_, i) => `r${i}`);
    expected.splice(70, 0, "big:3000");
    assert.deepEqual(got, expected);
  } finally {
    await new Promise<void>((r) => client.close(() => r()));
    await socket.close();
  }
});

Deno.test("both sockets ask refuse() first: a refused datagram is never delivered", async () => {
  const opens = [
    (o: Parameters<typeof openUdpSocket>[0]) => openUdpSocket(o),
    (o: Parameters<typeof openUdpSocket>[0]) =>
      openInterfaceSocket({
        ...o,
        interface: "lo",
        port: 20000 + Math.floor(Math.random() * 20000),
      }),
  ];
  for (const open of opens) {
    const delivered: string[] = [];
    const asked: string[] = [];
    const socket = await open({
      host: "127.0.0.1",
      port: 0,
      onPacket: (p) => delivered.push(new TextDecoder().decode(p.data)),
      refuse: (buffer, offset, length) => {
        const text = new TextDecoder().decode(
          buffer.subarray(offset, offset + length),
        );
        asked.push(text);
        return text.startsWith("drop");
      },
    });
    const client = dgram.createSocket("udp4");
    try {
      await new Promise<void>((r) => client.bind(0, "127.0.0.1", () => r()));
      for (const text of ["drop-1", "keep-1", "drop-2", "keep-2"]) {
        client.send(
          new TextEncoder().encode(text),
          socket.local.port,
          "127.0.0.1",
        );
      }
      const deadline = Date.now() + 5000;
      while (asked.length < 4 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.deepEqual(asked.sort(), ["drop-1", "drop-2", "keep-1", "keep-2"]);
      assert.deepEqual(delivered.sort(), ["keep-1", "keep-2"]);
    } finally {
      await new Promise<void>((r) => client.close(() => r()));
      await socket.close();
    }
  }
});
