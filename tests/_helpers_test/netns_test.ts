import assert from "node:assert/strict";
import {
  canCreateNamespaces,
  cidrNetwork,
  createNamespace,
  createNetworkPair,
  createRelayTopology,
  randomMac,
  runInNamespace,
  spawnDenoInNamespace,
  spawnInNamespace,
} from "../_helpers/netns.ts";

const ignore = !canCreateNamespaces();

async function namespaces(): Promise<string[]> {
  const { stdout } = await runInNamespace(null, "ip", ["netns", "list"]);
  return stdout.split("\n").map((l) => l.split(" ")[0]).filter(Boolean);
}

Deno.test({
  name:
    "netns - createNetworkPair joins two fresh namespaces and removes them on dispose",
  ignore,
  async fn() {
    let names: string[];
    {
      await using a = await createNetworkPair({
        clientAddress: "10.77.0.2/24",
      });
      await using b = await createNetworkPair({
        clientAddress: "10.77.0.2/24",
      });
      names = [
        a.serverNs.name,
        a.clientNs.name,
        b.serverNs.name,
        b.clientNs.name,
      ];
      assert.equal(new Set(names).size, 4);
      assert.notEqual(a.serverIf, b.serverIf);
      assert.ok(a.serverIf.length <= 15 && a.clientIf.length <= 15);
      const listed = await namespaces();
      for (const n of names) assert.ok(listed.includes(n), `${n} exists`);
      // Same addresses in both pairs: each lives only inside its namespaces.
      const ping = await a.run(a.clientNs, "busybox", [
        "ping",
        "-c",
        "1",
        "-W",
        "2",
        a.serverIp,
      ]);
      assert.match(ping.stdout, /1 packets received/);
      const addr = await a.run(a.serverNs, "ip", [
        "-4",
        "-o",
        "addr",
        "show",
        "dev",
        a.serverIf,
      ]);
      assert.match(addr.stdout, /10\.77\.0\.1\/24/);
    }
    const listed = await namespaces();
    for (const n of names) assert.ok(!listed.includes(n), `${n} removed`);
  },
});

Deno.test({
  name:
    "netns - createRelayTopology routes the client subnet through the relay",
  ignore,
  async fn() {
    await using topo = await createRelayTopology();
    assert.equal(topo.gatewayIp, "10.78.0.1");
    assert.equal(topo.clientSubnet, "10.78.0.0/24");
    await topo.clientNs.run("ip", [
      "addr",
      "add",
      "10.78.0.9/24",
      "dev",
      topo.clientIf,
    ]);
    await topo.clientNs.run("ip", [
      "route",
      "add",
      "default",
      "via",
      topo.gatewayIp,
    ]);
    const ping = await topo.clientNs.run("busybox", [
      "ping",
      "-c",
      "1",
      "-W",
      "2",
      topo.serverIp,
    ]);
    assert.match(ping.stdout, /1 packets received/);
    const fwd = await topo.relayNs.run("sysctl", ["-n", "net.ipv4.ip_forward"]);
    assert.equal(fwd.stdout.trim(), "1");
  },
});

Deno.test({
  name:
    "netns - spawnInNamespace captures stdout and stderr and runs inside the namespace",
  ignore,
  async fn() {
    await using ns = await createNamespace("t");
    await using proc = spawnInNamespace(ns.name, "sh", [
      "-c",
      'echo "to out"; echo "to err" >&2; ip -o link; exec sleep 30',
    ]);
    await proc.waitForOutput(/lo:/);
    assert.match(proc.stdout(), /to out/);
    assert.doesNotMatch(proc.stdout(), /to err/);
    assert.match(proc.stderr(), /to err/);
    // Only loopback: the host's interfaces are not visible in a fresh namespace.
    assert.equal(
      proc.stdout().split("\n").filter((l) => /^\d+:/.test(l)).length,
      1,
    );
    assert.equal(proc.exited, false);
    const status = await proc.stop();
    assert.equal(status.signal, "SIGTERM");
    assert.equal(proc.exited, true);
    assert.match(proc.output(), /to out[\s\S]*to err/);
  },
});

