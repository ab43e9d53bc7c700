import assert from "node:assert/strict";
import { decodeMessage, encodeMessage } from "../../lib/dhcp/message.ts";
import { OptionsDoNotFitError } from "../../lib/dhcp/errors.ts";
import { createReply, withMessageType } from "../../lib/dhcp/modifiers.ts";
import { relayAgentInfo, text } from "../../lib/dhcp/option_values.ts";
import { RELAYED_REQUEST } from "./_fixtures.ts";

/** A 576-byte limit: the layouts below are worked out for it. */
const MAX_576 = { maxSize: 576 };

/** A reply to the relayed request with `count` 100-byte private options. */
function bigReply(count: number) {
  const reply = createReply(decodeMessage(RELAYED_REQUEST), withMessageType(2));
  for (let i = 0; i < count; i++) {
    reply.options.set(224 + i, new Uint8Array(100).fill(i + 1));
  }
  return reply;
}

Deno.test("encodeMessage() moves options into file when they exceed 576 bytes", () => {
  // 53 + 61 (12 bytes) + 4 * 102 bytes + 82 (14 bytes): over 576. The
  // options field keeps room for 52, 82 and End and holds three of them.
  const reply = bigReply(4);
  const encoded = encodeMessage(reply, MAX_576);
  assert.ok(encoded.length <= 576, `${encoded.length} bytes`);
  const options = encoded.subarray(240);
  // Option 52 then 82 then End close the options field.
  const end = 12 + 3 * 102 + 3 + 14;
  const relay = [
    82,
    12,
    1,
    4,
    0x65,
    0x74,
    0x68,
    0x30,
    2,
    4,
    0xde,
    0xad,
    0xbe,
    0xef,
  ];
  assert.deepEqual(
    [...options.subarray(end - 17, end + 1)],
    [52, 1, 1, ...relay, 255], // overload 1: file only
  );
  assert.deepEqual([...encoded.subarray(108, 110)], [227, 100]); // file holds the fourth
  assert.equal(encoded[108 + 102], 255); // then End
  const decoded = decodeMessage(encoded);
  assert.equal(decoded.bootFileName, "");
  for (let i = 0; i < 4; i++) {
    assert.deepEqual(
      decoded.options.get(224 + i),
      new Uint8Array(100).fill(i + 1),
    );
  }
  assert.deepEqual(
    decoded.options.getAs(82, relayAgentInfo)?.map((s) => s.code),
    [1, 2],
  );
});

Deno.test("encodeMessage() uses sname after file and sets overload 3", () => {
  const reply = bigReply(3); // fills the options field
  reply.options.set(200, new Uint8Array(120).fill(7)); // fits file (127 bytes)
  reply.options.set(201, new Uint8Array(50).fill(8)); // fits sname (63 bytes)
  const encoded = encodeMessage(reply, MAX_576);
  assert.ok(encoded.length <= 576);
  assert.deepEqual([...encoded.subarray(108, 110)], [200, 120]);
  assert.deepEqual([...encoded.subarray(44, 46)], [201, 50]);
  const decoded = decodeMessage(encoded);
  assert.equal(decoded.options.get(52)?.[0], 3);
  assert.deepEqual(decoded.options.get(200), new Uint8Array(120).fill(7));
  assert.deepEqual(decoded.options.get(201), new Uint8Array(50).fill(8));
});

Deno.test("encodeMessage() splits an option across file and sname when no field holds it whole", () => {
  const reply = bigReply(3);
  const value = Uint8Array.from({ length: 170 }, (_, i) => i);
  reply.options.set(200, value); // 172 bytes: 125 in file, 45 in sname
  const encoded = encodeMessage(reply, MAX_576);
  assert.deepEqual([...encoded.subarray(108, 110)], [200, 125]);
  assert.deepEqual([...encoded.subarray(44, 46)], [200, 45]);
  assert.deepEqual(decodeMessage(encoded).options.get(200), value);
});

