import assert from "node:assert/strict";
import { CloudEvent } from "cloudevents";
import type { CloudEvent as Event } from "../../lib/types/cloudevents.ts";
import { connect } from "@nats-io/transport-node";
import { headers, NoRespondersError, RequestError } from "@nats-io/nats-core";
import { startNatsServer } from "../_helpers/nats_server.ts";
import {
  encodeBinary,
  encodeStructured,
} from "../../lib/cloudevents/nats_binding.ts";
import {
  isNoResponders,
  requestEvent,
  serveEvents,
} from "../../lib/cloudevents/request.ts";
import {
  InvalidEventError,
  LookupTimeoutError,
  NoResponderError,
} from "../../lib/cloudevents/errors.ts";
import { createLogger } from "../../lib/log/logger.ts";

const enc = new TextEncoder();

function ping(data: unknown = { n: 1 }) {
  return new CloudEvent<unknown>({ type: "test.ping", source: "/test", data });
}

function pong(request: Event) {
  return new CloudEvent<unknown>({
    type: "test.pong",
    source: "/test/responder",
    data: { echo: request.data },
  });
}

Deno.test("cloudevents - requestEvent() round trip through serveEvents()", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  try {
    await using service = serveEvents(nc, "t.rt", pong);
    const reply = await requestEvent(nc, "t.rt", ping({ a: [1, 2] }));
    assert.equal(reply.type, "test.pong");
    assert.deepEqual(reply.data, { echo: { a: [1, 2] } });
    assert.equal(service.answered, 1);
  } finally {
    await nc.close();
  }
});

Deno.test("cloudevents - requestEvent() fails at once with NoResponderError", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  try {
    const started = performance.now();
    await assert.rejects(
      requestEvent(nc, "t.nobody", ping(), { timeout: 4000 }),
      (err: unknown) => {
        assert.ok(err instanceof NoResponderError, String(err));
        assert.equal(err.name, "NoResponderError");
        assert.match(
          err.message,
          /No responder is subscribed to subject t\.nobody/,
        );
        assert.ok(err.cause, "cause is set");
        return true;
      },
    );
    // Sanity bound, not a benchmark: far below the 4 s timeout.
    assert.ok(performance.now() - started < 2000);
  } finally {
    await nc.close();
  }
});

Deno.test("cloudevents - requestEvent() times out with LookupTimeoutError", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const sub = nc.subscribe("t.silent", { callback: () => {} });
  try {
    await nc.flush();
    await assert.rejects(
      requestEvent(nc, "t.silent", ping(), { timeout: 150 }),
      (err: unknown) => {
        assert.ok(err instanceof LookupTimeoutError, String(err));
        assert.equal(err.timeout, 150);
        assert.match(err.message, /t\.silent timed out after 150 ms/);
        return true;
      },
    );
  } finally {
    sub.unsubscribe();
    await nc.close();
  }
});

Deno.test("cloudevents - requestEvent() rejects a reply that is not a CloudEvent", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const sub = nc.subscribe("t.garbage", {
    callback: (_err, msg) => {
      msg.respond(enc.encode('{"hello":"world"}'));
    },
  });
  try {
    await nc.flush();
    await assert.rejects(
      requestEvent(nc, "t.garbage", ping()),
      (err: unknown) => {
        assert.ok(err instanceof InvalidEventError, String(err));
        assert.match(err.message, /specversion is missing/);
        return true;
      },
    );
  } finally {
    sub.unsubscribe();
    await nc.close();
  }
});

Deno.test("cloudevents - requestEvent() reads a binary-mode reply", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const sub = nc.subscribe("t.binary", {
    callback: (_err, msg) => {
      const reply = new CloudEvent({
        type: "test.pong",
        source: "/go",
        datacontenttype: "application/json",
        data: { ok: true },
      });
      const { payload, headers } = encodeBinary(reply);
      msg.respond(payload, { headers });
    },
  });
  try {
    await nc.flush();
    const reply = await requestEvent(nc, "t.binary", ping());
    assert.equal(reply.source, "/go");
    assert.deepEqual(reply.data, { ok: true });
  } finally {
    sub.unsubscribe();
    await nc.close();
  }
});

Deno.test("cloudevents - serveEvents() reads binary-mode requests", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  try {
    await using _service = serveEvents(nc, "t.binreq", pong);
    const h = headers();
    h.set("ce-specversion", "1.0");
    h.set("ce-id", "42");
    h.set("ce-source", "/go/dhcp");
    h.set("ce-type", "test.ping");
    h.set("content-type", "application/json");
    const msg = await nc.request("t.binreq", enc.encode('{"x":1}'), {
      timeout: 2000,
      headers: h,
    });
    const reply = JSON.parse(new TextDecoder().decode(msg.data));
    assert.equal(reply.specversion, "1.0");
    assert.deepEqual(reply.data, { echo: { x: 1 } });
  } finally {
    await nc.close();
  }
});

