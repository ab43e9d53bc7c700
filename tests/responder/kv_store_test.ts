import assert from "node:assert/strict";
import type { Reservation } from "../../lib/backend/reservation.ts";
import { macToKvKey, normalizeMac } from "../../lib/net/mac.ts";
import { ReservationStore } from "../../lib/responder/store.ts";
import { hostValue } from "../../lib/responder/kv/host_value.ts";
import {
  parseReservations,
  readHostValue,
} from "../../lib/responder/reservation_file.ts";

const A = "08:00:27:29:4e:67";
const B = "08:00:27:29:4e:68";
const r = (mac: string, ip: string): Reservation => ({
  macAddress: mac,
  ipAddress: ip,
});

Deno.test("ReservationStore.set() and delete() change one MAC and leave the caller's table alone", () => {
  const given = new Map([[A, r(A, "10.0.0.1")]]);
  const store = new ReservationStore(given);
  store.set(B, r(B, "10.0.0.2"));
  store.set(A, r(A, "10.0.0.3"));
  assert.equal(store.lookup("08-00-27-29-4E-68")?.ipAddress, "10.0.0.2");
  assert.equal(store.lookup(A)?.ipAddress, "10.0.0.3");
  assert.equal(given.size, 1);
  assert.equal(given.get(A)?.ipAddress, "10.0.0.1");
  assert.equal(store.delete(A), true);
  assert.equal(store.delete(A), false);
  assert.equal(store.lookup(A), undefined);
  assert.equal(store.size, 1);
  store.replace(new Map());
  assert.equal(store.size, 0);
});

Deno.test("macToKvKey() gives the bucket key, normalizeMac() reads it back", () => {
  assert.equal(macToKvKey("08:00:27:29:4E:67"), "08-00-27-29-4e-67");
  assert.equal(macToKvKey("08-00-27-29-4e-67"), "08-00-27-29-4e-67");
  assert.equal(macToKvKey("not-a-mac"), undefined);
  assert.equal(normalizeMac("08-00-27-29-4e-67"), A);
});

Deno.test("hostValue() writes what the file's rules read back to the same reservation", async () => {
  const text = await Deno.readTextFile(
    new URL("../../examples/reservations.yaml", import.meta.url),
  );
  for (const [mac, reservation] of parseReservations(text)) {
    const value = JSON.parse(JSON.stringify(hostValue(reservation)));
    const read = readHostValue(mac, value, "test");
    assert.deepEqual(read.issues, []);
    assert.deepEqual(read.reservation, reservation);
  }
  const bad = readHostValue(A, { ipAddress: "10.0.0.300" }, "test");
  assert.equal(bad.reservation, undefined);
  assert.equal(bad.issues[0].field, "ipAddress");
});
