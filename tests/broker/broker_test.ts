import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { BrokerProtocolError, startBroker } from "../../lib/broker/mod.ts";
import { createLogger } from "../../lib/log/logger.ts";
import { exchange, openSession } from "./_raw.ts";
import { prng } from "../_helpers/seeded_random.ts";

const enc = new TextEncoder();

Deno.test("broker - port 0 picks a free port and the url says where", async () => {
  await using broker = await startBroker({ port: 0 });
  assert.ok(broker.port > 0);
  assert.equal(broker.url, `nats://127.0.0.1:${broker.port}`);
  assert.equal(broker.hostname, "127.0.0.1");
});

Deno.test("broker - a busy port fails with BrokerProtocolError", async () => {
  await using first = await startBroker({ port: 0 });
  await assert.rejects(
    () => startBroker({ port: first.port }),
    (err) =>
      err instanceof BrokerProtocolError &&
      /Cannot start broker/.test(err.message),
  );
});

Deno.test("broker - out-of-range options are refused", async () => {
  await assert.rejects(() => startBroker({ port: 70000 }), RangeError);
  await assert.rejects(
    () => startBroker({ port: 0, maxPayload: 0 }),
    RangeError,
  );
  await assert.rejects(
    () => startBroker({ port: 0, auth: {} as never }),
    TypeError,
  );
});

Deno.test("broker - stats count connections, subscriptions and messages", async () => {
  await using broker = await startBroker({ port: 0 });
  const nc = await connect({ servers: broker.url });
  try {
    nc.subscribe("s.a", { callback: () => {} });
    nc.subscribe("s.*", { callback: () => {} });
    nc.publish("s.a", "12345");
    await nc.flush();
    const stats = broker.stats();
    assert.equal(stats.connections, 1);
    assert.equal(stats.totalConnections, 1);
    assert.equal(stats.subscriptions, 2);
    assert.equal(stats.msgsIn, 1);
    assert.equal(stats.msgsOut, 2);
    assert.equal(stats.bytesIn, 5);
    assert.equal(stats.bytesOut, 10);
  } finally {
    await nc.close();
  }
  // The close is seen by the broker shortly after.
  for (let i = 0; i < 100 && broker.stats().connections > 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(broker.stats().connections, 0);
  assert.equal(broker.stats().subscriptions, 0);
});

Deno.test("broker - aborting the signal closes the broker", async () => {
  const ac = new AbortController();
  const broker = await startBroker({ port: 0, signal: ac.signal });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: broker.port });
  ac.abort();
  await broker.closed();
  await broker.close(); // idempotent: the same closing
  const buf = new Uint8Array(4096);
  let sawEof = false;
  try {
    while ((await conn.read(buf)) !== null) { /* INFO */ }
    sawEof = true;
  } catch {
    sawEof = true;
  }
  conn.close();
  assert.ok(sawEof);
  await assert.rejects(() =>
    Deno.connect({ hostname: "127.0.0.1", port: broker.port })
  );
});

Deno.test("broker - logs connections and protocol errors", async () => {
  const lines: string[] = [];
  const logger = createLogger({
    level: "debug",
    format: "json",
    write: (l) => lines.push(l),
  });
  {
    await using broker = await startBroker({ port: 0, logger });
    await exchange(broker.port, "BOGUS\r\n", { until: "" });
  }
  const records = lines.map((l) => JSON.parse(l));
  assert.ok(records.some((r) => r.msg === "Client connection accepted"));
  assert.ok(
    records.some((r) =>
      r.msg === "Client protocol error" && r.level === "warn"
    ),
  );
  assert.ok(
    records.some((r) =>
      r.msg === "Client connection closed" && r.reason === "protocol violation"
    ),
  );
  assert.ok(records.some((r) => r.msg === "Broker closed"));
});

