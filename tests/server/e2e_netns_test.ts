/**
 * End to end in network namespaces (root only): our server as a subprocess
 * bound to a bridge in a server namespace, with nats-server and an
 * in-memory responder in the same namespace (on its own loopback); real
 * DHCP clients (dhclient, udhcpc, dhcpcd) in client namespaces on that
 * bridge, and one behind isc-dhcp-relay in a relay namespace.
 */
import assert from "node:assert/strict";
import type { Reservation } from "../../lib/backend/reservation.ts";
import { canUseNamespaces, Lab, parseEnv, run } from "./_namespaces.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const mac = (n: number) => `02:e2:e0:00:00:${n.toString(16).padStart(2, "0")}`;

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

const UDHCPC = 1,
  DHCLIENT = 2,
  DHCPCD = 3,
  RELAYED = 4,
  OTHER_NET = 5,
  UNKNOWN = 9;

function envScript(lab: Lab, name: string, bound: string): string {
  const path = lab.file(`${name}.sh`);
  Deno.writeTextFileSync(
    path,
    `#!/bin/sh\ncase "$reason$1" in *${bound}*) env | sort > ${
      lab.file(`${name}.env`)
    };; esac\nexit 0\n`,
  );
  Deno.chmodSync(path, 0o755);
  return path;
}

