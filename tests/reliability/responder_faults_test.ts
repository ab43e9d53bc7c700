/**
 * Faults of responders: one of three in a queue group killed with SIGKILL
 * (at most its requests in flight are lost) or stopped with SIGTERM (none
 * lost: it drains); a responder that answers slowly or with garbage (only
 * those lookups fail, each logged; other clients are unaffected).
 *
 * @module
 */
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { DhcpClient } from "../../lib/client/client.ts";
import { startNatsServer } from "../_helpers/nats_server.ts";
import {
  metric,
  sleep,
  startDhcp,
  startLoad,
  startResponderRole,
  writeReservations,
} from "./_roles.ts";

const WORKERS = 6;

for (const signal of ["SIGKILL", "SIGTERM"] as const) {
  Deno.test(`fault - a responder of three stopped with ${signal} under load`, async () => {
    await using nats = await startNatsServer();
    const { file, macs } = await writeReservations(WORKERS * 30);
    try {
      await using r1 = await startResponderRole(nats.url, file);
      await using r2 = await startResponderRole(nats.url, file);
      await using r3 = await startResponderRole(nats.url, file);
      await using dhcp = await startDhcp(nats.url, [
        "--timeout",
        "1s",
        "--cache-ttl",
        "0",
      ]);
      const load = startLoad(dhcp.server, macs, {
        workers: WORKERS,
        timeout: 5000,
      });
      try {
        await sleep(2000);
        const before = await dhcp.scrape();
        const stopped = await r1.stop(signal);
        const stoppedAt = performance.now();
        await sleep(3000);
        const results = await load.stop();
        const after = await dhcp.scrape();
        const served =
          metric(await r2.scrape(), "dhcp_nats_responder_requests_total") +
          metric(await r3.scrape(), "dhcp_nats_responder_requests_total");
        const lost =
          metric(after, 'dhcp_nats_lookups_total{outcome="timeout"}') -
          metric(before, 'dhcp_nats_lookups_total{outcome="timeout"}');
        const report = {
          signal,
          exitMs: Math.round(stopped.ms),
          lookups: metric(after, 'dhcp_nats_lookups_total{outcome="found"}'),
          servedByOthers: served,
          lost,
          doras: results.length,
          dorasFailed: results.filter((r) => !r.ok).length,
          dorasAfterStop: results.filter((r) => r.start > stoppedAt).length,
        };
        console.log("responder stop:", JSON.stringify(report));
        if (signal === "SIGTERM") {
          assert.equal(stopped.code, 0);
          assert.equal(lost, 0, "a draining responder loses nothing");
        } else {
          // At most the requests in flight on it: each client has one
          // lookup in flight at a time, shared by its retransmits within
          // the 1 s timeout (sent at 0, 250 and 750 ms), each counted.
          assert.ok(lost <= WORKERS * 3, `lost ${lost}`);
        }
        assert.equal(report.dorasFailed, 0, "every client got its lease");
        assert.ok(
          report.dorasAfterStop > WORKERS,
          "the others went on serving",
        );
        assert.ok(served > 0);
      } finally {
        await load.stop();
      }
    } finally {
      await Deno.remove(file);
    }
  });
}

Deno.test("fault - a slow and a garbage-answering responder fail only their lookups", async () => {
  await using nats = await startNatsServer();
  const { file, macs } = await writeReservations(120);
  const slowMac = "02:00:00:00:05:01";
  const garbageMac = "02:00:00:00:05:02";
  // The real responder (v1: silent for unknown MACs) knows the good MACs;
  // a rogue subscriber answers the two bad ones, late or with garbage.
  const rogue = await connect({ servers: nats.url });
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const sub = rogue.subscribe("tinkerbell.dhcp", {
    callback: (_err, msg) => {
      const event = JSON.parse(new TextDecoder().decode(msg.data));
      if (event.subject === slowMac) {
        const t = setTimeout(() => {
          timers.delete(t);
          msg.respond(msg.data);
        }, 1500);
        timers.add(t);
      } else if (event.subject === garbageMac) {
        msg.respond(new TextEncoder().encode("{{{ not a CloudEvent"));
      }
    },
  });
  await rogue.flush();
  try {
    await using _responder = await startResponderRole(nats.url, file, [
      "--reply-format",
      "v1",
    ]);
    await using dhcp = await startDhcp(nats.url, [
      "--timeout",
      "500ms",
      "--cache-ttl",
      "0",
    ]);
    const load = startLoad(dhcp.server, macs, { workers: 4, timeout: 3000 });
    const bad = [slowMac, garbageMac].map(async (mac) => {
      await using client = await DhcpClient.open({
        server: dhcp.server,
        mac,
        bind: "127.0.0.1:0",
        timeout: 1500,
        retransmit: 400,
      });
      let answered = 0;
      for (let i = 0; i < 3; i++) {
        await client.dora().then(() => answered++, () => {});
      }
      return answered;
    });
    const answeredBad = await Promise.all(bad);
    const results = await load.stop();
    const text = await dhcp.scrape();
    const failedLogs = dhcp.count(/lookup failed/);
    const report = {
      goodDoras: results.length,
      goodFailed: results.filter((r) => !r.ok).length,
      badAnswered: answeredBad,
      timeouts: metric(text, 'dhcp_nats_lookups_total{outcome="timeout"}'),
      errors: metric(text, 'dhcp_nats_lookups_total{outcome="error"}'),
      rateLimited: metric(
        text,
        'dhcp_nats_lookups_total{outcome="rate_limited"}',
      ),
      failedLogLines: failedLogs,
    };
    console.log("bad responder:", JSON.stringify(report));
    assert.deepEqual(answeredBad, [0, 0], "the bad MACs get no lease");
    assert.equal(report.goodFailed, 0, "the other clients are unaffected");
    assert.ok(results.length > 10);
    assert.ok(report.timeouts >= 1, "the slow answers time out");
    assert.ok(report.errors >= 1, "the garbage answers fail");
    assert.ok(
      dhcp.count(/lookup failed.*timed out|lookup failed.*(time|Timeout)/i) >=
        1,
      "a timeout is logged",
    );
    assert.ok(failedLogs >= 2, "failed lookups are logged");
    assert.ok(
      failedLogs <= report.timeouts + report.errors + report.rateLimited,
      "at most one line per failed lookup",
    );
    assert.equal(dhcp.count(/panic|uncaught/i), 0);
  } finally {
    for (const t of timers) clearTimeout(t);
    sub.unsubscribe();
    await rogue.close();
    await Deno.remove(file);
  }
});
