/**
 * proxyDHCP through the server on loopback: crafted requests to port 67 and
 * to the PXE port, the replies' bytes read without the codec.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { MemoryBackend } from "../../lib/backend/memory_backend.ts";
import type { Reservation } from "../../lib/backend/reservation.ts";
import type { ProxyMode } from "../../lib/server/options.ts";
import { DhcpServer } from "../../lib/server/server.ts";
import { pxeSourceAccepted } from "../../lib/server/proxy_handler.ts";
import { cString, HOST, ipAt, rawOptions, request } from "./_support.ts";

const SERVER_IP = "10.9.8.7";
const OTHER_SERVER = [10, 9, 8, 1];
const UUID = [0, ...Array.from({ length: 16 }, (_, i) => i + 1)];
/** Every lease option a client may ask for; a proxy sends none of them. */
const LEASE_OPTIONS = [1, 3, 6, 12, 15, 28, 42, 50, 51, 58, 59, 119, 121];
const PRL = [1, 3, 6, 12, 15, 28, 42, 43, 51, 58, 59, 60, 66, 67, 97, 119];

type Opt = [number, number[] | string];
const pxe = (arch: number, vendor = "PXEClient"): Opt[] => [
  [60, `${vendor}:Arch:${String(arch).padStart(5, "0")}:UNDI:003016`],
  [93, [arch >> 8, arch & 255]],
  [94, [1, 3, 16]],
  [97, UUID],
  [55, PRL],
];
const ours: Opt = [54, SERVER_IP.split(".").map(Number)];

const NO_NETBOOT: Reservation = {
  ...HOST,
  macAddress: "52:54:00:00:00:02",
  netboot: { allowNetboot: false },
};

async function proxyServer(mode: ProxyMode) {
  return await DhcpServer.start({
    listen: "127.0.0.1:0",
    serverIp: SERVER_IP,
    proxy: mode,
    proxyPort: 0,
    backend: new MemoryBackend([HOST, NO_NETBOOT]),
    netboot: {
      tftpServer: "10.9.8.5:69",
      httpIpxeBinaryUrl: "http://10.9.8.5:8080/ipxe",
      ipxeScriptUrl: "http://10.9.8.5:8080/auto.ipxe",
    },
  });
}

/** A client socket on an ephemeral loopback port. */
async function clientSocket() {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
  const replies: { bytes: Uint8Array; port: number }[] = [];
  socket.on("message", (msg, rinfo) => {
    replies.push({ bytes: new Uint8Array(msg), port: rinfo.port });
  });
  return {
    replies,
    send: (bytes: Uint8Array, port: number) =>
      new Promise<void>((resolve, reject) =>
        socket.send(bytes, port, "127.0.0.1", (e) => e ? reject(e) : resolve())
      ),
    [Symbol.asyncDispose]: () =>
      new Promise<void>((r) => socket.close(() => r())),
  };
}

