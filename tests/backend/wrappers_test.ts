import assert from "node:assert/strict";
import { MemoryBackend } from "../../lib/backend/memory_backend.ts";
import { CoalescingBackend } from "../../lib/backend/coalescing_backend.ts";
import { CachingBackend } from "../../lib/backend/caching_backend.ts";
import type { Backend, LookupOptions } from "../../lib/backend/backend.ts";
import type { Reservation } from "../../lib/backend/reservation.ts";

const MAC = "08:00:27:29:4e:67";
const R: Reservation = {
  macAddress: MAC,
  ipAddress: "10.0.0.5",
  leaseTime: 600,
};

/** A backend whose lookups stay pending until the test settles them. */
class ManualBackend implements Backend {
  calls: { mac: string; options: LookupOptions }[] = [];
  #pending: {
    resolve: (r: Reservation | undefined) => void;
    reject: (e: unknown) => void;
  }[] = [];
  lookup(
    mac: string,
    options: LookupOptions = {},
  ): Promise<Reservation | undefined> {
    this.calls.push({ mac, options });
    return new Promise((resolve, reject) =>
      this.#pending.push({ resolve, reject })
    );
  }
  resolveAll(value: Reservation | undefined) {
    for (const p of this.#pending.splice(0)) p.resolve(value);
  }
  rejectAll(err: unknown) {
    for (const p of this.#pending.splice(0)) p.reject(err);
  }
}

Deno.test("MemoryBackend stores by lower-case MAC and hands out copies", async () => {
  const backend = new MemoryBackend([{ ...R, macAddress: MAC.toUpperCase() }]);
  assert.equal(backend.size, 1);
  const a = await backend.lookup(MAC);
  assert.deepEqual(a, R);
  a!.ipAddress = "changed";
  assert.equal(
    (await backend.lookup(MAC.toUpperCase()))?.ipAddress,
    "10.0.0.5",
  );
  assert.equal(await backend.lookup("00:00:00:00:00:01"), undefined);
  assert.equal(backend.lookupCount, 3);
  backend.set({ ...R, ipAddress: "10.0.0.6" });
  assert.equal((await backend.lookup(MAC))?.ipAddress, "10.0.0.6");
  assert.equal(backend.delete(MAC), true);
  assert.equal(await backend.lookup(MAC), undefined);
  const aborted = AbortSignal.abort(new Error("stop"));
  await assert.rejects(backend.lookup(MAC, { signal: aborted }), /stop/);
});

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

Deno.test("CachingBackend reuses answers for ttl, not failures", async () => {
  const store = new MemoryBackend([R]);
  const backend = new CachingBackend(store, { ttl: 40 });
  await backend.lookup(MAC);
  const hit = await backend.lookup(MAC.toUpperCase());
  assert.equal(store.lookupCount, 1);
  hit!.ipAddress = "changed";
  assert.equal((await backend.lookup(MAC))?.ipAddress, "10.0.0.5");
  // Not-found is cached too.
  assert.equal(await backend.lookup("02:00:00:00:00:01"), undefined);
  assert.equal(await backend.lookup("02:00:00:00:00:01"), undefined);
  assert.equal(store.lookupCount, 2);
  await new Promise((r) => setTimeout(r, 60));
  await backend.lookup(MAC);
  assert.equal(store.lookupCount, 3);
  backend.invalidate(MAC);
  await backend.lookup(MAC);
  assert.equal(store.lookupCount, 4);

  const failing = new ManualBackend();
  const cache = new CachingBackend(failing, { ttl: 60_000 });
  const p = cache.lookup(MAC);
  failing.rejectAll(new Error("nope"));
  await assert.rejects(p, /nope/);
  const q = cache.lookup(MAC);
  assert.equal(failing.calls.length, 2);
  failing.resolveAll(R);
  await q;
});

Deno.test("CachingBackend with ttl 0 passes through and bounds its size", async () => {
  const store = new MemoryBackend([R]);
  const off = new CachingBackend(store);
  await off.lookup(MAC);
  await off.lookup(MAC);
  assert.equal(store.lookupCount, 2);
  assert.equal(off.size, 0);
  const small = new CachingBackend(store, { ttl: 60_000, maxEntries: 2 });
  for (const last of ["01", "02", "03"]) {
    await small.lookup(`02:00:00:00:00:${last}`);
  }
  assert.equal(small.size, 2);
  assert.throws(() => new CachingBackend(store, { ttl: -1 }), RangeError);
});
