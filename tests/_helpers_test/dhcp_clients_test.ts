import assert from "node:assert/strict";
import {
  canCreateNamespaces,
  createNetworkPair,
  createRelayTopology,
  type NetworkPair,
} from "../_helpers/netns.ts";
import {
  DhcpClientError,
  type DhcpClientOptions,
  type DhcpLease,
  runDhclient,
  runDhcpcd,
  runUdhcpc,
  startDhcrelay,
} from "../_helpers/dhcp_clients.ts";
import { type Dnsmasq, startDnsmasq } from "../_helpers/dnsmasq.ts";

// These tests run the client runners against dnsmasq, a reference server, and
// double as the model for testing our own server in a namespace.

const ignore = !canCreateNamespaces();
const MAC = "02:00:00:77:00:50";

type Runner = (
  ns: string,
  iface: string,
  options?: DhcpClientOptions,
) => Promise<DhcpLease>;

function reference(net: NetworkPair): Promise<Dnsmasq> {
  return startDnsmasq(net.serverNs.name, {
    interfaces: [net.serverIf],
    subnets: [{
      network: "10.77.0.0",
      mask: "255.255.255.0",
      router: "10.77.0.1",
    }],
    reservations: [{ mac: MAC, ip: "10.77.0.50", hostname: "node50" }],
    leaseTime: 1800,
    dns: ["10.77.0.53", "10.77.0.54"],
    domain: "example.test",
    extraArgs: ["--dhcp-boot=pxelinux.0,bootsrv,10.77.0.1"],
  });
}

function assertReservedLease(lease: DhcpLease): void {
  assert.equal(lease.ip, "10.77.0.50");
  assert.equal(lease.mask, "255.255.255.0");
  assert.equal(lease.router, "10.77.0.1");
  assert.deepEqual(lease.routers, ["10.77.0.1"]);
  assert.deepEqual(lease.dns, ["10.77.0.53", "10.77.0.54"]);
  assert.equal(lease.hostname, "node50");
  assert.equal(lease.domain, "example.test");
  assert.equal(lease.leaseTime, 1800);
  assert.equal(lease.serverId, "10.77.0.1");
}

const runners: Array<[string, Runner]> = [
  ["dhclient", runDhclient],
  ["udhcpc", runUdhcpc],
  ["dhcpcd", runDhcpcd],
];

for (const [name, run] of runners) {
  Deno.test({
    name:
      `dhcp clients - ${name} gets the reserved lease from dnsmasq, then releases it`,
    ignore,
    async fn() {
      await using net = await createNetworkPair();
      await using dnsmasq = await reference(net);
      const lease = await run(net.clientNs.name, net.clientIf, {
        mac: MAC,
        timeoutMs: 15000,
      });
      assertReservedLease(lease);
      assert.equal(lease.client, name);
      if (name !== "dhcpcd") {
        // dhcpcd does not export siaddr or the BOOTP file field.
        assert.equal(lease.bootFile, "pxelinux.0");
        assert.equal(lease.nextServer, "10.77.0.1");
      }
      // Not configured: the address stays off the interface.
      const addr = await net.clientNs.run("ip", [
        "-4",
        "-o",
        "addr",
        "show",
        "dev",
        net.clientIf,
      ]);
      assert.equal(addr.stdout.trim(), "");

      const again = await run(net.clientNs.name, net.clientIf, {
        timeoutMs: 15000,
        release: true,
      });
      assert.equal(again.ip, "10.77.0.50");
      await dnsmasq.process.waitForOutput(
        /DHCPRELEASE\(\S+\) 10\.77\.0\.50 02:00:00:77:00:50/,
        5000,
      );
    },
  });
}

Deno.test({
  name:
    "dhcp clients - configure applies the address and default route in the namespace",
  ignore,
  async fn() {
    await using net = await createNetworkPair();
    await using _dnsmasq = await reference(net);
    await runUdhcpc(net.clientNs.name, net.clientIf, {
      mac: MAC,
      configure: true,
      timeoutMs: 15000,
    });
    const addr = await net.clientNs.run("ip", [
      "-4",
      "-o",
      "addr",
      "show",
      "dev",
      net.clientIf,
    ]);
    assert.match(addr.stdout, /inet 10\.77\.0\.50\/24/);
    const route = await net.clientNs.run("ip", [
      "-4",
      "route",
      "show",
      "default",
    ]);
    assert.match(route.stdout, /default via 10\.77\.0\.1/);
  },
});

