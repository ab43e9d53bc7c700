/**
 * Our client against our server on loopback (unprivileged port), with
 * lookups going through a real nats-server to a responder that answers
 * from an in-memory table.
 */
import assert from "node:assert/strict";
import type { Reservation } from "../../lib/backend/reservation.ts";
import { DhcpClient, dora } from "../../lib/client/client.ts";
import { DhcpNakError, DhcpTimeoutError } from "../../lib/client/errors.ts";
import {
  createLookupStack,
  type LookupStackOptions,
} from "../../lib/nats/lookup_stack.ts";
import type { DhcpServerOptions } from "../../lib/server/options.ts";
import { DhcpServer } from "../../lib/server/server.ts";
import { startMemoryResponder } from "../_helpers/memory_responder.ts";
import { startNatsServer } from "../_helpers/nats_server.ts";
import { tokenAuthenticator } from "@nats-io/nats-core";

const HOST: Reservation = {
  macAddress: "08:00:27:29:4e:67",
  ipAddress: "192.168.2.153",
  subnetMask: "255.255.255.0",
  defaultGateway: "192.168.2.1",
  nameServers: ["8.8.8.8", "1.1.1.1"],
  hostname: "pxe-virtualbox",
  domainName: "example.com",
  leaseTime: 600,
  netboot: { allowNetboot: true, ipxeScriptUrl: "http://192.168.2.5/h1.ipxe" },
};

/**
 * A DHCP server on loopback whose lookups go over NATS through the stack
 * the CLI builds (without the per-MAC limit: these tests retry one MAC).
 */
async function startNatsDhcp(
  lookups: LookupStackOptions,
  options: Omit<DhcpServerOptions, "backend"> = {},
) {
  const stack = createLookupStack({ macRateLimit: false, ...lookups });
  const server = await DhcpServer.start({
    listen: "127.0.0.1:0",
    ...options,
    backend: stack,
  });
  await stack.connect();
  return {
    server,
    async [Symbol.asyncDispose]() {
      await server.close();
      await stack.close();
    },
  };
}

function subject(): string {
  return `test.dhcp.${crypto.randomUUID().slice(0, 8)}`;
}

async function setup(
  format: "v1" | "v2" = "v2",
  reservations: Reservation[] = [HOST],
) {
  const nats = await startNatsServer();
  const subj = subject();
  const responder = await startMemoryResponder({
    url: nats.url,
    subject: subj,
    reservations,
    format,
  });
  const dhcp = await startNatsDhcp(
    { servers: nats.url, subject: subj, timeout: 1000 },
    { netboot: { tftpServer: "127.0.0.1:6969" } },
  );
  const server = dhcp.server;
  const target = `127.0.0.1:${server.address.port}`;
  return {
    nats,
    responder,
    server,
    target,
    async [Symbol.asyncDispose]() {
      await dhcp[Symbol.asyncDispose]();
      await responder.stop();
      await nats.stop();
      await nats[Symbol.asyncDispose]();
    },
  };
}

const clientOptions = (target: string, mac = HOST.macAddress) => ({
  server: target,
  mac,
  bind: "127.0.0.1:0",
  timeout: 3000,
  retransmit: 300,
});

Deno.test("loopback - DORA through NATS (v2 replies) gives the reserved lease", async () => {
  await using env = await setup("v2");
  const lease = await dora(clientOptions(env.target));
  assert.equal(lease.address, "192.168.2.153");
  assert.equal(lease.subnetMask, "255.255.255.0");
  assert.equal(lease.router, "192.168.2.1");
  assert.deepEqual(lease.dnsServers, ["8.8.8.8", "1.1.1.1"]);
  assert.equal(lease.hostname, "pxe-virtualbox");
  assert.equal(lease.domainName, "example.com");
  assert.equal(lease.leaseTime, 600);
  assert.equal(lease.renewalTime, 300);
  assert.equal(lease.rebindingTime, 525);
  assert.equal(lease.serverId, "127.0.0.1");
  assert.deepEqual(env.responder.lookups, [HOST.macAddress, HOST.macAddress]);
  const c = env.server.counters;
  assert.deepEqual(c.packetsIn, { DISCOVER: 1, REQUEST: 1 });
  assert.deepEqual(c.packetsOut, { OFFER: 1, ACK: 1 });
  assert.deepEqual(c.lookups, { found: 2 });
});

