import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { RequestMux } from "../../lib/nats/request_mux.ts";
import {
  LookupTimeoutError,
  NoResponderError,
} from "../../lib/backend/errors.ts";
import { startNatsServer } from "../_helpers/nats_server.ts";
import { survivors } from "../_helpers/collect_garbage.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

Deno.test("request mux - 200 concurrent requests each get their own reply", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  try {
    const sub = nc.subscribe("echo", {
      callback: (_e, m) => {
        m.respond(enc.encode(`re:${dec.decode(m.data)}`));
      },
    });
    const mux = new RequestMux(nc, 5000);
    const replies = await Promise.all(
      Array.from(
        { length: 200 },
        (_, i) => mux.request("echo", enc.encode(String(i))),
      ),
    );
    assert.deepEqual(
      replies.map((m) => dec.decode(m.data)),
      Array.from({ length: 200 }, (_, i) => `re:${i}`),
    );
    assert.equal(mux.inFlight, 0);
    mux.close();
    sub.unsubscribe();
  } finally {
    await nc.close();
  }
});

Deno.test("request mux - no responders fails at once, silence fails after the timeout, abort fails with its reason", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  try {
    const mux = new RequestMux(nc, 150);
    const t0 = performance.now();
    await assert.rejects(
      mux.request("nobody.here", enc.encode("x")),
      NoResponderError,
    );
    assert.ok(performance.now() - t0 < 150, "503 must not wait the timeout");
    const sub = nc.subscribe("silent", { callback: () => {} });
    await assert.rejects(
      mux.request("silent", enc.encode("x")),
      (err) => err instanceof LookupTimeoutError && /silent/.test(err.message),
    );
    const controller = new AbortController();
    const pending = mux.request("silent", enc.encode("x"), controller.signal);
    const reason = new Error("given up");
    controller.abort(reason);
    await assert.rejects(pending, reason);
    assert.equal(mux.inFlight, 0);
    mux.close();
    sub.unsubscribe();
  } finally {
    await nc.close();
  }
});

Deno.test("request mux - closing the connection fails requests in flight and later ones", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const sub = nc.subscribe("silent", { callback: () => {} });
  const mux = new RequestMux(nc, 60_000);
  const pending = mux.request("silent", enc.encode("x"));
  await nc.flush();
  await nc.close();
  await assert.rejects(pending, /Request on subject silent failed/);
  await assert.rejects(
    mux.request("silent", enc.encode("x")),
    /Request on subject silent failed: the NATS connection is closed/,
  );
  assert.equal(sub.isClosed(), true);
  mux.close();
});

Deno.test("request mux - batched requests go out together; one aborted before the flush is never published", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  try {
    const seen: string[] = [];
    const sub = nc.subscribe("echo", {
      callback: (_e, m) => {
        seen.push(dec.decode(m.data));
        m.respond(enc.encode(`re:${dec.decode(m.data)}`));
      },
    });
    await nc.flush();
    const mux = new RequestMux(nc, 5000, 50);
    const abort = new AbortController();
    const dropped = mux.request("echo", enc.encode("a"), abort.signal);
    const kept = [
      mux.request("echo", enc.encode("b")),
      mux.request("echo", enc.encode("c")),
    ];
    abort.abort(new Error("client gave up"));
    await assert.rejects(dropped, { message: "client gave up" });
    // Nothing has left before the window closes.
    await new Promise((r) => setTimeout(r, 20));
    await nc.flush();
    assert.deepEqual(seen, []);
    const replies = await Promise.all(kept);
    assert.deepEqual(replies.map((m) => dec.decode(m.data)), ["re:b", "re:c"]);
    assert.deepEqual(seen, ["b", "c"]);
    mux.close();
    sub.unsubscribe();
  } finally {
    await nc.close();
  }
});

Deno.test("request mux - closing with requests still held fails them and leaves no timer", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  try {
    const mux = new RequestMux(nc, 5000, 10_000);
    const held = mux.request("echo", enc.encode("x"));
    mux.close();
    await assert.rejects(held, /the request mux is closed/);
  } finally {
    await nc.close();
  }
});

Deno.test("request mux - answered requests let go of their replies while an older one still waits", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  try {
    const big = new Uint8Array(64 * 1024);
    const sub = nc.subscribe("echo.big", {
      callback: (_e, m) => {
        m.respond(big);
      },
    });
    nc.subscribe("silent.head", { callback: () => {} });
    const mux = new RequestMux(nc, 30_000);
    // Waits at the head of the deadline queue for 30 s: the 50 answered
    // after it stay queued behind it until then.
    const head = mux.request("silent.head", enc.encode("x"));
    head.catch(() => {});
    const refs: WeakRef<object>[] = [];
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const msg = await mux.request("echo.big", enc.encode("y"));
        assert.equal(msg.data.length, big.length);
        refs.push(new WeakRef(msg));
      }),
    );
    assert.equal(mux.inFlight, 1);
    // Before: every settled entry kept its promise, so the reply and the
    // 64 KiB read buffer under it, until the head's deadline.
    assert.equal(await survivors(refs), 0);
    mux.close();
    await assert.rejects(head);
    sub.unsubscribe();
  } finally {
    await nc.close();
  }
});
