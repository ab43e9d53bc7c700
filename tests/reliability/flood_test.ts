/**
 * Faults from the network: 100,000 malformed and random UDP packets at the
 * DHCP port interleaved with real DORAs (every real client gets its lease,
 * memory stays bounded), and one MAC sending DISCOVERs in a tight loop (its
 * lookups are rate-limited; other clients are unaffected).
 *
 * @module
 */
import assert from "node:assert/strict";
import { DhcpClient } from "../../lib/client/client.ts";
import { DEFAULT_MAC_RATE_LIMIT } from "../../lib/backend/mac_rate_limit.ts";
import { startNatsServer } from "../_helpers/nats_server.ts";
import {
  metric,
  ROOT,
  sleep,
  startDhcp,
  startLoad,
  startResponderRole,
  writeReservations,
} from "./_roles.ts";

const FLOOD = 100_000;

async function flood(args: string[]): Promise<{ sent: number; ms: number }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}tests/reliability/_flood.ts`, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.equal(out.code, 0);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** Sample `read()` every 200 ms until stopped; the peak. */
function peak(read: () => Promise<number>) {
  let max = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      max = Math.max(max, await read().catch(() => 0));
      await sleep(200);
    }
  })();
  return async () => {
    running = false;
    await loop;
    return max;
  };
}

Deno.test("fault - 100,000 malformed and random packets with real DORAs in between", async () => {
  await using nats = await startNatsServer();
  const { file, macs } = await writeReservations(20);
  try {
    await using responder = await startResponderRole(nats.url, file);
    await using dhcp = await startDhcp(nats.url);
    const rssBefore = await dhcp.rss();
    const stopPeak = peak(() => dhcp.rss());
    // Real clients, one DORA each at a time, with generous retransmits: the
    // flood overflows the socket buffer at times, as it would on a LAN.
    const load = startLoad(dhcp.server, macs, {
      workers: 10,
      timeout: 15_000,
      retransmit: 500,
      pauseMs: 100,
    });
    const sent = await flood([
      "127.0.0.1",
      String(dhcp.port),
      "mixed",
      String(FLOOD),
    ]);
    await sleep(1000);
    const results = await load.stop();
    const peakRss = await stopPeak();
    const text = await dhcp.scrape();
    // After the flood: still serving.
    {
      await using client = await DhcpClient.open({
        server: dhcp.server,
        mac: macs[0],
        bind: "127.0.0.1:0",
      });
      assert.equal((await client.dora()).address, "10.0.0.1");
    }
    let received = 0;
    for (const line of text.split("\n")) {
      if (line.startsWith("dhcp_nats_packets_received_total{")) {
        received += Number(line.split(" ")[1]);
      }
    }
    const report = {
      sent: sent.sent,
      sendMs: sent.ms,
      packetsPerSecond: Math.round(sent.sent / sent.ms * 1000),
      received,
      malformed: metric(
        text,
        'dhcp_nats_packets_received_total{type="malformed"}',
      ),
      droppedOverloaded: metric(
        text,
        'dhcp_nats_packets_dropped_total{reason="overloaded"}',
      ),
      lookupsNotFound: metric(
        text,
        'dhcp_nats_lookups_total{outcome="not_found"}',
      ),
      realDoras: results.length,
      realFailed: results.filter((r) => !r.ok).length,
      slowestDoraMs: Math.round(
        Math.max(...results.map((r) => r.end - r.start)),
      ),
      rssBeforeMiB: +(rssBefore / 2 ** 20).toFixed(1),
      rssPeakMiB: +(peakRss / 2 ** 20).toFixed(1),
      heapAfterMiB: +(metric(text, "process_heap_used_bytes") / 2 ** 20)
        .toFixed(1),
      malformedLogLines: dhcp.count(/malformed packet dropped/),
      responderRequests: metric(
        await responder.scrape(),
        "dhcp_nats_responder_requests_total",
      ),
    };
    console.log("udp flood:", JSON.stringify(report));
    assert.equal(report.sent, FLOOD);
    assert.ok(results.length >= 10);
    assert.equal(report.realFailed, 0, "every real client gets its lease");
    assert.ok(report.malformed > 0);
    assert.ok(peakRss < 512 * 2 ** 20, "memory stays bounded");
    assert.ok(
      report.malformedLogLines <= 5 * 30,
      "malformed packets are logged at most 5 a second",
    );
    assert.equal(dhcp.count(/panic|uncaught/i), 0);
    assert.equal((await dhcp.stop()).code, 0);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("fault - one MAC in a tight DISCOVER loop is rate-limited, others unaffected", async () => {
  await using nats = await startNatsServer();
  const { file, macs } = await writeReservations(21);
  const [looping, ...others] = macs;
  const loopMs = 3000;
  try {
    await using responder = await startResponderRole(nats.url, file);
    // No cache, so every DISCOVER would be a lookup without the limit.
    await using dhcp = await startDhcp(nats.url, ["--cache-ttl", "0"]);
    // The default socket: recvmmsg on Linux (the role runs with -A).
    const socket = /socket=(\S+)/.exec(
      dhcp.lines().find((l) => /DHCP server listening/.test(l)) ?? "",
    )?.[1];
    // One worker per MAC, with retransmits: under the flood the socket
    // buffer overflows at times, as it would on a LAN.
    const load = startLoad(dhcp.server, others, {
      timeout: 15_000,
      retransmit: 500,
      pauseMs: 100,
    });
    const sent = await flood([
      "127.0.0.1",
      String(dhcp.port),
      "mac",
      String(loopMs),
      looping,
    ]);
    const floodEnd = performance.now();
    const floodStart = floodEnd - sent.ms;
    // Every other client gets a lease in a DORA begun during the flood.
    const startedInFlood = (mac: string) =>
      load.results.some((r) => r.ok && r.mac === mac && r.start >= floodStart);
    const deadline = Date.now() + 20_000;
    while (!others.every(startedInFlood) && Date.now() < deadline) {
      await sleep(100);
    }
    const results = await load.stop();
    const text = await dhcp.scrape();
    const requests = metric(
      await responder.scrape(),
      "dhcp_nats_responder_requests_total",
    );
    // Each lookup the limiter lets through answers with one OFFER (the
    // looping MAC is known), so the OFFER lines count them.
    const loopLookups = dhcp.count(
      new RegExp(`mac=${looping} .*reply=OFFER`),
    );
    const inFlood = results.filter((r) =>
      r.start >= floodStart && r.end <= floodEnd
    );
    const report = {
      socket,
      discoversSent: sent.sent,
      loopMs: sent.ms,
      rateLimited: metric(
        text,
        'dhcp_nats_lookups_total{outcome="rate_limited"}',
      ),
      refusedBeforeDecode: metric(
        text,
        'dhcp_nats_packets_dropped_total{reason="rateLimited"}',
      ),
      loopLookupsReachingNats: loopLookups,
      allowedAtMost: DEFAULT_MAC_RATE_LIMIT.burst +
        Math.ceil(DEFAULT_MAC_RATE_LIMIT.perSecond * (sent.ms + 1000) / 1000),
      responderRequests: requests,
      otherDoras: results.length,
      otherDorasWithinFlood: inFlood.filter((r) => r.ok).length,
      otherFailed: results.filter((r) => !r.ok).length,
      othersServedInFlood: others.filter(startedInFlood).length,
      failedLogLines: dhcp.count(/lookup failed/),
    };
    console.log("MAC flood:", JSON.stringify(report));
    assert.equal(
      report.socket,
      Deno.build.os === "linux" ? "recvmmsg" : "node:dgram",
      "the server listens on the default socket",
    );
    assert.ok(
      report.rateLimited + report.refusedBeforeDecode > 100,
      "the looping MAC is refused",
    );
    assert.ok(
      loopLookups <= report.allowedAtMost,
      `the looping MAC made ${loopLookups} lookups`,
    );
    assert.equal(report.otherFailed, 0, "other clients are unaffected");
    assert.equal(
      report.othersServedInFlood,
      others.length,
      "every other client gets its lease in a DORA begun during the flood",
    );
    assert.ok(
      report.failedLogLines <= 10 * 6,
      "refusals are logged at most 10 a second",
    );
  } finally {
    await Deno.remove(file);
  }
});