Deno.test("loopback - v1 replies (flat DHCP object) work, with netboot always allowed", async () => {
  await using env = await setup("v1");
  await using client = await DhcpClient.open({
    ...clientOptions(env.target),
    vendorClass: "PXEClient:Arch:00000:UNDI:002001",
    arch: 0,
  });
  const lease = await client.dora();
  assert.equal(lease.address, "192.168.2.153");
  assert.equal(lease.bootFile, "undionly.kpxe");
  assert.equal(lease.nextServer, "127.0.0.1");
});

Deno.test("loopback - netboot over NATS: per-host script URL and the lookup's traceparent in option 43", async () => {
  await using env = await setup("v2");
  await using client = await DhcpClient.open({
    ...clientOptions(env.target),
    vendorClass: "PXEClient:Arch:00007:UNDI:003016",
    arch: 7,
    userClass: "Tinkerbell",
  });
  const lease = await client.dora();
  assert.equal(lease.bootFile, "http://192.168.2.5/h1.ipxe");
  const sub69 = Array.from(lease.options.get(43)!.subarray(5));
  const hex = (a: number[]) =>
    a.map((b) => b.toString(16).padStart(2, "0")).join("");
  const tp = `00-${hex(sub69.slice(1, 17))}-${hex(sub69.slice(17, 25))}-01`;
  assert.equal(env.responder.traceparents.at(-1), tp);
});

Deno.test("loopback - unknown MAC: the responder says 404, the client gets nothing", async () => {
  await using env = await setup("v2");
  await assert.rejects(
    dora({ ...clientOptions(env.target, "02:00:00:00:00:99"), timeout: 700 }),
    DhcpTimeoutError,
  );
  assert.ok((env.server.counters.lookups.not_found ?? 0) >= 1);
  assert.equal(env.server.counters.packetsOut.OFFER, undefined);
});

Deno.test("loopback - no responder on the subject: lookups fail fast and are counted", async () => {
  await using nats = await startNatsServer();
  await using dhcp = await startNatsDhcp({
    servers: nats.url,
    subject: subject(),
    timeout: 5000,
  });
  const server = dhcp.server;
  await assert.rejects(
    dora({
      ...clientOptions(`127.0.0.1:${server.address.port}`),
      timeout: 600,
      retransmit: 250,
    }),
    DhcpTimeoutError,
  );
  assert.ok((server.counters.lookups.no_responders ?? 0) >= 1);
  assert.ok((server.counters.drops.backendError ?? 0) >= 1);
});

