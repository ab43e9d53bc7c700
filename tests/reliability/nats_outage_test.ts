/**
 * Fault: nats-server stopped for 10 s under steady DORA load, then started
 * again on the same port. The DHCP server and the responder reconnect by
 * themselves; lookups during the outage fail at once; clients are answered
 * again within 2 s of the restart; memory comes back to its level.
 *
 * @module
 */
import assert from "node:assert/strict";
import { startNatsServer } from "../_helpers/nats_server.ts";
import {
  metric,
  sleep,
  startDhcp,
  startLoad,
  startResponderRole,
  writeReservations,
} from "./_roles.ts";

const OUTAGE_MS = 10_000;

Deno.test("fault - NATS down for 10 s under load: fail fast, recover within 2 s", async () => {
  await using nats = await startNatsServer();
  const { file, macs } = await writeReservations(240);
  try {
    await using responder = await startResponderRole(nats.url, file);
    await using dhcp = await startDhcp(nats.url, [
      "--timeout",
      "5s",
      "--cache-ttl",
      "0",
    ]);
    const load = startLoad(dhcp.server, macs, { workers: 8, timeout: 1000 });
    try {
      await sleep(3000); // steady state
      const rssBefore = await dhcp.rss();
      const beforeOutage = load.results.length;
      assert.ok(
        load.results.every((r) => r.ok),
        "every DORA before the outage succeeds: " +
          JSON.stringify(load.results.filter((r) => !r.ok)) + "\n" +
          dhcp.lines().filter((l) =>
            load.results.some((r) => !r.ok && l.includes(r.mac))
          ).join("\n"),
      );

      await nats.stop();
      const stoppedAt = performance.now();
      await sleep(500);
      assert.equal(await dhcp.health(), 503, "/healthz says NATS is down");
      assert.equal(await responder.health(), 503);
      await sleep(OUTAGE_MS - 500);
      const during = await dhcp.scrape();

      await nats.restart();
      const restartedAt = performance.now();
      // First DORA started after the restart that was answered.
      let recoveredAt = 0;
      const deadline = restartedAt + 10_000;
      while (performance.now() < deadline) {
        const r = load.results.find((r) => r.ok && r.start >= restartedAt);
        if (r) {
          recoveredAt = r.end;
          break;
        }
        await sleep(20);
      }
      assert.ok(recoveredAt > 0, "clients are answered again");
      const recoveryMs = recoveredAt - restartedAt;
      await sleep(3000);
      const results = await load.stop();
      const after = await dhcp.scrape();
      const rssAfter = await dhcp.rss();

      const outage = results.filter((r) =>
        r.start > stoppedAt + 100 && r.end < restartedAt
      );
      const lastSecond = results.filter((r) => r.start > recoveredAt + 500);
      const failFastCount = metric(
        during,
        'dhcp_nats_lookup_duration_seconds_count{outcome="disconnected"}',
      );
      const failFastSum = metric(
        during,
        'dhcp_nats_lookup_duration_seconds_sum{outcome="disconnected"}',
      );
      const report = {
        doras: results.length,
        beforeOutage,
        answered: results.filter((r) => r.ok).length,
        failed: results.filter((r) => !r.ok).length,
        failedDuringOutage: outage.filter((r) => !r.ok).length,
        lookupsFailedFast: failFastCount,
        meanFailFastMs: failFastCount ? failFastSum / failFastCount * 1000 : 0,
        timeouts: metric(
          after,
          'dhcp_nats_lookups_total{outcome="timeout"}',
        ),
        recoveryMs: Math.round(recoveryMs),
        rssBeforeMiB: +(rssBefore / 2 ** 20).toFixed(1),
        rssAfterMiB: +(rssAfter / 2 ** 20).toFixed(1),
        reconnects: metric(after, "dhcp_nats_nats_reconnects_total"),
        rateLimited: metric(
          after,
          'dhcp_nats_lookups_total{outcome="rate_limited"}',
        ),
      };
      console.log("nats outage:", JSON.stringify(report));

      assert.ok(
        failFastCount > 50,
        "lookups were made and failed during the outage",
      );
      assert.ok(
        report.meanFailFastMs < 50,
        "lookups fail fast, not after a wait",
      );
      assert.equal(report.timeouts, 0, "no lookup waited for its timeout");
      assert.ok(
        recoveryMs < 2000,
        `answered again ${recoveryMs} ms after restart`,
      );
      assert.ok(lastSecond.length > 0 && lastSecond.every((r) => r.ok));
      assert.equal(report.reconnects, 1);
      assert.equal(await dhcp.health(), 200);
      assert.equal(await responder.health(), 200);
      // RSS seldom shrinks; a leak of the outage's failed lookups would
      // grow it with each one.
      assert.ok(
        rssAfter < rssBefore * 1.5,
        `memory back to its level (${report.rssBeforeMiB} -> ${report.rssAfterMiB} MiB)`,
      );
    } finally {
      await load.stop();
    }
    assert.equal((await dhcp.stop()).code, 0);
    assert.equal((await responder.stop()).code, 0);
    assert.equal(dhcp.count(/panic|uncaught/i), 0);
  } finally {
    await Deno.remove(file);
  }
});
