/**
 * Past one machine: two nats-server nodes clustered over routes on
 * loopback; the DHCP server connected to node A (given both URLs),
 * responders on node B. Lookups cross the cluster; node A stopped under
 * load: the server moves to node B by itself and clients are answered
 * again within 2 s.
 *
 * @module
 */
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { freePort, startNatsServer } from "../_helpers/nats_server.ts";
import {
  metric,
  sleep,
  startDhcp,
  startLoad,
  startResponderRole,
  writeReservations,
} from "./_roles.ts";

function clusterConfig(name: string, listen: number, route: number): string {
  return `server_name: ${name}
cluster {
  name: "dhcp-nats-test"
  listen: "127.0.0.1:${listen}"
  routes: ["nats-route://127.0.0.1:${route}"]
}
`;
}

/** Wait until a request made on `a` reaches a subscriber on `b`. */
async function waitForRoute(a: string, b: string): Promise<void> {
  const ncA = await connect({ servers: a });
  const ncB = await connect({ servers: b });
  try {
    ncB.subscribe("route.check", { callback: (_e, m) => void m.respond() });
    await ncB.flush();
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await ncA.request("route.check", "", { timeout: 200 });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(100);
      }
    }
  } finally {
    await ncA.close();
    await ncB.close();
  }
}

Deno.test("fault - two-node cluster: lookups cross it; node A stopped, the server moves to B", async () => {
  const [routeA, routeB] = [freePort(), freePort()];
  await using nodeA = await startNatsServer({
    config: clusterConfig("A", routeA, routeB),
  });
  await using nodeB = await startNatsServer({
    config: clusterConfig("B", routeB, routeA),
  });
  await waitForRoute(nodeA.url, nodeB.url);
  const { file, macs } = await writeReservations(240);
  try {
    await using r1 = await startResponderRole(nodeB.url, file);
    await using r2 = await startResponderRole(nodeB.url, file);
    await using dhcp = await startDhcp(`${nodeA.url},${nodeB.url}`, [
      "--cache-ttl",
      "0",
    ]);
    assert.ok(
      dhcp.lines().some((l) => /DHCP server listening/.test(l)),
    );
    // 3 s per DORA: before the fault every DORA must succeed, and on a
    // loaded 2-core machine (the whole suite in parallel) 1 s was once
    // not enough for one of them.
    const load = startLoad(dhcp.server, macs, { workers: 8, timeout: 3000 });
    try {
      await sleep(2000);
      const beforeStop = load.results.length;
      assert.ok(
        beforeStop > 0 && load.results.every((r) => r.ok),
        dhcp.lines().filter((l) => !/INFO/.test(l)).slice(0, 20).join("\n"),
      );
      const crossed =
        metric(await r1.scrape(), "dhcp_nats_responder_requests_total") +
        metric(await r2.scrape(), "dhcp_nats_responder_requests_total");
      assert.ok(crossed > 0, "lookups made on node A reach responders on B");

      await nodeA.stop();
      const stoppedAt = performance.now();
      let recoveredAt = 0;
      while (performance.now() < stoppedAt + 10_000) {
        const r = load.results.find((r) => r.ok && r.start >= stoppedAt);
        if (r) {
          recoveredAt = r.end;
          break;
        }
        await sleep(20);
      }
      await sleep(2000);
      const results = await load.stop();
      const text = await dhcp.scrape();
      const report = {
        dorasBeforeStop: beforeStop,
        lookupsCrossedBeforeStop: crossed,
        doras: results.length,
        answered: results.filter((r) => r.ok).length,
        failed: results.filter((r) => !r.ok).length,
        firstAnswerMs: recoveredAt ? Math.round(recoveredAt - stoppedAt) : -1,
        failedDoras: results.filter((r) => !r.ok).map((r) => [
          Math.round(r.start - stoppedAt),
          Math.round(r.end - stoppedAt),
        ]),
        reconnects: metric(text, "dhcp_nats_nats_reconnects_total"),
        lookupsFailedFast: metric(
          text,
          'dhcp_nats_lookups_total{outcome="disconnected"}',
        ),
        timeouts: metric(text, 'dhcp_nats_lookups_total{outcome="timeout"}'),
        rateLimited: metric(
          text,
          'dhcp_nats_lookups_total{outcome="rate_limited"}',
        ),
      };
      console.log("cluster failover:", JSON.stringify(report));
      assert.ok(recoveredAt > 0, "clients are answered again");
      // Clients are answered again within 2 s: every DORA started 2 s
      // after the stop (or later) succeeds.
      const lateFailures = results.filter((r) =>
        !r.ok && r.start > stoppedAt + 2000
      );
      assert.deepEqual(lateFailures, []);
      assert.equal(report.reconnects, 1);
      assert.ok(
        dhcp.lines().some((l) =>
          new RegExp(`NATS reconnected.*:${nodeB.port}`).test(l)
        ),
        "the server moved to node B",
      );
      assert.equal(await dhcp.health(), 200);
    } finally {
      await load.stop();
    }
  } finally {
    await Deno.remove(file);
  }
});
