/**
 * Fault: SIGTERM to each role. It stops within a few seconds, answering
 * what is in flight first, whatever state its NATS connection is in
 * (connected, still connecting, reconnecting, draining).
 *
 * @module
 */
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { DhcpClient } from "../../lib/client/client.ts";
import { freePort, startNatsServer } from "../_helpers/nats_server.ts";
import {
  ROOT,
  sleep,
  startDhcp,
  startResponderRole,
  startRole,
  writeReservations,
} from "./_roles.ts";

const requestEvent = (mac: string) =>
  JSON.stringify({
    specversion: "1.0",
    id: crypto.randomUUID(),
    source: "/tinkerbell/dhcp",
    type: "org.tinkerbell.backend.read",
    datacontenttype: "application/json",
    subject: mac,
    data: { MacAddress: mac, Traceparent: "" },
  });

Deno.test("fault - SIGTERM: the embedded broker stops at once", async () => {
  const port = freePort();
  await using broker = await startRole(
    ["--server", "--nats-url", `nats://127.0.0.1:${port}`],
    { ready: /embedded NATS server ready/ },
  );
  const nc = await connect({
    servers: `nats://127.0.0.1:${port}`,
    reconnect: false,
  });
  const stopped = await broker.stop("SIGTERM");
  await nc.closed();
  console.log("broker SIGTERM:", JSON.stringify(stopped));
  assert.equal(stopped.code, 0);
  assert.ok(stopped.ms < 3000);
});

