import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { startNatsServer } from "../_helpers/nats_server.ts";
import {
  type Responder,
  startResponder,
} from "../../lib/responder/responder.ts";
import { decodeEventRecord } from "../../lib/cloudevents/nats_binding.ts";
import { decodeLookupReply } from "../../lib/nats/wire.ts";
import { requestPayload, SUBJECT } from "./_lookup.ts";

function macOf(i: number): string {
  return `02:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, "0")}:${
    (i & 255).toString(16).padStart(2, "0")
  }`;
}

/** Send `count` lookups with at most `window` in flight; return the IPs. */
async function sendMany(
  nc: NatsConnection,
  count: number,
  window: number,
  onProgress?: (done: number) => void,
): Promise<string[]> {
  const answers: string[] = new Array(count);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const msg = await nc.request(
        SUBJECT,
        requestPayload(macOf(i)),
        {
          timeout: 10_000,
        },
      );
      const r = decodeLookupReply(decodeEventRecord(msg.data).data);
      answers[i] = r?.ipAddress ?? "not found";
      onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  return answers;
}

/** A responder that counts the MACs it answered and answers slowly enough to interleave. */
function countingLookup(seen: Map<string, number>) {
  return async (mac: string) => {
    seen.set(mac, (seen.get(mac) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, 1));
    const i = parseInt(mac.slice(-5).replace(":", ""), 16);
    return { macAddress: mac, ipAddress: `10.0.${i >> 8}.${i & 255}` };
  };
}

function expectedIp(i: number): string {
  return `10.0.${i >> 8}.${i & 255}`;
}

Deno.test("responder - three responders in a queue group share 3,000 requests, none lost or doubled", async () => {
  await using nats = await startNatsServer();
  const seen = [
    new Map<string, number>(),
    new Map<string, number>(),
    new Map<string, number>(),
  ];
  const responders: Responder[] = [];
  for (const s of seen) {
    responders.push(
      await startResponder({
        servers: nats.url,
        subject: SUBJECT,
        lookup: countingLookup(s),
        serviceName: false,
      }),
    );
  }
  const nc = await connect({ servers: nats.url });
  try {
    const answers = await sendMany(nc, 3000, 64);
    answers.forEach((ip, i) => assert.equal(ip, expectedIp(i)));
    const counts = responders.map((r) => r.stats.requests);
    assert.ok(counts.every((c) => c > 0), `every responder worked: ${counts}`);
    assert.equal(counts.reduce((a, b) => a + b), 3000);
    // No MAC was looked up twice, by the same responder or by two.
    const all = new Map<string, number>();
    for (const s of seen) {
      for (const [mac, n] of s) all.set(mac, (all.get(mac) ?? 0) + n);
    }
    assert.equal(all.size, 3000);
    assert.ok([...all.values()].every((n) => n === 1));
  } finally {
    await nc.close();
    for (const r of responders) await r.drain();
  }
});

Deno.test("responder - draining one responder mid-run loses no request", async () => {
  await using nats = await startNatsServer();
  const seen = [new Map<string, number>(), new Map<string, number>()];
  const a = await startResponder({
    servers: nats.url,
    subject: SUBJECT,
    lookup: countingLookup(seen[0]),
    serviceName: false,
  });
  const b = await startResponder({
    servers: nats.url,
    subject: SUBJECT,
    lookup: countingLookup(seen[1]),
    serviceName: false,
  });
  const nc = await connect({ servers: nats.url });
  try {
    let drained: Promise<void> | undefined;
    const answers = await sendMany(nc, 3000, 64, (done) => {
      if (done === 1000) drained = a.drain();
    });
    await drained;
    answers.forEach((ip, i) => assert.equal(ip, expectedIp(i)));
    const before = a.stats.requests;
    assert.ok(before > 0 && before < 3000, `a answered ${before}`);
    assert.equal(a.stats.requests + b.stats.requests, 3000);
    assert.equal(a.stats.found, a.stats.requests, "a answered all it received");
    assert.equal(a.connection.isClosed(), true);
  } finally {
    await nc.close();
    await a.drain();
    await b.drain();
  }
});
