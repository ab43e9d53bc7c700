import assert from "node:assert/strict";
import { MemoryBackend } from "../../lib/backend/memory_backend.ts";
import type { Reservation } from "../../lib/backend/reservation.ts";

const MAC = "08:00:27:29:4e:67";
const R: Reservation = {
  macAddress: MAC,
  ipAddress: "10.0.0.5",
  leaseTime: 600,
};

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
