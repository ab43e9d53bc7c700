import assert from "node:assert/strict";
import { decodeMessage, encodeMessage } from "../../lib/dhcp/message.ts";
import { DhcpOptions } from "../../lib/dhcp/options.ts";
import { domainList, ip, text, u8 } from "../../lib/dhcp/option_values.ts";
import {
  COOKIE,
  DHCLIENT_DISCOVER,
  packet,
  requestHeader,
} from "./_fixtures.ts";
import { assertDecodeError, trimPad } from "./_round_trip.ts";

Deno.test("DhcpOptions keeps insertion order and positions of replaced codes", () => {
  const options = new DhcpOptions([[53, Uint8Array.of(2)]]);
  options.setAs(54, ip, "10.0.0.1").setAs(12, text, "a");
  options.setAs(53, u8, 5); // replaced in place
  assert.deepEqual(options.codes(), [53, 54, 12]);
  assert.equal(options.size, 3);
  assert.equal(options.getAs(53, u8), 5);
  assert.equal(options.delete(54), true);
  assert.equal(options.delete(54), false);
  assert.equal(options.has(54), false);
  assert.equal(options.get(54), undefined);
  assert.equal(options.getAs(54, ip), undefined);
});

Deno.test("DhcpOptions.set() rejects Pad, End and non-byte values", () => {
  const options = new DhcpOptions();
  assert.throws(() => options.set(0, Uint8Array.of(1)), {
    name: "RangeError",
    message: /codes run from 1 to 254/,
  });
  assert.throws(() => options.set(255, Uint8Array.of(1)), RangeError);
  assert.throws(() => options.set(12, "a" as unknown as Uint8Array), TypeError);
});

Deno.test("DhcpOptions.clone() is independent of the original", () => {
  const message = decodeMessage(DHCLIENT_DISCOVER);
  const copy = message.options.clone();
  copy.setAs(12, text, "other");
  copy.delete(50);
  assert.equal(message.options.getAs(12, text), "node1");
  assert.equal(message.options.has(50), true);
  assert.deepEqual(copy.codes(), [53, 12, 55]);
  // The untouched original still re-encodes byte for byte.
  assert.deepEqual(trimPad(encodeMessage(message)), trimPad(DHCLIENT_DISCOVER));
});

Deno.test("DhcpOptions.getAs() throws DhcpDecodeError with the option's packet offset", () => {
  const bytes = packet(
    requestHeader(),
    COOKIE,
    [53, 1, 1], // message type, offset 240
    [119, 2, 0xc0, 0], // domain search pointing at itself, offset 243
    [54, 3, 10, 0, 0], // server identifier, 3 bytes, offset 247
    [255], // end
  );
  const message = decodeMessage(bytes);
  assertDecodeError(
    () => message.options.getAs(119, domainList),
    "Cannot decode DHCP message: option 119 (DomainSearch) is invalid: compression pointers form a loop (value offset 0) at offset 243",
    243,
  );
  assertDecodeError(
    () => message.options.getAs(54, ip),
    /option 54 \(ServerIdentifier\) is invalid: expected 4 bytes/,
    247,
  );
  // A store built in code reports the value offset.
  const built = new DhcpOptions([[54, Uint8Array.of(1)]]);
  assertDecodeError(
    () => built.getAs(54, ip),
    /^Cannot decode DHCP option value: option 54/,
    0,
  );
});

Deno.test("DhcpOptions.getAs() wraps errors of custom codecs in DhcpDecodeError", () => {
  const options = new DhcpOptions([[224, Uint8Array.of(1)]]);
  const failing = {
    decode(): never {
      throw new TypeError("boom");
    },
    encode: () => new Uint8Array(0),
  };
  const error = assertDecodeError(
    () => options.getAs(224, failing),
    /option 224 \(unknown \(224\)\) is invalid: boom/,
  );
  assert.ok(error.cause instanceof TypeError);
});