Deno.test("fault - SIGTERM: the responder answers every request it has, then stops", async () => {
  await using nats = await startNatsServer();
  const { file, macs } = await writeReservations(50);
  try {
    await using responder = await startResponderRole(nats.url, file);
    const nc = await connect({ servers: nats.url });
    try {
      const requests = Array.from(
        { length: 500 },
        (_, i) =>
          nc.request("tinkerbell.dhcp", requestEvent(macs[i % macs.length]), {
            timeout: 5000,
          }).then(() => true, () => false),
      );
      await nc.flush(); // all 500 are at the server
      const stopped = await responder.stop("SIGTERM");
      const answered = (await Promise.all(requests)).filter(Boolean).length;
      console.log(
        "responder SIGTERM:",
        JSON.stringify({ sent: 500, answered, exitMs: Math.round(stopped.ms) }),
      );
      assert.equal(stopped.code, 0);
      assert.ok(stopped.ms < 3000);
      // flush() returned: the NATS server had routed all 500 to the
      // responder before it got SIGTERM, so it drains them all.
      assert.equal(answered, 500);
      assert.equal(responder.count(/Responder stopped/), 1);
    } finally {
      await nc.close();
    }
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("fault - SIGTERM: the DHCP server answers a lookup in flight, then stops", async () => {
  await using nats = await startNatsServer();
  const { file, macs } = await writeReservations(1);
  // A slow backend: forwards each lookup to the real responder after 800 ms.
  const proxy = await connect({ servers: nats.url });
  const timers = new Set<ReturnType<typeof setTimeout>>();
  proxy.subscribe("slow.dhcp", {
    callback: (_e, msg) => {
      const t = setTimeout(async () => {
        timers.delete(t);
        const reply = await proxy.request("tinkerbell.dhcp", msg.data, {
          timeout: 2000,
        });
        msg.respond(reply.data, { headers: reply.headers });
      }, 800);
      timers.add(t);
    },
  });
  await proxy.flush();
  try {
    await using _responder = await startResponderRole(nats.url, file);
    await using dhcp = await startDhcp(nats.url, ["--subject", "slow.dhcp"]);
    await using client = await DhcpClient.open({
      server: dhcp.server,
      mac: macs[0],
      bind: "127.0.0.1:0",
      retransmit: 5000,
    });
    const offer = client.discover();
    await sleep(200); // the lookup is in flight
    const stopped = await dhcp.stop("SIGTERM");
    const reply = await offer;
    console.log(
      "DHCP server SIGTERM:",
      JSON.stringify({ exitMs: Math.round(stopped.ms), offered: reply.yourIp }),
    );
    assert.equal(reply.yourIp, "10.0.0.1", "the lookup in flight is answered");
    assert.equal(stopped.code, 0);
    assert.ok(stopped.ms < 5000);
  } finally {
    for (const t of timers) clearTimeout(t);
    await proxy.close();
    await Deno.remove(file);
  }
});

/** Whether process `pid` has a handler for SIGTERM (SigCgt bit 15). */
function catchesSigterm(pid: number): boolean {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const mask = BigInt(
      "0x" + (/SigCgt:\s+([0-9a-f]+)/.exec(status)?.[1] ?? "0"),
    );
    return (mask & (1n << 14n)) !== 0n;
  } catch {
    return false;
  }
}

/**
 * Run `main.ts args`; once it catches SIGTERM, wait `afterMs` and send it:
 * its exit code and how long it took to exit.
 */
async function termAfter(
  args: string[],
  afterMs: number,
): Promise<{ code: number; ms: number; log: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}main.ts`, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  // Wait until it catches SIGTERM (a slow start on a loaded machine would
  // otherwise meet the default action), then let it get into the state.
  const deadline = Date.now() + 30_000;
  while (!catchesSigterm(child.pid) && Date.now() < deadline) await sleep(50);
  await sleep(afterMs);
  const started = performance.now();
  child.kill("SIGTERM");
  const killer = setTimeout(() => child.kill("SIGKILL"), 15000);
  const out = await output;
  clearTimeout(killer);
  const log = new TextDecoder().decode(out.stderr) +
    new TextDecoder().decode(out.stdout);
  return { code: out.code, ms: performance.now() - started, log };
}

Deno.test("fault - SIGTERM: the DHCP server and the responder stop while NATS is unreachable", async () => {
  const url = `nats://127.0.0.1:${freePort()}`; // nothing listens there
  const { file } = await writeReservations(1);
  try {
    const dhcp = await termAfter([
      "--listen",
      "127.0.0.1:0",
      "--server-ip",
      "127.0.0.1",
      "--nats-url",
      url,
    ], 2000);
    const responder = await termAfter(
      ["--responder", "--reservations", file, "--nats-url", url],
      2000,
    );
    console.log(
      "SIGTERM while connecting:",
      JSON.stringify({ dhcpMs: dhcp.ms, responderMs: responder.ms }),
    );
    assert.match(dhcp.log, /DHCP server listening/);
    assert.equal(dhcp.code, 0, dhcp.log);
    assert.ok(dhcp.ms < 5000, `the DHCP server took ${dhcp.ms} ms`);
    assert.equal(responder.code, 0, responder.log);
    assert.ok(responder.ms < 5000, `the responder took ${responder.ms} ms`);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("fault - SIGTERM: the DHCP server and the responder stop while NATS is reconnecting", async () => {
  await using nats = await startNatsServer();
  const { file } = await writeReservations(1);
  try {
    await using responder = await startResponderRole(nats.url, file);
    await using dhcp = await startDhcp(nats.url);
    await nats.stop();
    await sleep(1000); // both are reconnecting now
    const [d, r] = await Promise.all([
      dhcp.stop("SIGTERM"),
      responder.stop("SIGTERM"), // it drains with the connection down
    ]);
    console.log(
      "SIGTERM while reconnecting:",
      JSON.stringify({ dhcpMs: d.ms, responderMs: r.ms }),
    );
    assert.equal(d.code, 0);
    assert.ok(d.ms < 5000, `the DHCP server took ${d.ms} ms`);
    assert.equal(r.code, 0);
    assert.ok(r.ms < 5000, `the responder took ${r.ms} ms`);
  } finally {
    await Deno.remove(file);
  }
});
