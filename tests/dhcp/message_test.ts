import assert from "node:assert/strict";
import { decodeMessage, encodeMessage } from "../../lib/dhcp/message.ts";
import {
  ip,
  ipList,
  parameterList,
  text,
  u16,
  u32,
  u8,
} from "../../lib/dhcp/option_values.ts";
import {
  ascii,
  COOKIE,
  DHCLIENT_DISCOVER,
  IPXE_DISCOVER,
  NETBOOT_OFFER,
  packet,
  PXE_DISCOVER,
  RELAYED_REQUEST,
  requestHeader,
  zeros,
} from "./_fixtures.ts";
import {
  assertDecodeError,
  assertRoundTrip,
  headerOf,
  trimPad,
} from "./_round_trip.ts";

Deno.test("decodeMessage() reads the header fields of a dhclient DISCOVER", () => {
  const message = assertRoundTrip(DHCLIENT_DISCOVER);
  assert.deepEqual(headerOf(message), {
    op: 1,
    hardwareType: 1,
    hardwareLength: 6,
    hops: 0,
    transactionId: 0x3903f326,
    seconds: 0,
    flags: 0,
    clientIp: "0.0.0.0",
    yourIp: "0.0.0.0",
    serverIp: "0.0.0.0",
    gatewayIp: "0.0.0.0",
    clientHardwareAddress: "52:54:00:12:34:56",
    serverName: "",
    bootFileName: "",
  });
  assert.deepEqual(message.options.codes(), [53, 50, 12, 55]);
  assert.equal(message.options.getAs(53, u8), 1);
  assert.equal(message.options.getAs(50, ip), "192.168.1.10");
  assert.equal(message.options.getAs(12, text), "node1");
  assert.deepEqual(
    message.options.getAs(55, parameterList),
    [1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42],
  );
});

Deno.test("decodeMessage() reads a netboot OFFER with siaddr, file and options", () => {
  const message = assertRoundTrip(NETBOOT_OFFER);
  assert.equal(message.op, 2);
  assert.equal(message.flags, 0x8000);
  assert.equal(message.yourIp, "192.168.1.10");
  assert.equal(message.serverIp, "192.168.1.2");
  assert.equal(message.bootFileName, "snp.efi");
  assert.equal(message.options.getAs(51, u32), 3600);
  assert.deepEqual(message.options.getAs(6, ipList), ["1.1.1.1", "8.8.8.8"]);
  assert.equal(message.options.getAs(67, text), "snp.efi");
});

Deno.test("decodeMessage() round-trips PXE, iPXE and relayed packets byte for byte", () => {
  for (const bytes of [PXE_DISCOVER, IPXE_DISCOVER, RELAYED_REQUEST]) {
    assertRoundTrip(bytes);
  }
  assert.equal(decodeMessage(PXE_DISCOVER).options.getAs(57, u16), 1472);
  assert.equal(decodeMessage(RELAYED_REQUEST).gatewayIp, "10.0.0.1");
  assert.equal(decodeMessage(RELAYED_REQUEST).hops, 1);
});

Deno.test("decodeMessage() rejects a packet shorter than 240 bytes", () => {
  assertDecodeError(
    () => decodeMessage(DHCLIENT_DISCOVER.subarray(0, 239)),
    "Cannot decode DHCP message: packet is 239 bytes, shorter than the 240-byte minimum at offset 239",
    239,
  );
  assertDecodeError(
    () => decodeMessage(new Uint8Array(0)),
    /packet is 0 bytes/,
    0,
  );
});

Deno.test("decodeMessage() rejects a packet without the magic cookie", () => {
  const bytes = packet(
    requestHeader(),
    [99, 130, 83, 98], // wrong cookie: last byte 98
    [53, 1, 1], // message type
    [255], // end
  );
  assertDecodeError(
    () => decodeMessage(bytes),
    "Cannot decode DHCP message: magic cookie is 63825362 instead of 63825363 at offset 236",
    236,
  );
});

Deno.test("decodeMessage() rejects a hardware address length over 16", () => {
  const bytes = DHCLIENT_DISCOVER.slice();
  bytes[2] = 17; // hlen
  assertDecodeError(
    () => decodeMessage(bytes),
    /hardware address length 17 is over 16 at offset 2$/,
    2,
  );
  bytes[2] = 16; // 16 is the whole field and fine
  assert.equal(
    decodeMessage(bytes).clientHardwareAddress.split(":").length,
    16,
  );
});

