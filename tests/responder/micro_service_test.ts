import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { startNatsServer } from "../_helpers/nats_server.ts";
import { startResponder } from "../../lib/responder/responder.ts";
import { lookup, SUBJECT } from "./_lookup.ts";

/** Unique, as foreign clients may reach this test's server (see SUBJECT). */
const NAME = `dhcp-responder-${crypto.randomUUID().slice(0, 8)}`;

/** All replies to a request within `ms` (several services may answer). */
async function gather(nc: NatsConnection, subject: string, count?: number) {
  const out: Record<string, unknown>[] = [];
  const iter = await nc.requestMany(
    subject,
    "",
    count
      ? { strategy: "count", maxMessages: count, maxWait: 5000 }
      : { maxWait: 500 },
  );
  for await (const m of iter) out.push(m.json());
  return out;
}

Deno.test("responder - answers $SRV.PING, $SRV.INFO and $SRV.STATS (ADR-32)", async () => {
  await using nats = await startNatsServer();
  await using a = await startResponder({
    servers: nats.url,
    subject: SUBJECT,
    lookup: (mac) => ({ macAddress: mac, ipAddress: "192.168.2.7" }),
    serviceVersion: "1.2.3",
    serviceName: NAME,
  });
  // b serves another subject so that the one lookup below reaches a.
  await using b = await startResponder({
    servers: nats.url,
    subject: `${SUBJECT}.other`,
    lookup: () => undefined,
    serviceName: NAME,
  });
  const nc = await connect({ servers: nats.url });
  try {
    await lookup(nc, "08:00:27:29:4e:67");
    const pings = await gather(nc, "$SRV.PING");
    const ids = pings.map((p) => p.id);
    assert.ok(ids.includes(a.id) && ids.includes(b.id), JSON.stringify(pings));
    const byName = await gather(nc, `$SRV.PING.${NAME}`, 2);
    assert.deepEqual(byName.map((p) => p.id).sort(), [a.id, b.id].sort());
    const [ping] = await gather(nc, `$SRV.PING.${NAME}.${a.id}`, 1);
    assert.deepEqual(ping, {
      type: "io.nats.micro.v1.ping_response",
      name: NAME,
      id: a.id,
      version: "1.2.3",
      metadata: {},
    });
    const [info] = await gather(nc, `$SRV.INFO.${NAME}.${a.id}`, 1);
    assert.equal(info.type, "io.nats.micro.v1.info_response");
    assert.equal(typeof info.description, "string");
    assert.deepEqual(info.endpoints, [{
      name: "lookup",
      subject: SUBJECT,
      queue_group: "tinkerbell-responders",
      metadata: {},
    }]);
    const stats = (await gather(nc, `$SRV.STATS.${NAME}`, 2))
      .find((s) => s.id === a.id)!;
    assert.equal(stats.type, "io.nats.micro.v1.stats_response");
    assert.ok(!Number.isNaN(Date.parse(stats.started as string)));
    const [endpoint] = stats.endpoints as Record<string, unknown>[];
    assert.equal(endpoint.num_requests, 1);
    assert.equal(endpoint.num_errors, 0);
    assert.equal(endpoint.last_error, "");
    assert.ok((endpoint.processing_time as number) > 0);
    assert.equal(endpoint.average_processing_time, endpoint.processing_time);
    assert.deepEqual(endpoint.data, {
      requests: 1,
      found: 1,
      notFound: 0,
      errors: 0,
      badRequests: 0,
    });
  } finally {
    await nc.close();
  }
});

Deno.test("responder - rejects a service name the micro-service spec forbids", async () => {
  await using nats = await startNatsServer();
  await assert.rejects(
    startResponder({
      servers: nats.url,
      lookup: () => undefined,
      serviceName: "dhcp responder",
    }),
    {
      name: "TypeError",
      message:
        'Invalid service name "dhcp responder": use only letters, digits, - and _',
    },
  );
  await assert.rejects(
    startResponder({
      servers: nats.url,
      lookup: () => undefined,
      serviceVersion: "1.0",
    }),
    { name: "TypeError", message: 'Invalid service version "1.0": not SemVer' },
  );
  // The sanitizers check that the connections opened for these were closed.
});