async function waitForFile(path: string, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      const text = await Deno.readTextFile(path);
      if (text) return text;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} was not written in time`);
}

Deno.test({
  name:
    "server e2e - dhclient, udhcpc and dhcpcd get their reservations, directly and through dhcrelay",
  ignore: !canUseNamespaces(),
}, async () => {
  await using lab = new Lab();
  const srv = await lab.namespace("srv");
  const br = `br${lab.id}`;
  await run("ip", "-n", srv, "link", "add", br, "type", "bridge");
  await run("ip", "-n", srv, "addr", "add", "10.77.0.1/24", "dev", br);
  await run("ip", "-n", srv, "link", "set", br, "up");

  // Client namespaces on the bridge.
  const clients: Record<number, { ns: string; iface: string }> = {};
  for (const n of [UDHCPC, DHCLIENT, DHCPCD, UNKNOWN]) {
    const ns = await lab.namespace(`c${n}`);
    const { a, b } = await lab.veth(`c${n}`, srv, ns, { macB: mac(n) });
    await run("ip", "-n", srv, "link", "set", a, "master", br);
    clients[n] = { ns, iface: b };
  }
  // A reserved client on another link of the server namespace, not on the
  // bridge the server is bound to: it must get nothing.
  const otherNs = await lab.namespace("c5");
  const other = await lab.veth("c5", srv, otherNs, { macB: mac(OTHER_NET) });
  // Relay namespace: one leg on the bridge, one towards its own client.
  const rel = await lab.namespace("rel");
  const up = await lab.veth("r", srv, rel);
  await run("ip", "-n", srv, "link", "set", up.a, "master", br);
  await run("ip", "-n", rel, "addr", "add", "10.77.0.2/24", "dev", up.b);
  const relCli = await lab.namespace("rc");
  const down = await lab.veth("q", rel, relCli, { macB: mac(RELAYED) });
  await run("ip", "-n", rel, "addr", "add", "10.78.0.1/24", "dev", down.a);
  await run(
    "ip",
    "-n",
    srv,
    "route",
    "add",
    "10.78.0.0/24",
    "via",
    "10.77.0.2",
  );

  // NATS, responder and our server, all inside the server namespace.
  const natsPort = 14000 + Math.floor(Math.random() * 1000);
  const natsUrl = `nats://127.0.0.1:${natsPort}`;
  const nats = lab.spawn(
    srv,
    "nats",
    "nats-server",
    "-a",
    "127.0.0.1",
    "-p",
    String(natsPort),
  );
  await nats.waitFor(/Server is ready/, 5000);
  const table = [
    reservation(UDHCPC),
    reservation(DHCLIENT),
    reservation(DHCPCD),
    reservation(RELAYED, "10.78.0"),
    reservation(OTHER_NET),
  ];
  const responder = lab.spawn(
    srv,
    "responder",
    "deno",
    "run",
    "-A",
    `${ROOT}tests/_helpers/memory_responder.ts`,
    JSON.stringify({ url: natsUrl, reservations: table }),
  );
  const server = lab.spawn(
    srv,
    "server",
    "deno",
    "run",
    "-A",
    `${ROOT}tests/_helpers/run_server.ts`,
    JSON.stringify({
      interface: br,
      listen: "0.0.0.0:67",
      nats: { natsUrl },
      logLevel: "debug",
    }),
  );
  await responder.waitFor(/^ready$/m, 20000);
  await server.waitFor(/^ready$/m, 20000);
  const relay = lab.spawn(
    rel,
    "dhcrelay",
    "dhcrelay",
    "-d",
    "-4",
    "-a",
    "-iu",
    up.b,
    "-id",
    down.a,
    "10.77.0.1",
  );
  await relay.waitFor(/Sending on/, 5000);

  // dhclient starts in INIT-REBOOT with a lease for an address that is not
  // its reservation: the server must NAK, then dhclient gets the right one.
  const lf = lab.file("dhclient.leases");
  Deno.writeTextFileSync(
    lf,
    `lease {\n  interface "${
      clients[DHCLIENT].iface
    }";\n  fixed-address 10.77.0.99;\n` +
      `  option subnet-mask 255.255.255.0;\n  option dhcp-server-identifier 10.77.0.1;\n` +
      `  renew 2 2037/01/06 00:00:00;\n  rebind 2 2037/01/06 00:00:00;\n  expire 2 2037/01/06 00:00:00;\n}\n`,
  );
  const dhclient = lab.spawn(
    clients[DHCLIENT].ns,
    "dhclient",
    "dhclient",
    "-d",
    "-4",
    "-v",
    "-sf",
    envScript(lab, "dhclient", "BOUND"),
    "-lf",
    lf,
    "-pf",
    lab.file("dhclient.pid"),
    clients[DHCLIENT].iface,
  );
  const udhcpc = lab.spawn(
    clients[UDHCPC].ns,
    "udhcpc",
    "udhcpc",
    "-f",
    "-q",
    "-n",
    "-t",
    "5",
    "-T",
    "1",
    "-i",
    clients[UDHCPC].iface,
    "-s",
    envScript(lab, "udhcpc", "bound"),
  );
  lab.removeLater(`/var/lib/dhcpcd/${clients[DHCPCD].iface}.lease`);
  const dhcpcd = lab.spawn(
    clients[DHCPCD].ns,
    "dhcpcd",
    "dhcpcd",
    "-4",
    "-B",
    "-t",
    "20",
    "--noarp",
    "-f",
    "/dev/null",
    "-o",
    "domain_name_servers",
    "-o",
    "domain_name",
    "-o",
    "host_name",
    "-c",
    envScript(lab, "dhcpcd", "BOUND"),
    clients[DHCPCD].iface,
  );
  const unknown = lab.spawn(
    clients[UNKNOWN].ns,
    "unknown",
    "udhcpc",
    "-f",
    "-q",
    "-n",
    "-t",
    "2",
    "-T",
    "1",
    "-i",
    clients[UNKNOWN].iface,
    "-s",
    "/bin/true",
  );
  const otherClient = lab.spawn(
    otherNs,
    "other",
    "udhcpc",
    "-f",
    "-q",
    "-n",
    "-t",
    "2",
    "-T",
    "1",
    "-i",
    other.b,
    "-s",
    "/bin/true",
  );
  const relayed = lab.spawn(
    relCli,
    "relayed",
    "udhcpc",
    "-f",
    "-q",
    "-n",
    "-t",
    "5",
    "-T",
    "1",
    "-i",
    down.b,
    "-s",
    envScript(lab, "relayed", "bound"),
  );

  const [uEnv, dEnv, cEnv, rEnv] = await Promise.all([
    waitForFile(lab.file("udhcpc.env"), 20000),
    waitForFile(lab.file("dhclient.env"), 30000),
    waitForFile(lab.file("dhcpcd.env"), 30000),
    waitForFile(lab.file("relayed.env"), 20000),
  ]);
  if (Deno.env.get("E2E_TRANSCRIPT")) {
    for (
      const [name, text] of Object.entries({
        udhcpc: uEnv,
        dhclient: dEnv,
        dhcpcd: cEnv,
        relayed: rEnv,
      })
    ) {
      const keep =
        /^(ip|subnet|router|dns|hostname|domain|lease|serverid|new_(ip_address|subnet_mask|routers|domain_name_servers|host_name|domain_name|dhcp_lease_time|dhcp_server_identifier))=/;
      console.log(
        `${name}: ${text.split("\n").filter((l) => keep.test(l)).join(" ")}`,
      );
    }
  }
  const u = parseEnv(uEnv);
  assert.equal(u.ip, "10.77.0.51");
  assert.equal(u.subnet, "255.255.255.0");
  assert.equal(u.router, "10.77.0.1");
  assert.equal(u.dns?.trim(), "10.77.0.53 10.77.0.54");
  assert.equal(u.hostname, "host-1");
  assert.equal(u.domain, "e2e.example");
  assert.equal(u.lease, "1200");
  assert.equal(u.serverid, "10.77.0.1");

  const d = parseEnv(dEnv);
  assert.equal(d.new_ip_address, "10.77.0.52");
  assert.equal(d.new_subnet_mask, "255.255.255.0");
  assert.equal(d.new_routers, "10.77.0.1");
  assert.equal(d.new_domain_name_servers, "10.77.0.53 10.77.0.54");
  assert.equal(d.new_host_name, "host-2");
  assert.equal(d.new_domain_name, "e2e.example");
  assert.equal(d.new_dhcp_lease_time, "1200");
  assert.match(await dhclient.output(), /DHCPNAK from 10\.77\.0\.1/);

  const c = parseEnv(cEnv);
  assert.equal(c.new_ip_address, "10.77.0.53");
  assert.equal(c.new_subnet_mask, "255.255.255.0");
  assert.equal(c.new_routers, "10.77.0.1");
  assert.equal(c.new_domain_name_servers, "10.77.0.53 10.77.0.54");
  assert.equal(c.new_host_name, "host-3");
  assert.equal(c.new_domain_name, "e2e.example");
  assert.equal(c.new_dhcp_lease_time, "1200");

  const r = parseEnv(rEnv);
  assert.equal(r.ip, "10.78.0.54");
  assert.equal(r.router, "10.78.0.1");
  assert.equal(r.lease, "1200");

  const unknownStatus = await unknown.status;
  assert.notEqual(unknownStatus.code, 0);
  assert.doesNotMatch(await unknown.output(), /obtained/);
  assert.notEqual((await otherClient.status).code, 0);
  await Promise.all([udhcpc.status, relayed.status]);
  await Promise.all([dhclient.stop(), dhcpcd.stop(), relay.stop()]);

  await server.stop();
  const serverLog = await server.output();
  const counters = JSON.parse(
    serverLog.split("\n").find((l) => l.startsWith('{"packetsIn"'))!,
  );
  assert.ok(counters.drops.unknownMac >= 2, JSON.stringify(counters));
  assert.ok(counters.packetsOut.NAK >= 1, JSON.stringify(counters));
  // Relayed replies went to the relay (giaddr) on port 67, with option 82 echoed.
  const toRelay = serverLog.split("\n").filter((l) =>
    l.includes('"to":"10.78.0.1:67"')
  );
  assert.ok(
    toRelay.some((l) => l.includes('"reply":"ACK"')),
    "ACK sent to giaddr",
  );
  assert.match(
    await relay.output(),
    /Forwarded BOOTREPLY for 02:e2:e0:00:00:04/,
  );
});
