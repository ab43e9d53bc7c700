/**
 * End to end in network namespaces (root only), on the shared helpers
 * (tests/_helpers/netns.ts, dhcp_clients.ts).
 *
 * Topology: a server namespace with a bridge (10.77.0.1/24) that our server
 * (a subprocess, `interface` = the bridge) is bound to, with nats-server and
 * the in-memory responder subprocess in the same namespace, on its own
 * loopback. Client namespaces hang off the bridge; one more client sits on
 * a link of the server namespace that is not on the bridge; a relay
 * namespace (ISC dhcrelay, option 82 on) has one leg on the bridge and one
 * on 10.78.0.0/24 with its own client.
 */
import assert from "node:assert/strict";
import type { Reservation } from "../../lib/backend/reservation.ts";
import {
  DhcpClientError,
  runDhclient,
  runDhcpcd,
  runUdhcpc,
  startDhcrelay,
} from "../_helpers/dhcp_clients.ts";
import {
  canCreateNamespaces,
  createNamespace,
  createVeth,
  type Namespace,
  spawnInNamespace,
} from "../_helpers/netns.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const mac = (n: number) => `02:e2:e0:00:00:${n.toString(16).padStart(2, "0")}`;
const UDHCPC = 1,
  DHCLIENT = 2,
  DHCPCD = 3,
  RELAYED = 4,
  OTHER_NET = 5,
  NAKED = 6,
  UNKNOWN = 9;

function reservation(n: number, net = "10.77.0"): Reservation {
  return {
    macAddress: mac(n),
    ipAddress: `${net}.${50 + n}`,
    subnetMask: "255.255.255.0",
    defaultGateway: `${net}.1`,
    nameServers: ["10.77.0.53", "10.77.0.54"],
    hostname: `host-${n}`,
    domainName: "e2e.example",
    leaseTime: 1200,
  };
}