Deno.test("loopback - NAK, INFORM and RELEASE", async () => {
  await using env = await setup("v2");
  await using client = await DhcpClient.open(clientOptions(env.target));
  await assert.rejects(client.request("192.168.2.200", "127.0.0.1"), (e) => {
    assert.ok(e instanceof DhcpNakError);
    assert.match(e.message, /192\.168\.2\.200 is not reserved/);
    return true;
  });
  const info = await client.inform("192.168.2.153");
  assert.equal(info.address, "0.0.0.0");
  assert.equal(info.leaseTime, undefined);
  assert.equal(info.subnetMask, "255.255.255.0");
  await client.release("192.168.2.153", "127.0.0.1");
  // RELEASE gets no answer; wait until the server has counted it.
  for (let i = 0; i < 50 && !env.server.counters.packetsIn.RELEASE; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(env.server.counters.packetsIn.RELEASE, 1);
  assert.equal(env.server.counters.packetsOut.NAK, 1);
});

Deno.test("loopback - 30 clients at once, each with a slow lookup, all get their lease", async () => {
  const hosts = Array.from({ length: 30 }, (_, i): Reservation => ({
    macAddress: `02:00:00:00:01:${i.toString(16).padStart(2, "0")}`,
    ipAddress: `10.1.0.${i + 10}`,
    subnetMask: "255.255.255.0",
  }));
  const nats = await startNatsServer();
  const subj = subject();
  const responder = await startMemoryResponder({
    url: nats.url,
    subject: subj,
    reservations: hosts,
    delayMs: 100,
  });
  const dhcp = await startNatsDhcp({ servers: nats.url, subject: subj });
  const server = dhcp.server;
  try {
    const leases = await Promise.all(
      hosts.map((h) =>
        dora({
          ...clientOptions(`127.0.0.1:${server.address.port}`, h.macAddress),
          timeout: 5000,
          retransmit: 2000,
        })
      ),
    );
    assert.deepEqual(
      leases.map((l) => l.address),
      hosts.map((h) => h.ipAddress),
    );
  } finally {
    await dhcp[Symbol.asyncDispose]();
    await responder.stop();
    await nats[Symbol.asyncDispose]();
  }
});

Deno.test("loopback - a malformed datagram is dropped and the server keeps serving", async () => {
  await using env = await setup("v2");
  await using client = await DhcpClient.open(clientOptions(env.target));
  await client.sendRaw(new Uint8Array([1, 2, 3]));
  const lease = await client.dora();
  assert.equal(lease.address, "192.168.2.153");
  assert.equal(env.server.counters.drops.malformed, 1);
});

Deno.test("loopback - the server stops when its signal aborts", async () => {
  await using nats = await startNatsServer();
  const controller = new AbortController();
  await using dhcp = await startNatsDhcp(
    { servers: nats.url, subject: subject() },
    { signal: controller.signal },
  );
  const server = dhcp.server;
  controller.abort();
  await server.close(); // the same promise as the abort's close
  await assert.rejects(
    dora({
      ...clientOptions(`127.0.0.1:${server.address.port}`),
      timeout: 400,
    }),
    DhcpTimeoutError,
  );
});

Deno.test("loopback - NATS connection options (token auth) reach the server's backend", async () => {
  // nats-server with --auth refuses connections without the token, so the
  // lease below can only come through a connection that used it.
  await using nats = await startNatsServer({
    args: ["--auth", "s3cret-token"],
  });
  const subj = subject();
  await using _responder = await startMemoryResponder({
    url: nats.url,
    subject: subj,
    reservations: [HOST],
    token: "s3cret-token",
  });
  await using dhcp = await startNatsDhcp({
    servers: nats.url,
    connectOptions: { authenticator: tokenAuthenticator("s3cret-token") },
    subject: subj,
  });
  const server = dhcp.server;
  const lease = await dora(clientOptions(`127.0.0.1:${server.address.port}`));
  assert.equal(lease.address, HOST.ipAddress);
});

Deno.test("loopback - NATS going away fails lookups (no reply), and serving resumes when it is back", async () => {
  const nats = await startNatsServer();
  const subj = subject();
  const responder = await startMemoryResponder({
    url: nats.url,
    subject: subj,
    reservations: [HOST],
  });
  const dhcp = await startNatsDhcp({
    servers: nats.url,
    subject: subj,
    timeout: 500,
  });
  const server = dhcp.server;
  const target = `127.0.0.1:${server.address.port}`;
  try {
    assert.equal((await dora(clientOptions(target))).address, HOST.ipAddress);
    await nats.stop();
    await assert.rejects(
      dora({ ...clientOptions(target), timeout: 1200 }),
      DhcpTimeoutError,
    );
    assert.ok(
      (server.counters.drops.backendError ?? 0) >= 1,
      JSON.stringify(server.counters),
    );
    await nats.restart();
    // Both NATS clients reconnect on their own; retry until a lease comes back.
    let lease;
    for (let i = 0; i < 20 && !lease; i++) {
      lease = await dora({ ...clientOptions(target), timeout: 1000 }).catch(
        () => undefined,
      );
    }
    assert.equal(lease?.address, HOST.ipAddress);
  } finally {
    await dhcp[Symbol.asyncDispose]();
    await responder.stop();
    await nats[Symbol.asyncDispose]();
  }
});