Deno.test({
  name: "netns - stop() escalates to SIGKILL when SIGTERM is ignored",
  ignore,
  async fn() {
    await using ns = await createNamespace("t");
    await using proc = ns.spawn("sh", [
      "-c",
      'trap "" TERM; echo ready; exec sleep 30',
    ], { killAfterMs: 200 });
    await proc.waitForOutput(/ready/);
    const status = await proc.stop();
    assert.equal(status.signal, "SIGKILL");
  },
});

Deno.test({
  name:
    "netns - waitForOutput() fails with the output when the process exits first",
  ignore,
  async fn() {
    await using ns = await createNamespace("t");
    await using proc = ns.spawn("sh", ["-c", "echo bye"], { name: "quitter" });
    await assert.rejects(
      proc.waitForOutput(/never/, 5000),
      (e: Error) =>
        /quitter .* did not print \/never\/: it exited first/.test(e.message) &&
        /bye/.test(e.message),
    );
  },
});

Deno.test({
  name: "netns - runInNamespace() reports failures and kills at the timeout",
  ignore,
  async fn() {
    await using ns = await createNamespace("t");
    await assert.rejects(
      ns.run("sh", ["-c", "echo oops >&2; exit 3"]),
      /exited with code 3: oops/,
    );
    const soft = await ns.run("sh", ["-c", "exit 3"], { check: false });
    assert.equal(soft.code, 3);
    const slow = await ns.run("sleep", ["10"], {
      timeoutMs: 200,
      check: false,
    });
    assert.equal(slow.code, 124);
  },
});

Deno.test("netns - cidrNetwork() masks the host part", () => {
  assert.equal(cidrNetwork("10.78.0.1/24"), "10.78.0.0/24");
  assert.equal(cidrNetwork("192.168.7.130/25"), "192.168.7.128/25");
  assert.equal(cidrNetwork("10.1.2.3/0"), "0.0.0.0/0");
});

Deno.test({
  name:
    "netns - spawnDenoInNamespace runs a Deno program whose sockets live in the namespace",
  ignore,
  async fn() {
    await using net = await createNetworkPair({
      serverAddress: "10.77.9.1/24",
    });
    await using proc = spawnDenoInNamespace(net.serverNs.name, [
      "eval",
      "--unstable-net",
      `const s = Deno.listenDatagram({ transport: "udp", hostname: "10.77.9.1", port: 6767 });
       console.log(JSON.stringify(Deno.networkInterfaces().filter((i) => i.family === "IPv4")));
       s.close();`,
    ]);
    const status = await proc.status;
    assert.equal(status.code, 0, proc.output());
    const ifaces = JSON.parse(proc.stdout()) as Array<
      { name: string; address: string }
    >;
    assert.deepEqual(
      ifaces.map((i) => [i.name, i.address]).sort(),
      [["lo", "127.0.0.1"], [net.serverIf, "10.77.9.1"]].sort(),
    );
  },
});

Deno.test("netns - randomMac() is a locally administered unicast MAC", () => {
  const a = randomMac();
  assert.match(a, /^02(:[0-9a-f]{2}){5}$/);
  assert.notEqual(a, randomMac());
});

Deno.test({
  name:
    "netns - runInNamespace() returns even when the command leaves a daemon holding its output",
  ignore,
  async fn() {
    await using ns = await createNamespace("t");
    // The background sleep inherits stdout; with pipes, reading to EOF would
    // wait for it.
    const res = await ns.run("sh", ["-c", "sleep 30 & echo started"], {
      timeoutMs: 5000,
    });
    assert.equal(res.code, 0);
    assert.equal(res.stdout.trim(), "started");
  },
});
