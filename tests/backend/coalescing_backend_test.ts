import assert from "node:assert/strict";
import { CoalescingBackend } from "../../lib/backend/coalescing_backend.ts";
import type { Reservation } from "../../lib/backend/reservation.ts";
import { ManualBackend } from "./_manual_backend.ts";

const MAC = "08:00:27:29:4e:67";
const R: Reservation = {
  macAddress: MAC,
  ipAddress: "10.0.0.5",
  leaseTime: 600,
};

Deno.test("CoalescingBackend sends one lookup for concurrent callers of a MAC", async () => {
  const inner = new ManualBackend();
  const backend = new CoalescingBackend(inner);
  const waits = [
    backend.lookup(MAC, { traceparent: "first" }),
    backend.lookup(MAC.toUpperCase(), { traceparent: "second" }),
    backend.lookup(MAC),
    backend.lookup("02:00:00:00:00:01"),
  ];
  assert.equal(inner.calls.length, 2);
  assert.equal(inner.calls[0].options.traceparent, "first");
  assert.equal(backend.inFlight, 2);
  inner.resolveAll(R);
  const results = await Promise.all(waits);
  assert.ok(results.every((r) => r?.ipAddress === "10.0.0.5"));
  assert.notEqual(results[0], results[1]); // own copies
  assert.equal(backend.inFlight, 0);
  // Once settled, the next lookup is a new one.
  const again = backend.lookup(MAC);
  assert.equal(inner.calls.length, 3);
  inner.resolveAll(undefined);
  assert.equal(await again, undefined);
});

Deno.test("CoalescingBackend shares failures and does not remember them", async () => {
  const inner = new ManualBackend();
  const backend = new CoalescingBackend(inner);
  const a = backend.lookup(MAC);
  const b = backend.lookup(MAC);
  inner.rejectAll(new Error("responder down"));
  await assert.rejects(a, /responder down/);
  await assert.rejects(b, /responder down/);
  const c = backend.lookup(MAC);
  assert.equal(inner.calls.length, 2);
  inner.resolveAll(R);
  assert.equal((await c)?.ipAddress, "10.0.0.5");
});

Deno.test("CoalescingBackend: one abort leaves others waiting, all aborts cancel", async () => {
  const inner = new ManualBackend();
  const backend = new CoalescingBackend(inner);
  const c1 = new AbortController();
  const c2 = new AbortController();
  const first = backend.lookup(MAC, { signal: c1.signal });
  const second = backend.lookup(MAC, { signal: c2.signal });
  const shared = inner.calls[0].options.signal!;
  c1.abort(new Error("first gave up"));
  await assert.rejects(first, /first gave up/);
  assert.equal(shared.aborted, false);
  inner.resolveAll(R);
  assert.equal((await second)?.ipAddress, "10.0.0.5");

  const c3 = new AbortController();
  const third = backend.lookup(MAC, { signal: c3.signal });
  c3.abort(new Error("third gave up"));
  await assert.rejects(third, /third gave up/);
  assert.equal(inner.calls[1].options.signal!.aborted, true);
  assert.equal(backend.inFlight, 0);
  inner.resolveAll(undefined);
});

Deno.test("CoalescingBackend never aborts a lookup someone waits on without a signal", async () => {
  const inner = new ManualBackend();
  const backend = new CoalescingBackend(inner);
  // First caller without a signal: the inner lookup gets none.
  const plain = backend.lookup(MAC);
  assert.equal(inner.calls[0].options.signal, undefined);
  const controller = new AbortController();
  const withSignal = backend.lookup(MAC, { signal: controller.signal });
  controller.abort(new Error("gave up"));
  await assert.rejects(withSignal, /gave up/);
  // First caller with a signal, then one without: aborting the first does
  // not abort the shared lookup.
  const c2 = new AbortController();
  const other = "02:00:00:00:00:02";
  const first = backend.lookup(other, { signal: c2.signal });
  const second = backend.lookup(other);
  c2.abort(new Error("first gave up"));
  await assert.rejects(first, /first gave up/);
  assert.equal(inner.calls[1].options.signal!.aborted, false);
  inner.resolveAll(R);
  assert.equal((await plain)?.ipAddress, "10.0.0.5");
  assert.equal((await second)?.ipAddress, "10.0.0.5");
  assert.equal(inner.calls.length, 2);
});
