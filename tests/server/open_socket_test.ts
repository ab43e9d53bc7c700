/**
 * The server's default socket: the Linux batch socket (recvmmsg) without an
 * interface when FFI is permitted, `node:dgram` when it is not; both serve.
 *
 * @module
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { MemoryBackend } from "../../lib/backend/memory_backend.ts";
import { DhcpClient } from "../../lib/client/client.ts";
import { createLogger } from "../../lib/log/logger.ts";
import { openServerSocket } from "../../lib/server/open_socket.ts";
import { DhcpServer } from "../../lib/server/server.ts";
import type { ReceivedPacket } from "../../lib/server/socket.ts";
import { openBatchSocket } from "../../lib/server/socket_linux.ts";
import { runMain, startAndStop } from "../_helpers/run_main.ts";
import { pingPong } from "./_ping_pong.ts";

const LINUX = Deno.build.os === "linux";
/** What the README lists, without --allow-ffi. */
const NO_FFI = ["--allow-net", "--allow-read", "--allow-env", "--allow-sys"];

Deno.test("openServerSocket() without an interface is the batch socket on Linux (FFI granted): its real port, PKTINFO, replies", async () => {
  let got!: (p: ReceivedPacket) => void;
  const received = new Promise<ReceivedPacket>((r) => got = r);
  const { socket, kind } = await openServerSocket({
    host: "127.0.0.1",
    port: 0,
    onPacket: (p) => got(p),
  });
  try {
    assert.equal(kind, LINUX ? "recvmmsg" : "node:dgram");
    assert.equal(socket.local.address, "127.0.0.1");
    assert.notEqual(socket.local.port, 0);
    const packet = await pingPong(socket, received);
    assert.equal(packet.address, "127.0.0.1");
    if (LINUX) {
      assert.equal(packet.destination, "127.0.0.1");
      assert.equal(packet.interfaceIndex, 1);
    }
  } finally {
    await socket.close();
  }
});

Deno.test("openBatchSocket() without an interface on 0.0.0.0 takes datagrams to any local address and says which", async () => {
  let got!: (p: ReceivedPacket) => void;
  const received = new Promise<ReceivedPacket>((r) => got = r);
  const open = openBatchSocket({
    host: "0.0.0.0",
    port: 0,
    onPacket: (p) => got(p),
  });
  if (!LINUX) {
    await assert.rejects(open, /needs Linux/);
    return;
  }
  const socket = await open;
  try {
    assert.equal(socket.local.address, "0.0.0.0");
    const packet = await pingPong(socket, received);
    assert.equal(packet.destination, "127.0.0.1");
  } finally {
    await socket.close();
  }
});

Deno.test("openBatchSocket() without an interface fails as node:dgram does for an address not on this host", async () => {
  await assert.rejects(
    openBatchSocket({ host: "192.0.2.77", port: 1067, onPacket: () => {} }),
    LINUX
      ? /^Error: Cannot bind UDP 192\.0\.2\.77:1067: the address is not on this host$/
      : /needs Linux/,
  );
});

/** Run `main.ts demo --once` with these permission flags. */
async function demo(
  permissions: string[],
): Promise<{ code: number; output: string }> {
  const run = await runMain(["demo", "--once"], {}, permissions);
  return { code: run.code, output: run.stdout + run.stderr };
}

Deno.test("server - the default socket is recvmmsg with --allow-ffi and node:dgram without; each serves the demo's DORA", async () => {
  const cases: [string[], string][] = [
    [[...NO_FFI, "--allow-ffi"], LINUX ? "recvmmsg" : "node:dgram"],
    [NO_FFI, "node:dgram"],
    [["-A", "--deny-ffi"], "node:dgram"],
  ];
  for (const [permissions, kind] of cases) {
    const run = await demo(permissions);
    const what = `${permissions.join(" ")}:\n${run.output}`;
    assert.equal(run.code, 0, what);
    assert.match(
      run.output,
      new RegExp(`DHCP server listening .*socket=${kind} `),
      what,
    );
    assert.match(run.output, /address\s+192\.168\.2\.153/, what);
    assert.match(run.output, /boot file\s+ipxe\.efi/, what);
  }
});

Deno.test("server - without FFI the DHCP server role says at debug why it receives with node:dgram", async () => {
  const { output } = await startAndStop(
    [
      "--listen",
      "127.0.0.1:0",
      "--server-ip",
      "127.0.0.1",
      // Nothing listens there: the socket is bound before NATS is reached.
      "--nats-url",
      "nats://127.0.0.1:1",
      "--log-level",
      "debug",
    ],
    /DHCP server listening/,
    { denoFlags: NO_FFI, readyTimeoutMs: 30_000 },
  );
  assert.match(
    output,
    LINUX
      ? /DEBUG receiving with node:dgram, not recvmmsg .*reason="FFI not permitted \(--allow-ffi\)"/
      : /DEBUG receiving with node:dgram, not recvmmsg .*reason="not Linux/,
    output,
  );
  assert.match(output, /DHCP server listening .*socket=node:dgram /, output);
});

Deno.test("server - datagrams over the batch socket's 4096 bytes are logged at most malformedLogPerSecond a second, and serving goes on", async () => {
  const lines: string[] = [];
  const mac = "52:54:00:12:34:56";
  const started = performance.now();
  const server = await DhcpServer.start({
    listen: "127.0.0.1:0",
    backend: new MemoryBackend([{ macAddress: mac, ipAddress: "10.0.0.5" }]),
    logger: createLogger({ write: (l) => lines.push(l) }),
    malformedLogPerSecond: 2,
  });
  const client = dgram.createSocket("udp4");
  try {
    await new Promise<void>((r) => client.bind(0, "127.0.0.1", () => r()));
    for (let i = 0; i < 50; i++) {
      await new Promise<void>((r) =>
        client.send(
          new Uint8Array(5000),
          server.address.port,
          "127.0.0.1",
          () => r(),
        )
      );
    }
    {
      await using dhcp = await DhcpClient.open({
        server: `127.0.0.1:${server.address.port}`,
        mac,
        bind: "127.0.0.1:0",
      });
      assert.equal((await dhcp.dora()).address, "10.0.0.5");
    }
  } finally {
    await new Promise<void>((r) => client.close(() => r()));
    await server.close();
  }
  const seconds = Math.ceil((performance.now() - started) / 1000);
  const errors = lines.filter((l) => /socket error/.test(l));
  if (LINUX) {
    assert.ok(errors.length >= 1, lines.join("\n"));
    assert.match(errors[0], /Datagram over 4096 bytes from 127\.0\.0\.1/);
  }
  assert.ok(errors.length <= 2 * (seconds + 1), errors.join("\n"));
});