Deno.test({
  name:
    "dhcp clients - dhclient sends the host name and vendor class it is given",
  ignore,
  async fn() {
    await using net = await createNetworkPair();
    await using dnsmasq = await reference(net);
    await runDhclient(net.clientNs.name, net.clientIf, {
      mac: MAC,
      hostname: "asked-name",
      vendorClass: "PXEClient:Arch:00007:UNDI:003016",
      timeoutMs: 15000,
    });
    const log = dnsmasq.process.output();
    assert.match(log, /vendor class: PXEClient:Arch:00007:UNDI:003016/);
    assert.match(log, /client provides name: asked-name/);
  },
});

Deno.test({
  name:
    "dhcp clients - every runner fails cleanly within its timeout when no server answers",
  ignore,
  async fn() {
    await using net = await createNetworkPair();
    for (const [name, run] of runners) {
      const started = Date.now();
      await assert.rejects(
        run(net.clientNs.name, net.clientIf, { mac: MAC, timeoutMs: 3000 }),
        (e: unknown) => {
          assert.ok(e instanceof DhcpClientError, `${name}: ${e}`);
          assert.equal(e.client, name);
          assert.match(
            e.message,
            new RegExp(`^${name} on ${net.clientIf} in ${net.clientNs.name} `),
          );
          return true;
        },
      );
      // Generous bound: proves the runner does not hang, not a speed claim.
      assert.ok(Date.now() - started < 10000, `${name} gave up in time`);
    }
  },
});

for (const [name, run] of runners) {
  Deno.test({
    name: `dhcp clients - ${name} gets its reservation through dhcrelay`,
    ignore,
    async fn() {
      await using topo = await createRelayTopology();
      await using dnsmasq = await startDnsmasq(topo.serverNs.name, {
        interfaces: [topo.serverIf],
        subnets: [{
          network: "10.78.0.0",
          mask: "255.255.255.0",
          router: "10.78.0.1",
        }],
        reservations: [{ mac: MAC, ip: "10.78.0.50", hostname: "relayed50" }],
        dns: ["10.77.0.53"],
      });
      await using _relay = await startDhcrelay(topo.relayNs.name, {
        downstream: [topo.relayClientIf],
        upstream: [topo.relayServerIf],
        servers: [topo.serverIp],
      });
      const lease = await run(topo.clientNs.name, topo.clientIf, {
        mac: MAC,
        timeoutMs: 15000,
      });
      assert.equal(lease.ip, "10.78.0.50");
      assert.equal(lease.router, "10.78.0.1");
      assert.equal(lease.hostname, "relayed50");
      assert.equal(lease.serverId, topo.serverIp);
      assert.equal(lease.leaseTime, 3600);
      // dnsmasq saw it arrive through the relay (giaddr on the client subnet).
      assert.match(
        dnsmasq.process.output(),
        /DHCPACK\(\S+\) 10\.78\.0\.50 02:00:00:77:00:50 relayed50/,
      );
      assert.match(dnsmasq.process.output(), /relay agent|giaddr|10\.78\.0\.1/);
    },
  });
}

Deno.test({
  name:
    "dhcp clients - dhclient shaped like a PXE ROM gets the boot file in option 67",
  ignore,
  async fn() {
    await using net = await createNetworkPair();
    await using _dnsmasq = await startDnsmasq(net.serverNs.name, {
      interfaces: [net.serverIf],
      subnets: [{ network: "10.77.0.0", mask: "255.255.255.0" }],
      reservations: [{ mac: MAC, ip: "10.77.0.50" }],
      extraArgs: [
        "--dhcp-boot=undionly.kpxe,bootsrv,10.77.0.1",
        '--pxe-prompt="Booting",0',
      ],
    });
    const lease = await runDhclient(net.clientNs.name, net.clientIf, {
      mac: MAC,
      vendorClass: "PXEClient:Arch:00000:UNDI:002001",
      extraConfig: [
        "option pxe-system-type code 93 = unsigned integer 16;",
        "send pxe-system-type 0;",
        "also request vendor-encapsulated-options;",
      ].join("\n"),
      timeoutMs: 15000,
    });
    assert.equal(lease.ip, "10.77.0.50");
    // For PXE clients dnsmasq moves the boot file from the BOOTP `file` field
    // into options 67 (and the server name into 66).
    assert.equal(lease.raw.new_bootfile_name, "undionly.kpxe");
    assert.equal(lease.raw.new_tftp_server_name, "bootsrv");
    assert.equal(lease.bootFile, "undionly.kpxe");
    assert.ok(lease.raw.new_vendor_encapsulated_options, "option 43 present");
  },
});