async function until(what: string, done: () => boolean) {
  for (let i = 0; i < 400 && !done(); i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.ok(done(), `timed out waiting for ${what}`);
}

/** Send one request and wait for its reply, or for it to be counted as dropped. */
async function ask(
  server: DhcpServer,
  bytes: Uint8Array,
  to: "dhcp" | "pxe" = "dhcp",
) {
  await using client = await clientSocket();
  const before = JSON.stringify(server.counters.drops);
  const port = to === "dhcp" ? server.address.port : server.proxyAddress!.port;
  await client.send(bytes, port);
  await until(
    "a reply or a drop",
    () =>
      client.replies.length > 0 ||
      JSON.stringify(server.counters.drops) !== before,
  );
  // A reply may still be on its way when the drop of another was counted:
  // there is only this one request, so a drop means no reply.
  const reply = client.replies[0];
  if (reply === undefined) return undefined;
  assert.equal(reply.port, port, "the reply leaves by the port asked");
  const o = rawOptions(reply.bytes);
  return {
    bytes: reply.bytes,
    o,
    type: o.get(53)?.[0],
    yiaddr: ipAt(reply.bytes, 16),
    ciaddr: ipAt(reply.bytes, 12),
    siaddr: ipAt(reply.bytes, 20),
    file: cString(reply.bytes, 108, 128),
    text: (code: number) =>
      o.has(code)
        ? new TextDecoder().decode(Uint8Array.from(o.get(code)!))
        : undefined,
  };
}

type Reply = NonNullable<Awaited<ReturnType<typeof ask>>>;

function assertProxyReply(r: Reply | undefined, type: number): Reply {
  assert.ok(r, "a reply");
  assert.equal(r.type, type);
  assert.equal(r.yiaddr, "0.0.0.0", "no address: it is the other server's");
  assert.deepEqual(r.o.get(54), SERVER_IP.split(".").map(Number));
  const o43 = r.o.get(43)!;
  assert.deepEqual(o43.slice(0, 3), [6, 1, 8], "discovery control 8");
  assert.deepEqual(r.o.get(97), UUID, "97 echoed");
  for (const code of LEASE_OPTIONS) {
    assert.equal(r.o.has(code), false, `no option ${code} in a proxy reply`);
  }
  assert.notEqual(r.siaddr, "0.0.0.0", "siaddr names a server");
  assert.notEqual(r.file, "");
  assert.equal(r.text(67), r.file);
  return r;
}

Deno.test("proxy - a UEFI PXE DISCOVER gets a proxy OFFER: no address, 60, 54, 43, 97, siaddr and file", async () => {
  await using server = await proxyServer("reserved");
  const r = assertProxyReply(await ask(server, request(1, pxe(7))), 2);
  assert.equal(r.text(60), "PXEClient");
  assert.equal(r.file, "ipxe.efi");
  assert.equal(r.siaddr, "10.9.8.5");
  assert.equal(r.text(66), "10.9.8.5");
  assert.equal(r.o.order[0], 53);
  assert.equal(r.o.order[1], 54);
});

Deno.test("proxy - a BIOS PXE ROM gets undionly.kpxe; an iPXE of ours its script URL with siaddr set", async () => {
  await using server = await proxyServer("reserved");
  const bios = assertProxyReply(await ask(server, request(1, pxe(0))), 2);
  assert.equal(bios.file, "undionly.kpxe");
  const script = assertProxyReply(
    await ask(server, request(1, [...pxe(0), [77, "Tinkerbell"]])),
    2,
  );
  assert.equal(script.file, "http://10.9.8.5:8080/auto.ipxe");
  // In the normal mode siaddr is 0 here; iPXE ignores a proxy offer
  // without one ("Nothing to boot").
  assert.equal(script.siaddr, SERVER_IP);
  const foreign = assertProxyReply(
    await ask(server, request(1, [...pxe(7), [77, "iPXE"]])),
    2,
  );
  assert.equal(foreign.file, "tftp://10.9.8.5:69/ipxe.efi");
});

Deno.test("proxy - an HTTP boot client gets option 60 HTTPClient and the binary URL", async () => {
  await using server = await proxyServer("reserved");
  const r = assertProxyReply(
    await ask(server, request(1, pxe(16, "HTTPClient"))),
    2,
  );
  assert.equal(r.text(60), "HTTPClient");
  assert.equal(r.file, "http://10.9.8.5:8080/ipxe/ipxe.efi");
  assert.equal(r.siaddr, "10.9.8.5");
});

Deno.test("proxy - REQUEST on the PXE port gets an ACK from that port with the same boot information", async () => {
  await using server = await proxyServer("reserved");
  const offer = assertProxyReply(await ask(server, request(1, pxe(7))), 2);
  const ack = assertProxyReply(
    await ask(
      server,
      request(3, [...pxe(7), ours, [50, [192, 168, 7, 44]]], {
        clientIp: "192.168.7.44",
      }),
      "pxe",
    ),
    5,
  );
  assert.equal(ack.ciaddr, "192.168.7.44");
  for (const key of ["file", "siaddr"] as const) {
    assert.equal(ack[key], offer[key]);
  }
  assert.deepEqual(ack.o.get(43)?.slice(0, 3), offer.o.get(43)?.slice(0, 3));
  assert.equal(ack.text(60), offer.text(60));
});

Deno.test("proxy - on port 67 a REQUEST naming us gets an ACK, any other REQUEST nothing, never a NAK", async () => {
  await using server = await proxyServer("reserved");
  // A requested address that is not the reservation would be NAKed by a
  // DHCP server: a proxy only adds boot information.
  assertProxyReply(
    await ask(server, request(3, [...pxe(7), ours, [50, [10, 0, 0, 99]]])),
    5,
  );
  const other = await ask(
    server,
    request(3, [...pxe(7), [54, OTHER_SERVER], [50, [10, 0, 0, 99]]]),
  );
  assert.equal(other, undefined);
  assert.equal(server.counters.drops.otherServer, 1);
  const noServerId = await ask(
    server,
    request(3, [...pxe(7), [50, [10, 0, 0, 99]]]),
  );
  assert.equal(noServerId, undefined);
  assert.equal(server.counters.packetsOut.NAK, undefined);
});

Deno.test("proxy - plain DHCP clients, a DISCOVER on the PXE port, and hosts without netboot get nothing", async () => {
  await using server = await proxyServer("all");
  const plain = request(1, [[55, PRL], [60, "udhcp 1.36.1"]]);
  assert.equal(await ask(server, plain), undefined);
  assert.equal(server.counters.drops.notNetbootClient, 1);
  assert.equal(await ask(server, request(3, [ours])), undefined);
  assert.equal(await ask(server, request(1, pxe(7)), "pxe"), undefined);
  assert.equal(server.counters.lookups.found, undefined, "no lookup");
  await using reserved = await proxyServer("reserved");
  const noNetboot = request(1, pxe(7), {
    clientHardwareAddress: NO_NETBOOT.macAddress,
  });
  assert.equal(await ask(reserved, noNetboot), undefined);
  assert.equal(reserved.counters.drops.noNetboot, 1);
});

Deno.test("proxy - an unknown MAC gets nothing with --proxy, a proxy OFFER with --proxy-all", async () => {
  const unknown = request(1, pxe(7), {
    clientHardwareAddress: "52:54:00:99:99:99",
  });
  await using reserved = await proxyServer("reserved");
  assert.equal(await ask(reserved, unknown), undefined);
  assert.equal(reserved.counters.drops.unknownMac, 1);
  await using all = await proxyServer("all");
  const r = assertProxyReply(await ask(all, unknown), 2);
  assert.equal(r.file, "ipxe.efi");
  assert.equal(all.counters.lookups.found, undefined, "no lookup");
});

Deno.test("proxy - the normal mode opens no PXE port and keeps its lease replies", async () => {
  await using server = await DhcpServer.start({
    listen: "127.0.0.1:0",
    serverIp: SERVER_IP,
    backend: new MemoryBackend([HOST]),
  });
  assert.equal(server.proxyAddress, undefined);
  const r = await ask(server, request(1, pxe(7)));
  assert.equal(r?.yiaddr, HOST.ipAddress);
});

Deno.test("proxy - on the real port 4011 only sources 68 (iPXE) and 4011 (EDK2) are answered: no reflection", () => {
  assert.equal(pxeSourceAccepted(4011, 4011), true);
  assert.equal(pxeSourceAccepted(4011, 68), true);
  for (const port of [53, 67, 123, 1900, 40000]) {
    assert.equal(pxeSourceAccepted(4011, port), false, `source ${port}`);
  }
  assert.equal(pxeSourceAccepted(40111, 40000), true, "a test port: any");
});
