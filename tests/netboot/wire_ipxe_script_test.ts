import assert from "node:assert/strict";
import type { Reservation } from "../../lib/backend/reservation.ts";
import { decodeLookupReply, encodeLookupReply } from "../../lib/nats/wire.ts";

const SCRIPT = "#!ipxe\nkernel http://10.0.0.1:8080/vmlinuz\nboot\n";

Deno.test("netboot - ipxeScript travels in the v2 reply's Extensions, not in Netboot", () => {
  const reservation: Reservation = {
    macAddress: "08:00:27:29:4e:67",
    ipAddress: "10.0.0.5",
    netboot: { allowNetboot: true },
    extensions: { ipxeScript: SCRIPT },
  };
  const data = encodeLookupReply(reservation, "v2") as Record<
    string,
    Record<string, unknown>
  >;
  assert.deepEqual(data.Extensions, { IPXEScript: SCRIPT });
  // Go's v2 server decodes Netboot: only its two fields stay there.
  assert.deepEqual(Object.keys(data.Netboot).sort(), [
    "AllowNetboot",
    "IPXEScriptURL",
  ]);
  const decoded = decodeLookupReply(data);
  assert.equal(decoded?.extensions?.ipxeScript, SCRIPT);
  // Keys match in any case.
  const lower = { ...data, Extensions: { ipxescript: SCRIPT } };
  assert.equal(decodeLookupReply(lower)?.extensions?.ipxeScript, SCRIPT);
});

Deno.test("netboot - a non-string Extensions.IPXEScript fails that lookup", () => {
  const data = encodeLookupReply(
    { macAddress: "08:00:27:29:4e:67", ipAddress: "10.0.0.5" },
    "v2",
  ) as Record<string, unknown>;
  assert.throws(
    () => decodeLookupReply({ ...data, Extensions: { IPXEScript: 5 } }),
    /IPXEScript/,
  );
});
