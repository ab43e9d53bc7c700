import assert from "node:assert/strict";
import { CachingBackend } from "../../lib/backend/caching_backend.ts";
import { MemoryBackend } from "../../lib/backend/memory_backend.ts";
import type { Reservation } from "../../lib/backend/reservation.ts";
import { ManualBackend } from "./_manual_backend.ts";

const MAC = "08:00:27:29:4e:67";
const R: Reservation = {
  macAddress: MAC,
  ipAddress: "10.0.0.5",
  leaseTime: 600,
};

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

Deno.test("CachingBackend stays within maxEntries and keeps the newest answers", async () => {
  const hosts = Array.from({ length: 100 }, (_, i) => ({
    macAddress: `02:00:00:00:00:${i.toString(16).padStart(2, "0")}`,
    ipAddress: `10.0.0.${i + 1}`,
  }));
  const store = new MemoryBackend(hosts);
  const cache = new CachingBackend(store, { ttl: 60_000, maxEntries: 16 });
  for (const h of hosts) {
    await cache.lookup(h.macAddress);
    assert.ok(cache.size <= 16, `${cache.size} entries`);
  }
  const asked = store.lookupCount;
  assert.equal(
    (await cache.lookup(hosts[99].macAddress))?.ipAddress,
    "10.0.0.100",
  );
  assert.equal(store.lookupCount, asked, "the newest answer is a hit");
});