Deno.test("broker - a subscriber that does not read is dropped as a slow consumer", async () => {
  await using broker = await startBroker({ port: 0, maxPending: 256 * 1024 });
  const slow = await openSession(
    broker.port,
    'CONNECT {"verbose":false}\r\nSUB flood 1\r\nPING\r\n',
  );
  try {
    // Publish far more than the socket buffers and maxPending can hold.
    const nc = await connect({ servers: broker.url });
    try {
      const payload = new Uint8Array(64 * 1024);
      for (let i = 0; i < 400 && broker.stats().slowConsumers === 0; i++) {
        nc.publish("flood", payload);
        if (i % 16 === 0) await nc.flush();
      }
      await nc.flush();
    } finally {
      await nc.close();
    }
    assert.equal(broker.stats().slowConsumers, 1);
    assert.equal(broker.stats().subscriptions, 0);
  } finally {
    slow.close();
  }
});

Deno.test("broker - random bytes never crash it and it keeps serving", async () => {
  await using broker = await startBroker({
    port: 0,
    maxPayload: 4096,
    maxControlLine: 256,
  });
  const rand = prng(7);
  const alphabet = enc.encode('PUBSHCONTIGMX *>.\r\n\t0123456789{}"abc');
  for (let round = 0; round < 60; round++) {
    const len = 1 + Math.floor(rand() * 600);
    const bytes = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      bytes[i] = rand() < 0.5
        ? alphabet[Math.floor(rand() * alphabet.length)]
        : Math.floor(rand() * 256);
    }
    // Half the rounds start with a valid preamble so deeper states are hit.
    const input = round % 2
      ? new Uint8Array([
        ...enc.encode("CONNECT {}\r\nSUB > 1\r\nPUB a 3\r\n"),
        ...bytes,
      ])
      : bytes;
    const reply = await exchange(broker.port, input, {
      until: "",
      timeout: 300,
      pieces: 1 + (round % 4),
    });
    assert.ok(reply.info.server_id, "every connection got INFO");
  }
  // Still healthy: a real client works.
  const nc = await connect({ servers: broker.url });
  try {
    nc.subscribe("ok", { callback: (_e, m) => void m.respond("yes") });
    assert.equal((await nc.request("ok", "?")).string(), "yes");
  } finally {
    await nc.close();
  }
});

Deno.test("broker - queue groups spread over connections, each message once", async () => {
  await using broker = await startBroker({ port: 0 });
  const members = await Promise.all(
    [1, 2, 3].map(() => connect({ servers: broker.url })),
  );
  const pub = await connect({ servers: broker.url });
  try {
    const counts = [0, 0, 0];
    members.forEach((nc, i) =>
      nc.subscribe("work", { queue: "w", callback: () => void counts[i]++ })
    );
    await Promise.all(members.map((nc) => nc.flush()));
    for (let i = 0; i < 300; i++) pub.publish("work", "x");
    await pub.flush();
    await Promise.all(members.map((nc) => nc.flush()));
    assert.equal(counts.reduce((a, b) => a + b), 300);
    assert.ok(counts.every((c) => c > 0), `every member got some: ${counts}`);
  } finally {
    await Promise.all([...members, pub].map((nc) => nc.close()));
  }
});

Deno.test("broker - the monitoring endpoint reports counters", async () => {
  await using broker = await startBroker({ port: 0, httpPort: 0 });
  assert.ok(broker.monitorUrl?.startsWith("http://127.0.0.1:"));
  const nc = await connect({ servers: broker.url });
  try {
    nc.subscribe("m", { callback: () => {} });
    nc.publish("m", "abc");
    await nc.flush();
    const varz = await (await fetch(`${broker.monitorUrl}/varz`)).json();
    assert.equal(varz.server_id, broker.serverId);
    assert.equal(varz.port, broker.port);
    assert.equal(varz.connections, 1);
    assert.equal(varz.subscriptions, 1);
    assert.equal(varz.in_msgs, 1);
    assert.equal(varz.out_msgs, 1);
    assert.equal(varz.max_payload, 1024 * 1024);
    const health = await fetch(`${broker.monitorUrl}/healthz`);
    assert.deepEqual(await health.json(), { status: "ok" });
    const missing = await fetch(`${broker.monitorUrl}/nope`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await nc.close();
  }
});