Deno.test("decodeMessage() rejects an option running past the end", () => {
  const bytes = packet(
    requestHeader(),
    COOKIE,
    [53, 1, 1], // message type, offset 240
    [12, 10, ...ascii("node")], // host name claims 10 bytes, has 4 (offset 243)
  );
  assertDecodeError(
    () => decodeMessage(bytes),
    "Cannot decode DHCP message: option 12 has length 10 but only 4 bytes remain at offset 243",
    243,
  );
  const noLength = packet(requestHeader(), COOKIE, [53, 1, 1], [12]); // code, no length
  assertDecodeError(
    () => decodeMessage(noLength),
    /option 12 has no length byte at offset 243/,
    243,
  );
});

Deno.test("decodeMessage() rejects option 53 with length 0", () => {
  const bytes = packet(requestHeader(), COOKIE, [53, 0], [255]); // message type, no value
  assertDecodeError(
    () => decodeMessage(bytes),
    "Cannot decode DHCP message: option 53 has length 0 at offset 240",
    240,
  );
  const two = packet(requestHeader(), COOKIE, [53, 2, 1, 1], [255]); // two bytes
  assertDecodeError(
    () => decodeMessage(two),
    /option 53 has length 2 instead of 1/,
    240,
  );
});

Deno.test("decodeMessage() accepts an empty host name (12), vendor class (60) and FQDN (81) as absent", () => {
  const bytes = packet(
    requestHeader(),
    COOKIE,
    [53, 1, 1],
    [12, 0],
    [60, 0],
    [81, 0],
    [255],
  );
  const message = decodeMessage(bytes);
  for (const code of [12, 60, 81]) {
    assert.equal(message.options.has(code), false, `option ${code}`);
  }
  assert.deepEqual(message.options.get(53), Uint8Array.of(1));
  // Unchanged, it re-encodes to the same bytes.
  const again = encodeMessage(message);
  assert.deepEqual(again.subarray(0, bytes.length), bytes);
});

Deno.test("decodeMessage() rejects a zero-length option that needs a value but keeps unknown empty ones", () => {
  const bytes = packet(requestHeader(), COOKIE, [53, 1, 1], [1, 0], [255]); // subnet mask, empty
  assertDecodeError(
    () => decodeMessage(bytes),
    /option 1 has length 0 at offset 243/,
    243,
  );
  const unknown = packet(
    requestHeader(),
    COOKIE,
    [53, 1, 1],
    [224, 0],
    [80, 0],
    [255],
  ); // private, rapid commit
  const message = assertRoundTrip(unknown);
  assert.deepEqual(message.options.get(224), new Uint8Array(0));
  assert.deepEqual(message.options.get(80), new Uint8Array(0));
});

Deno.test("decodeMessage() rejects a bad option overload value", () => {
  const bytes = packet(requestHeader(), COOKIE, [52, 1, 4], [255]); // overload 4
  assertDecodeError(
    () => decodeMessage(bytes),
    /option 52 \(option overload\) has value 4, not 1, 2 or 3 at offset 240/,
    240,
  );
});

Deno.test("decodeMessage() skips Pad and stops at End", () => {
  const bytes = packet(
    requestHeader(),
    COOKIE,
    [0, 0], // pad, pad
    [53, 1, 1], // message type
    [0], // pad
    [12, 1, ...ascii("a")], // host name "a"
    [255], // end
    [12, 200, 1, 2], // garbage after End, never read
  );
  const message = decodeMessage(bytes);
  assert.deepEqual(message.options.codes(), [53, 12]);
  // Interior pads survive; bytes after End are dropped (trailing pad aside).
  assert.deepEqual(
    trimPad(encodeMessage(message)),
    bytes.subarray(0, 240 + 10),
  );
});

Deno.test("decodeMessage() concatenates repeated options (RFC 3396) and re-encodes them as they were", () => {
  const bytes = packet(
    requestHeader(),
    COOKIE,
    [53, 1, 1], // message type
    [55, 2, 1, 3], // parameter list, first part
    [12, 1, ...ascii("a")], // host name
    [55, 2, 6, 15], // parameter list, second part
    [255], // end
  );
  const message = assertRoundTrip(bytes);
  assert.deepEqual(message.options.getAs(55, parameterList), [1, 3, 6, 15]);
  assert.deepEqual(message.options.codes(), [53, 55, 12]);
});