Deno.test("cloudevents - requestEvent() honours an abort signal", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const sub = nc.subscribe("t.abort", { callback: () => {} });
  try {
    await nc.flush();
    const controller = new AbortController();
    const pending = requestEvent(nc, "t.abort", ping(), {
      timeout: 300,
      signal: controller.signal,
    });
    controller.abort(new Error("caller gave up"));
    await assert.rejects(pending, /caller gave up/);
    await assert.rejects(
      requestEvent(nc, "t.abort", ping(), { signal: controller.signal }),
      /caller gave up/,
    );
  } finally {
    sub.unsubscribe();
    await nc.close(); // cancels the abandoned request's timer
  }
});

Deno.test("cloudevents - serveEvents() logs bad requests and handler failures without replying", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const lines: string[] = [];
  const logger = createLogger({ level: "debug", write: (l) => lines.push(l) });
  try {
    await using service = serveEvents(nc, "t.bad", (event) => {
      if ((event.data as { fail?: boolean }).fail) throw new Error("boom");
      return event.data === undefined ? undefined : pong(event);
    }, { logger });
    await assert.rejects(
      nc.request("t.bad", enc.encode("not json"), { timeout: 200 }),
    );
    await assert.rejects(
      requestEvent(nc, "t.bad", ping({ fail: true }), { timeout: 200 }),
      LookupTimeoutError,
    );
    // The service keeps answering after both.
    const reply = await requestEvent(nc, "t.bad", ping({ fine: 1 }));
    assert.deepEqual(reply.data, { echo: { fine: 1 } });
    assert.equal(service.answered, 1);
    assert.ok(
      lines.some((l) => /not a CloudEvent/.test(l) && /not JSON/.test(l)),
    );
    assert.ok(lines.some((l) => /handler failed/.test(l) && /boom/.test(l)));
  } finally {
    await nc.close();
  }
});

Deno.test("cloudevents - serveEvents() drain() waits for running handlers", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  try {
    let release!: () => void;
    const gate = new Promise<void>((r) => release = r);
    const service = serveEvents(nc, "t.drain", async (event) => {
      await gate;
      return pong(event);
    });
    await nc.flush();
    const pending = requestEvent(nc, "t.drain", ping());
    await new Promise((r) => setTimeout(r, 50));
    const drained = service.drain();
    release();
    await drained;
    assert.equal((await pending).type, "test.pong");
    // After drain nobody listens any more.
    await assert.rejects(requestEvent(nc, "t.drain", ping()), NoResponderError);
  } finally {
    await nc.close();
  }
});

Deno.test("cloudevents - serveEvents() queue groups share the requests", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  try {
    await using a = serveEvents(nc, "t.q", pong, { queue: "workers" });
    await using b = serveEvents(nc, "t.q", pong, { queue: "workers" });
    await nc.flush();
    await Promise.all(
      Array.from({ length: 20 }, () => requestEvent(nc, "t.q", ping())),
    );
    assert.equal(a.answered + b.answered, 20);
  } finally {
    await nc.close();
  }
});

Deno.test("cloudevents - encodeStructured() payload is what the responder receives", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  let raw: Record<string, unknown> | undefined;
  let hadHeaders = true;
  const sub = nc.subscribe("t.raw", {
    callback: (_err, msg) => {
      raw = JSON.parse(new TextDecoder().decode(msg.data));
      hadHeaders = msg.headers !== undefined;
      msg.respond(encodeStructured(pong(ping())));
    },
  });
  try {
    await nc.flush();
    await requestEvent(nc, "t.raw", ping({ MacAddress: "CAAnKU5n" }));
    assert.equal(hadHeaders, false); // like Go: no NATS headers on requests
    assert.deepEqual(raw?.data, { MacAddress: "CAAnKU5n" });
    assert.equal(raw?.specversion, "1.0");
  } finally {
    sub.unsubscribe();
    await nc.close();
  }
});

Deno.test("isNoResponders() recognises every shape nats.js gives the 503 status", () => {
  const plain = new NoRespondersError("s");
  const wrapped = new RequestError(plain.message, { cause: plain });
  const coded = Object.assign(new Error("request failed"), { code: 503 });
  const named = Object.assign(new Error("x"), { name: "NoRespondersError" });
  const deep = new Error("outer", {
    cause: new Error("inner", { cause: wrapped }),
  });
  for (const err of [plain, wrapped, coded, named, deep]) {
    assert.equal(isNoResponders(err), true, String(err));
  }
  assert.equal(isNoResponders(new Error("timeout")), false);
  assert.equal(isNoResponders(undefined), false);
});