Deno.test("encodeMessage() does not overload file or sname holding names", () => {
  const reply = bigReply(3);
  reply.options.set(200, new Uint8Array(50).fill(7));
  reply.bootFileName = "ipxe.efi";
  reply.serverName = "boot";
  assert.throws(() => encodeMessage(reply, MAX_576), {
    name: "OptionsDoNotFitError", // a RangeError the server catches
    message: /the options do not fit in 576 bytes, even using file and sname/,
  });
  reply.serverName = ""; // sname is free: option 200 goes there
  const encoded = encodeMessage(reply, MAX_576);
  assert.deepEqual([...encoded.subarray(44, 46)], [200, 50]);
  const decoded = decodeMessage(encoded);
  assert.equal(decoded.bootFileName, "ipxe.efi");
  assert.equal(decoded.options.get(52)?.[0], 2);
});

Deno.test("encodeMessage() honours a larger maxSize without overload", () => {
  const reply = bigReply(4);
  const encoded = encodeMessage(reply, { maxSize: 1472 });
  assert.ok(encoded.length > 576);
  assert.equal(decodeMessage(encoded).options.has(52), false);
  // Values under 548 count as 548: the 576-byte datagram every client
  // accepts (RFC 2131 §2), less the IP and UDP headers; so does no value.
  const three = bigReply(3);
  assert.deepEqual(
    encodeMessage(three, { maxSize: 100 }),
    encodeMessage(three, { maxSize: 548 }),
  );
  assert.deepEqual(
    encodeMessage(three),
    encodeMessage(three, { maxSize: 548 }),
  );
  assert.ok(encodeMessage(three).length <= 548);
});

Deno.test("encodeMessage() re-lays out a decoded overloaded message after a change", () => {
  const encoded = encodeMessage(bigReply(4), MAX_576);
  assert.deepEqual(encodeMessage(decodeMessage(encoded), MAX_576), encoded); // unchanged: same bytes
  const message = decodeMessage(encoded);
  message.options.setAs(12, text, "node1");
  const again = decodeMessage(encodeMessage(message, MAX_576));
  assert.equal(again.options.getAs(12, text), "node1");
  assert.deepEqual(again.options.get(227), new Uint8Array(100).fill(4));
});

Deno.test("encodeMessage() moves an empty option to file when the options field is full", () => {
  const reply = bigReply(3); // fills the options field exactly
  reply.options.set(80, new Uint8Array(0)); // rapid commit, no value
  reply.options.set(200, new Uint8Array(50).fill(9)); // pushes the size over 576
  const encoded = encodeMessage(reply, MAX_576);
  assert.deepEqual([...encoded.subarray(108, 112)], [80, 0, 200, 50]); // both in file
  assert.equal(encoded[108 + 54], 255); // then End
  const decoded = decodeMessage(encoded);
  assert.deepEqual(decoded.options.get(80), new Uint8Array(0));
  assert.deepEqual(decoded.options.get(200), new Uint8Array(50).fill(9));
});

Deno.test("encodeMessage() throws OptionsDoNotFitError, a RangeError, when options do not fit", () => {
  const reply = bigReply(3);
  reply.options.set(200, new Uint8Array(250));
  reply.bootFileName = "ipxe.efi";
  reply.serverName = "boot";
  assert.throws(() => encodeMessage(reply), OptionsDoNotFitError);
  assert.throws(() => encodeMessage(reply), RangeError);
});

Deno.test("encodeMessage() says when option 82 alone is too big", () => {
  const reply = bigReply(0);
  reply.options.set(82, new Uint8Array(400));
  reply.options.set(224, new Uint8Array(200));
  assert.throws(() => encodeMessage(reply, MAX_576), {
    name: "OptionsDoNotFitError", // a RangeError the server catches
    message:
      "Cannot encode DHCP message: option 82 (404 bytes) does not fit in 576 bytes",
  });
});
