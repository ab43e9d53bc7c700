import assert from "node:assert/strict";
import dgram from "node:dgram";
import { MemoryBackend } from "../../lib/backend/memory_backend.ts";
import { DhcpClient, dora, inform } from "../../lib/client/client.ts";
import { DhcpNakError, DhcpTimeoutError } from "../../lib/client/errors.ts";
import { decodeMessage, encodeMessage } from "../../lib/dhcp/message.ts";
import {
  createReply,
  withMessageType,
  withServerIdentifier,
  withYourIp,
} from "../../lib/dhcp/modifiers.ts";
import { DhcpServer } from "../../lib/server/server.ts";

const MAC = "52:54:00:aa:bb:cc";
const backend = () =>
  new MemoryBackend([{
    macAddress: MAC,
    ipAddress: "10.20.0.5",
    subnetMask: "255.255.0.0",
    defaultGateway: "10.20.0.1",
    nameServers: ["10.20.0.53"],
    hostname: "client-test",
    domainName: "test.example",
    domainSearch: ["test.example", "example"],
    ntpServers: ["10.20.0.123"],
    broadcastAddress: "10.20.255.255",
  }]);

Deno.test("dora() gets every lease field from our server on loopback", async () => {
  await using server = await DhcpServer.start({
    listen: "127.0.0.1:0",
    backend: backend(),
  });
  const lease = await dora({
    server: `127.0.0.1:${server.address.port}`,
    mac: MAC,
    bind: "127.0.0.1:0",
  });
  assert.equal(lease.address, "10.20.0.5");
  assert.equal(lease.subnetMask, "255.255.0.0");
  assert.equal(lease.router, "10.20.0.1");
  assert.deepEqual(lease.dnsServers, ["10.20.0.53"]);
  assert.equal(lease.hostname, "client-test");
  assert.equal(lease.domainName, "test.example");
  assert.deepEqual(lease.domainSearch, ["test.example", "example"]);
  assert.deepEqual(lease.ntpServers, ["10.20.0.123"]);
  assert.equal(lease.broadcastAddress, "10.20.255.255");
  assert.equal(lease.leaseTime, 86400);
  assert.equal(lease.serverId, "127.0.0.1");
  assert.equal(lease.nextServer, "0.0.0.0");
  assert.equal(lease.bootFile, undefined);
  assert.equal(lease.reply.op, 2);
});

Deno.test("inform() gets the configuration without an address", async () => {
  await using server = await DhcpServer.start({
    listen: "127.0.0.1:0",
    backend: backend(),
  });
  const info = await inform({
    server: `127.0.0.1:${server.address.port}`,
    mac: MAC,
    bind: "127.0.0.1:0",
    clientIp: "10.20.0.5",
  });
  assert.equal(info.address, "0.0.0.0");
  assert.equal(info.router, "10.20.0.1");
  assert.equal(info.leaseTime, undefined);
});

Deno.test("DhcpClient retransmits when the first DISCOVER gets no answer", async () => {
  // A stand-in server that ignores the first datagram: a real server cannot be told to lose one.
  const fake = dgram.createSocket("udp4");
  await new Promise<void>((r) => fake.bind(0, "127.0.0.1", () => r()));
  let seen = 0;
  fake.on("message", (msg, rinfo) => {
    seen++;
    if (seen === 1) return;
    const request = decodeMessage(new Uint8Array(msg));
    const reply = createReply(
      request,
      withMessageType(2),
      withYourIp("10.0.0.9"),
      withServerIdentifier("127.0.0.1"),
    );
    fake.send(encodeMessage(reply), rinfo.port, rinfo.address);
  });
  try {
    await using client = await DhcpClient.open({
      server: `127.0.0.1:${fake.address().port}`,
      mac: MAC,
      bind: "127.0.0.1:0",
      retransmit: 100,
      timeout: 2000,
    });
    const offer = await client.discover();
    assert.equal(offer.yourIp, "10.0.0.9");
    assert.equal(seen, 2);
  } finally {
    await new Promise<void>((r) => fake.close(() => r()));
  }
});

Deno.test("DhcpClient times out with a clear error when nobody answers", async () => {
  const silent = dgram.createSocket("udp4");
  await new Promise<void>((r) => silent.bind(0, "127.0.0.1", () => r()));
  try {
    const target = `127.0.0.1:${silent.address().port}`;
    await assert.rejects(
      dora({
        server: target,
        mac: MAC,
        bind: "127.0.0.1:0",
        timeout: 350,
        retransmit: 100,
      }),
      (e) => {
        assert.ok(e instanceof DhcpTimeoutError);
        assert.match(
          e.message,
          new RegExp(
            `^No reply to DISCOVER from ${target} within 350 ms \\(\\d attempts\\)$`,
          ),
        );
        return true;
      },
    );
  } finally {
    await new Promise<void>((r) => silent.close(() => r()));
  }
});

Deno.test("DhcpClient stops when its signal aborts", async () => {
  const silent = dgram.createSocket("udp4");
  await new Promise<void>((r) => silent.bind(0, "127.0.0.1", () => r()));
  const controller = new AbortController();
  try {
    await using client = await DhcpClient.open({
      server: `127.0.0.1:${silent.address().port}`,
      mac: MAC,
      bind: "127.0.0.1:0",
      signal: controller.signal,
    });
    const pending = client.discover();
    controller.abort(new Error("stop"));
    await assert.rejects(pending, /stop/);
  } finally {
    await new Promise<void>((r) => silent.close(() => r()));
  }
});

Deno.test("DhcpClient.renew() renews with ciaddr, and a NAK comes back for an address that is not ours", async () => {
  await using server = await DhcpServer.start({
    listen: "127.0.0.1:0",
    backend: backend(),
  });
  await using client = await DhcpClient.open({
    server: `127.0.0.1:${server.address.port}`,
    mac: MAC,
    bind: "127.0.0.1:0",
    timeout: 2000,
  });
  const lease = await client.renew("10.20.0.5");
  assert.equal(lease.address, "10.20.0.5");
  assert.equal(lease.reply.clientIp, "10.20.0.5");
  await assert.rejects(client.renew("10.20.0.6"), DhcpNakError);
});

Deno.test("DhcpClient.open() gives every client its own ephemeral port", async () => {
  const clients = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      DhcpClient.open({
        mac: `02:00:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${
          (i & 255).toString(16).padStart(2, "0")
        }`,
        server: "127.0.0.1:9",
      })),
  );
  try {
    const ports = new Set(clients.map((c) => c.local.port));
    assert.equal(ports.size, clients.length);
  } finally {
    for (const c of clients) await c[Symbol.asyncDispose]();
  }
});