Deno.test({
  name:
    "server e2e - dhclient, udhcpc and dhcpcd get their reservations, directly and through dhcrelay",
  ignore: !canCreateNamespaces(),
}, async () => {
  const cleanup: AsyncDisposable[] = [];
  const namespace = async (prefix: string): Promise<Namespace> => {
    const ns = await createNamespace(prefix);
    cleanup.push(ns);
    return ns;
  };
  try {
    const srv = await namespace("es");
    const br = `br${srv.name.slice(-6)}`;
    await srv.run("ip", ["link", "add", br, "type", "bridge"]);
    await srv.run("ip", ["addr", "add", "10.77.0.1/24", "dev", br]);
    await srv.run("ip", ["link", "set", br, "up"]);
    const onBridge = async (n: number) => {
      const ns = await namespace(`ec${n}`);
      const { a, b } = await createVeth({ ns: srv.name }, {
        ns: ns.name,
        mac: mac(n),
      }, "e");
      await srv.run("ip", ["link", "set", a, "master", br]);
      return { ns: ns.name, iface: b };
    };
    const clients = {
      udhcpc: await onBridge(UDHCPC),
      dhclient: await onBridge(DHCLIENT),
      dhcpcd: await onBridge(DHCPCD),
      naked: await onBridge(NAKED),
      unknown: await onBridge(UNKNOWN),
    };
    // A reserved client on a link of the server namespace that is not on
    // the bridge: the server is bound to the bridge, so it must get nothing.
    const otherNs = await namespace("eo");
    const other = await createVeth({ ns: srv.name }, {
      ns: otherNs.name,
      mac: mac(OTHER_NET),
    }, "e");
    // The relay: one leg on the bridge, one on its own client subnet.
    const rel = await namespace("er");
    const up = await createVeth({ ns: srv.name }, {
      ns: rel.name,
      address: "10.77.0.2/24",
    }, "e");
    await srv.run("ip", ["link", "set", up.a, "master", br]);
    const relCli = await namespace("erc");
    const down = await createVeth({ ns: rel.name, address: "10.78.0.1/24" }, {
      ns: relCli.name,
      mac: mac(RELAYED),
    }, "e");
    await srv.run("ip", ["route", "add", "10.78.0.0/24", "via", "10.77.0.2"]);

    // NATS, the responder and our server, inside the server namespace.
    const natsPort = 14000 + Math.floor(Math.random() * 1000);
    const natsUrl = `nats://127.0.0.1:${natsPort}`;
    const nats = srv.spawn("nats-server", [
      "-a",
      "127.0.0.1",
      "-p",
      String(natsPort),
    ], { name: "nats" });
    cleanup.push(nats);
    await nats.waitForOutput(/Server is ready/, 5000);
    const table = [UDHCPC, DHCLIENT, DHCPCD, NAKED, OTHER_NET].map((n) =>
      reservation(n)
    );
    table.push(reservation(RELAYED, "10.78.0"));
    const responder = srv.spawn("deno", [
      "run",
      "-A",
      `${ROOT}tests/_helpers/memory_responder.ts`,
      JSON.stringify({ url: natsUrl, reservations: table }),
    ], { name: "responder" });
    cleanup.push(responder);
    const server = srv.spawn("deno", [
      "run",
      "-A",
      `${ROOT}tests/_helpers/run_server.ts`,
      JSON.stringify({
        interface: br,
        listen: "0.0.0.0:67",
        nats: { servers: natsUrl },
        logLevel: "debug",
      }),
    ], { name: "server" });
    cleanup.push(server);
    await responder.waitForOutput(/^ready$/m, 20000);
    await server.waitForOutput(/^ready$/m, 20000);
    const relay = await startDhcrelay(rel.name, {
      downstream: [down.a],
      upstream: [up.b],
      servers: ["10.77.0.1"],
      extraArgs: ["-a"],
    });
    cleanup.push(relay);

    // A dhclient that reboots with a lease for an address that is not its
    // reservation (INIT-REBOOT): the server must NAK, then it gets the right one.
    const scratch = await Deno.makeTempDir({ prefix: "dhcp-e2e-" });
    cleanup.push({
      [Symbol.asyncDispose]: () => Deno.remove(scratch, { recursive: true }),
    });
    Deno.writeTextFileSync(
      `${scratch}/leases`,
      `lease {\n  interface "${clients.naked.iface}";\n  fixed-address 10.77.0.99;\n` +
        `  option subnet-mask 255.255.255.0;\n  option dhcp-server-identifier 10.77.0.1;\n` +
        `  renew 2 2037/01/06 00:00:00;\n  rebind 2 2037/01/06 00:00:00;\n  expire 2 2037/01/06 00:00:00;\n}\n`,
    );
    Deno.writeTextFileSync(`${scratch}/hook.sh`, "#!/bin/sh\nexit 0\n", {
      mode: 0o755,
    });
    const rebooting = spawnInNamespace(clients.naked.ns, "dhclient", [
      "-d",
      "-4",
      "-v",
      "-sf",
      `${scratch}/hook.sh`,
      "-lf",
      `${scratch}/leases`,
      "-pf",
      `${scratch}/pid`,
      clients.naked.iface,
    ], { name: "dhclient-reboot" });
    cleanup.push(rebooting);

    const expectNone = (p: Promise<unknown>) =>
      p.then(
        (lease) =>
          assert.fail(`expected no lease, got ${JSON.stringify(lease)}`),
        (e) => assert.ok(e instanceof DhcpClientError, String(e)),
      );
    const [u, d, c, r] = await Promise.all([
      runUdhcpc(clients.udhcpc.ns, clients.udhcpc.iface),
      runDhclient(clients.dhclient.ns, clients.dhclient.iface),
      runDhcpcd(clients.dhcpcd.ns, clients.dhcpcd.iface),
      runUdhcpc(relCli.name, down.b),
      expectNone(
        runUdhcpc(clients.unknown.ns, clients.unknown.iface, {
          timeoutMs: 4000,
        }),
      ),
      expectNone(runUdhcpc(otherNs.name, other.b, { timeoutMs: 4000 })),
      rebooting.waitForOutput(/bound to 10\.77\.0\.56/, 20000),
    ]);
    if (Deno.env.get("E2E_TRANSCRIPT")) {
      for (const lease of [u, d, c, r]) {
        const { raw: _raw, ...shown } = lease;
        console.log(JSON.stringify(shown));
      }
      console.log(
        rebooting.output().split("\n").filter((l) => /DHCP|bound/.test(l)).join(
          "\n",
        ),
      );
    }
    for (
      const [lease, n] of [[u, UDHCPC], [d, DHCLIENT], [c, DHCPCD]] as const
    ) {
      assert.equal(lease.ip, `10.77.0.${50 + n}`, lease.client);
      assert.equal(lease.mask, "255.255.255.0", lease.client);
      assert.equal(lease.router, "10.77.0.1", lease.client);
      assert.deepEqual(lease.dns, ["10.77.0.53", "10.77.0.54"], lease.client);
      assert.equal(lease.hostname, `host-${n}`, lease.client);
      assert.equal(lease.domain, "e2e.example", lease.client);
      assert.equal(lease.leaseTime, 1200, lease.client);
      assert.equal(lease.serverId, "10.77.0.1", lease.client);
    }
    assert.equal(r.ip, "10.78.0.54");
    assert.equal(r.router, "10.78.0.1");
    assert.equal(r.leaseTime, 1200);
    assert.match(rebooting.output(), /DHCPNAK from 10\.77\.0\.1/);

    await rebooting.stop();
    await relay.stop();
    await server.stop();
    const serverLog = server.output();
    const counters = JSON.parse(
      serverLog.split("\n").find((l) => l.startsWith('{"packetsIn"'))!,
    );
    assert.ok(counters.drops.unknownMac >= 1, JSON.stringify(counters));
    assert.ok(counters.packetsOut.NAK >= 1, JSON.stringify(counters));
    // Relayed replies went to the relay (giaddr) on port 67.
    const toRelay = serverLog.split("\n").filter((l) =>
      l.includes('"to":"10.78.0.1:67"')
    );
    assert.ok(
      toRelay.some((l) => l.includes('"reply":"ACK"')),
      "ACK sent to giaddr",
    );
    assert.match(relay.output(), /Forwarded BOOTREPLY for 02:e2:e0:00:00:04/);
    // Bound to the bridge: the client on the other link was never seen.
    assert.doesNotMatch(serverLog, new RegExp(mac(OTHER_NET)));
  } finally {
    for (const item of cleanup.reverse()) {
      await Promise.resolve(item[Symbol.asyncDispose]()).catch(() => {});
    }
  }
});
