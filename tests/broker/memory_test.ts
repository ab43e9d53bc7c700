import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { startBroker } from "../../lib/broker/mod.ts";
import { KEEP_CHUNK, MAX_CHUNK } from "../../lib/broker/out_buffer.ts";
import { HeapTrimmer } from "../../lib/broker/heap_trim.ts";
import { createLogger } from "../../lib/log/logger.ts";
import { prng } from "../_helpers/seeded_random.ts";
import { openSession } from "./_raw.ts";

Deno.test("broker - a slow consumer is closed with pending bytes within the limit plus one message", async () => {
  for (const seed of [1, 2, 3]) {
    const rand = prng(seed);
    const maxPending = (64 + Math.floor(rand() * 448)) * 1024;
    const maxBody = 1024 + Math.floor(rand() * 31 * 1024);
    const records: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: "warn",
      format: "json",
      write: (line) => records.push(JSON.parse(line)),
    });
    await using broker = await startBroker({ port: 0, maxPending, logger });
    const slow = await openSession(
      broker.port,
      'CONNECT {"verbose":false}\r\nSUB flood 1\r\nPING\r\n',
    );
    const nc = await connect({ servers: broker.url });
    try {
      // Far more than the socket buffers and maxPending hold, in all.
      let published = 0;
      while (broker.stats().slowConsumers === 0 && published < 256 << 20) {
        for (let i = 0; i < 16; i++) {
          const body = new Uint8Array(1 + Math.floor(rand() * maxBody));
          nc.publish("flood", body);
          published += body.length;
        }
        await nc.flush();
      }
    } finally {
      await nc.close();
      slow.close();
    }
    assert.equal(broker.stats().slowConsumers, 1, `seed ${seed}`);
    const closed = records.find((r) =>
      r.msg === "Slow consumer detected, closing connection"
    )!;
    const pending = closed.pending as number;
    const buffered = closed.buffered as number;
    // One MSG: "MSG flood 1 <size>\r\n", the body, "\r\n".
    const oneMessage = `MSG flood 1 ${maxBody}\r\n`.length + maxBody + 2;
    assert.ok(pending > maxPending, `seed ${seed}: ${pending}`);
    assert.ok(
      pending <= maxPending + oneMessage,
      `seed ${seed}: ${pending} > ${maxPending} + ${oneMessage}`,
    );
    // Memory follows what is pending: at most two chunks of free room.
    assert.ok(buffered <= pending + 2 * MAX_CHUNK, `seed ${seed}`);
  }
});

Deno.test("broker - connection buffers grow for a burst and shrink back after it", async () => {
  await using broker = await startBroker({ port: 0 });
  const idle = broker.stats().bufferedBytes;
  assert.equal(idle, 0);
  const sub = await connect({ servers: broker.url });
  const pub = await connect({ servers: broker.url });
  try {
    const count = 256;
    let received = 0;
    let peak = 0;
    const done = Promise.withResolvers<void>();
    sub.subscribe("burst", {
      callback: () => {
        peak = Math.max(peak, broker.stats().bufferedBytes);
        if (++received === count) done.resolve();
      },
    });
    await sub.flush();
    const body = new Uint8Array(16 * 1024);
    for (let i = 0; i < count; i++) pub.publish("burst", body);
    await pub.flush();
    await done.promise;
    // Two connections at rest hold at most a small write chunk and the
    // smallest read buffer each; the burst needed more than that.
    const atRest = 2 * (KEEP_CHUNK + 512);
    assert.ok(peak > atRest, `peak ${peak}`);
    // Two small reads (a PING each) bring a read buffer back down; the
    // last write's completion may reach the broker a little later.
    for (let i = 0; i < 2; i++) await Promise.all([sub.flush(), pub.flush()]);
    for (let i = 0; i < 200 && broker.stats().bufferedBytes > atRest; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(
      broker.stats().bufferedBytes <= atRest,
      `${broker.stats().bufferedBytes} > ${atRest}`,
    );
  } finally {
    await pub.close();
    await sub.close();
  }
  for (let i = 0; i < 100 && broker.stats().connections > 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(broker.stats().bufferedBytes, 0);
});

Deno.test("HeapTrimmer trims once after the threshold is released, and not after close", async () => {
  let trims = 0;
  const trimmer = new HeapTrimmer({
    threshold: 1000,
    delay: 5,
    trim: () => trims++,
  });
  trimmer.released(600);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(trims, 0);
  trimmer.released(600);
  trimmer.released(5000);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(trims, 1);
  trimmer.released(1000);
  trimmer.close();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(trims, 1);
});
