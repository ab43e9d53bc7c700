/**
 * Metrics: a known sequence of packets against real roles, then exact
 * counter values from /metrics; /healthz of every role.
 *
 * @module
 */
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { DhcpClient } from "../../lib/client/client.ts";
import { MessageType } from "../../lib/dhcp/codes.ts";
import { encodeMessage } from "../../lib/dhcp/message.ts";
import { freePort, startNatsServer } from "../_helpers/nats_server.ts";
import {
  metric,
  sleep,
  startDhcp,
  startResponderRole,
  startRole,
  writeReservations,
} from "./_roles.ts";

async function until(
  read: () => Promise<string>,
  done: (text: string) => boolean,
  what: string,
): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = await read();
    if (done(text)) return text;
    if (Date.now() > deadline) throw new Error(`${what}:\n${text}`);
    await sleep(50);
  }
}

Deno.test("metrics - exact counters after a known sequence, and /healthz", async () => {
  await using nats = await startNatsServer();
  const { file, macs } = await writeReservations(3);
  try {
    await using responder = await startResponderRole(nats.url, file);
    await using dhcp = await startDhcp(nats.url);
    assert.equal(await dhcp.health(), 200);
    assert.equal(await responder.health(), 200);

    // 1. One DORA of a known MAC (no retransmit: the first try is answered).
    {
      await using client = await DhcpClient.open({
        server: dhcp.server,
        mac: macs[0],
        bind: "127.0.0.1:0",
        retransmit: 4000,
      });
      const lease = await client.dora();
      assert.equal(lease.address, "10.0.0.1");
      // 2. One DISCOVER of an unknown MAC, and 3. one malformed packet.
      await using unknown = await DhcpClient.open({
        server: dhcp.server,
        mac: "02:00:00:00:00:99",
        bind: "127.0.0.1:0",
      });
      await unknown.sendRaw(
        encodeMessage(unknown.buildRequest(MessageType.Discover)),
      );
      await unknown.sendRaw(new Uint8Array([1, 2, 3, 4, 5]));
    }
    const text = await until(
      () => dhcp.scrape(),
      (t) =>
        metric(t, 'dhcp_nats_packets_dropped_total{reason="unknownMac"}') ===
          1 &&
        metric(t, 'dhcp_nats_packets_dropped_total{reason="malformed"}') === 1,
      "the drops were not counted",
    );
    const expected: Record<string, number> = {
      'dhcp_nats_packets_received_total{type="DISCOVER"}': 2,
      'dhcp_nats_packets_received_total{type="REQUEST"}': 1,
      'dhcp_nats_packets_received_total{type="malformed"}': 1,
      'dhcp_nats_packets_sent_total{type="OFFER"}': 1,
      'dhcp_nats_packets_sent_total{type="ACK"}': 1,
      'dhcp_nats_packets_dropped_total{reason="unknownMac"}': 1,
      'dhcp_nats_packets_dropped_total{reason="malformed"}': 1,
      'dhcp_nats_packets_dropped_total{reason="backendError"}': 0,
      // The REQUEST's answer comes from the 5 s cache: one backend lookup.
      'dhcp_nats_lookups_total{outcome="found"}': 1,
      'dhcp_nats_lookups_total{outcome="not_found"}': 1,
      'dhcp_nats_lookups_total{outcome="timeout"}': 0,
      'dhcp_nats_lookup_duration_seconds_count{outcome="found"}': 1,
      'dhcp_nats_lookup_duration_seconds_count{outcome="not_found"}': 1,
      'dhcp_nats_lookup_duration_seconds_bucket{le="10",outcome="found"}': 1,
      "dhcp_nats_lookups_in_flight": 0,
      "dhcp_nats_nats_connected": 1,
      "dhcp_nats_nats_reconnects_total": 0,
    };
    const actual = Object.fromEntries(
      Object.keys(expected).map((k) => [k, metric(text, k)]),
    );
    console.log("DHCP server scrape:", JSON.stringify(actual));
    assert.deepEqual(actual, expected);
    assert.ok(metric(text, "process_resident_memory_bytes") > 0);

    const responderText = await responder.scrape();
    const responderExpected: Record<string, number> = {
      "dhcp_nats_responder_requests_total": 2,
      'dhcp_nats_responder_lookups_total{outcome="found"}': 1,
      'dhcp_nats_responder_lookups_total{outcome="not_found"}': 1,
      'dhcp_nats_responder_lookups_total{outcome="error"}': 0,
      "dhcp_nats_responder_reservations": 3,
      "dhcp_nats_responder_reloads_total": 0,
      "dhcp_nats_responder_reload_errors_total": 0,
      "dhcp_nats_responder_last_reload_failed": 0,
      "dhcp_nats_nats_connected": 1,
    };
    const responderActual = Object.fromEntries(
      Object.keys(responderExpected).map((k) => [k, metric(responderText, k)]),
    );
    console.log("responder scrape:", JSON.stringify(responderActual));
    assert.deepEqual(responderActual, responderExpected);

    // A rejected reload, then a good one.
    await Deno.writeTextFile(file, "52:54:00:00:00:01:\n  ipAddress: nope\n");
    const rejected = await until(
      () => responder.scrape(),
      (t) => metric(t, "dhcp_nats_responder_last_reload_failed") === 1,
      "the rejected reload was not counted",
    );
    assert.match(
      rejected,
      /^dhcp_nats_responder_last_reload_error\{error=".+"\} 1$/m,
    );
    await Deno.writeTextFile(
      file,
      (await Deno.readTextFile(file)).replace("nope", "10.0.0.1") +
        "52:54:00:00:00:02:\n  ipAddress: 10.0.0.2\n",
    );
    const reloaded = await until(
      () => responder.scrape(),
      (t) => metric(t, "dhcp_nats_responder_reloads_total") === 1,
      "the reload was not counted",
    );
    assert.equal(metric(reloaded, "dhcp_nats_responder_reservations"), 2);
    assert.equal(
      metric(reloaded, "dhcp_nats_responder_reload_errors_total"),
      1,
    );
    assert.equal(metric(reloaded, "dhcp_nats_responder_last_reload_failed"), 0);
    assert.doesNotMatch(reloaded, /^dhcp_nats_responder_last_reload_error\{/m);

    // NATS gone: both roles say 503.
    await nats.stop();
    await until(
      async () =>
        String(await dhcp.health()) + String(await responder.health()),
      (t) => t === "503503",
      "/healthz did not turn 503",
    );
    await nats.restart();
    await until(
      async () =>
        String(await dhcp.health()) + String(await responder.health()),
      (t) => t === "200200",
      "/healthz did not turn 200 again",
    );
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("metrics - the embedded broker counts connections and messages", async () => {
  const port = freePort();
  await using broker = await startRole(
    ["--server", "--nats-url", `nats://127.0.0.1:${port}`],
    { ready: /embedded NATS server ready/ },
  );
  assert.equal(await broker.health(), 200);
  const nc = await connect({ servers: `nats://127.0.0.1:${port}` });
  try {
    const sub = nc.subscribe("m.x", { max: 3 });
    for (let i = 0; i < 3; i++) nc.publish("m.x", "abcd");
    let n = 0;
    for await (const _ of sub) n++;
    assert.equal(n, 3);
    const text = await broker.scrape();
    const actual = {
      connections: metric(text, "dhcp_nats_broker_connections"),
      accepted: metric(text, "dhcp_nats_broker_connections_total"),
      received: metric(text, "dhcp_nats_broker_messages_received_total"),
      sent: metric(text, "dhcp_nats_broker_messages_sent_total"),
      bytesIn: metric(text, "dhcp_nats_broker_bytes_received_total"),
    };
    console.log("broker scrape:", JSON.stringify(actual));
    assert.deepEqual(actual, {
      connections: 1,
      accepted: 1,
      received: 3,
      sent: 3,
      bytesIn: 12,
    });
  } finally {
    await nc.close();
  }
  assert.equal((await broker.stop()).code, 0);
});