Deno.test("decodeMessage() reads options from file and sname when option 52 says so", () => {
  const sname = [
    ...[15, 11, ...ascii("example.com")], // domain name
    ...[55, 1, 6], // parameter list, third part
    ...[255], // end
  ];
  const file = [
    ...[12, 5, ...ascii("node1")], // host name
    ...[55, 1, 3], // parameter list, second part
    ...[255], // end
  ];
  const bytes = packet(
    requestHeader().slice(0, 44), // op .. chaddr
    sname,
    zeros(64 - sname.length), // sname carrying options
    file,
    zeros(128 - file.length), // file carrying options
    COOKIE,
    [53, 1, 1], // message type
    [52, 1, 3], // overload: file and sname
    [55, 1, 1], // parameter list, first part
    [255], // end
  );
  const message = assertRoundTrip(bytes);
  assert.equal(message.serverName, "");
  assert.equal(message.bootFileName, "");
  assert.equal(message.options.getAs(12, text), "node1");
  assert.equal(message.options.getAs(15, text), "example.com");
  // Options field first, then file, then sname (RFC 3396 §7).
  assert.deepEqual(message.options.getAs(55, parameterList), [1, 3, 6]);
});

Deno.test("encodeMessage() keeps unknown options, chaddr padding and text after a NUL byte for byte", () => {
  const header = requestHeader();
  header.splice(34, 10, ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]); // chaddr padding, non-zero
  header.splice(44, 6, ...ascii("srv"), 0, 0x41, 0x42); // sname "srv", NUL, "AB"
  const bytes = packet(header, COOKIE, [53, 1, 1], [224, 3, 9, 8, 7], [255]); // private option 224
  const message = assertRoundTrip(bytes);
  assert.equal(message.serverName, "srv");
  assert.deepEqual(message.options.get(224), Uint8Array.of(9, 8, 7));
  // Changing an option still keeps the unknown one and the raw header bytes.
  message.options.setAs(12, text, "x");
  const encoded = encodeMessage(message);
  assert.deepEqual(encoded.subarray(0, 240), bytes.subarray(0, 240));
  assert.deepEqual(
    trimPad(encoded.subarray(240)),
    packet(COOKIE.slice(0, 0), [53, 1, 1], [224, 3, 9, 8, 7], [12, 1, 0x78], [
      255,
    ]),
  );
  // A changed chaddr is written fresh, with zero padding.
  message.clientHardwareAddress = "aa:bb:cc:dd:ee:ff";
  assert.deepEqual(
    encodeMessage(message).subarray(28, 44),
    Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, ...zeros(10)),
  );
});

Deno.test("encodeMessage() pads to 300 bytes and writes option 82 last", () => {
  const message = decodeMessage(RELAYED_REQUEST);
  message.options.delete(50);
  message.options.setAs(12, text, "n"); // set after 82, still written before it
  const encoded = encodeMessage(message);
  assert.equal(encoded.length, 300);
  assert.deepEqual(
    trimPad(encoded).subarray(240),
    packet(
      [53, 1, 3], // message type
      [54, 4, 10, 0, 0, 2], // server identifier
      [61, 7, 1, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56], // client id
      [12, 1, 0x6e], // host name "n"
      [82, 12, 1, 4, ...ascii("eth0"), 2, 4, 0xde, 0xad, 0xbe, 0xef], // relay agent info
      [255], // end
    ),
  );
});

Deno.test("encodeMessage() splits an option over 255 bytes into fragments", () => {
  const message = decodeMessage(DHCLIENT_DISCOVER);
  const long = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
  message.options.set(43, long);
  const encoded = encodeMessage(message, { maxSize: 576 });
  const at = 240 + 3 + 6 + 7 + 15; // after 53, 50, 12, 55
  assert.deepEqual(encoded.subarray(at, at + 2), Uint8Array.of(43, 255));
  assert.deepEqual(encoded.subarray(at + 257, at + 259), Uint8Array.of(43, 45));
  assert.deepEqual(decodeMessage(encoded).options.get(43), long);
});
