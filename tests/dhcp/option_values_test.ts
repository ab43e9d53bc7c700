import assert from "node:assert/strict";
import { DhcpDecodeError } from "../../lib/dhcp/errors.ts";
import {
  bytes,
  classlessRoutes,
  clientArchList,
  clientNdi,
  clientUuid,
  domainList,
  ip,
  ipList,
  type OptionValueCodec,
  parameterList,
  pxeVendorOptions,
  relayAgentInfo,
  text,
  u16,
  u32,
  u8,
  userClass,
  vendorSubOptions,
} from "../../lib/dhcp/option_values.ts";
import { ascii } from "./_fixtures.ts";
import { assertDecodeError } from "./_round_trip.ts";

/** Decodes `raw`, checks the value, re-encodes and compares the bytes. */
function roundTrip<T>(codec: OptionValueCodec<T>, raw: number[], expected: T) {
  const value = codec.decode(Uint8Array.from(raw));
  assert.deepEqual(value, expected);
  assert.deepEqual([...codec.encode(value)], raw);
}

Deno.test("ip and ipList decode dotted quads (options 1, 3, 6, 28, 42, 50, 54)", () => {
  roundTrip(ip, [255, 255, 255, 0], "255.255.255.0"); // subnet mask
  roundTrip(ipList, [192, 168, 1, 1], ["192.168.1.1"]); // router
  roundTrip(ipList, [1, 1, 1, 1, 8, 8, 4, 4], ["1.1.1.1", "8.8.4.4"]); // DNS
  assertDecodeError(
    () => ip.decode(Uint8Array.of(1, 2, 3)),
    /expected 4 bytes for an IPv4 address but got 3 at offset 0/,
  );
  assertDecodeError(
    () => ipList.decode(Uint8Array.of(1, 2, 3, 4, 5)),
    /multiple of 4/,
  );
  assert.throws(() => ip.encode("1.2.3"), TypeError);
  assert.throws(() => ip.encode("1.2.3.256"), TypeError);
  assert.throws(() => ip.encode("1.2.3.4.5"), TypeError);
});

Deno.test("u8, u16 and u32 decode big-endian integers (options 53, 57, 51, 58, 59)", () => {
  roundTrip(u8, [5], 5); // message type ACK
  roundTrip(u16, [0x05, 0xc0], 1472); // max message size
  roundTrip(u32, [0xff, 0xff, 0xff, 0xff], 0xffffffff); // infinite lease
  roundTrip(u32, [0, 0, 0x0e, 0x10], 3600); // lease time
  assertDecodeError(
    () => u32.decode(Uint8Array.of(0, 0)),
    /expected 4 bytes for a 32-bit integer but got 2/,
  );
  assert.throws(() => u8.encode(256), RangeError);
  assert.throws(() => u32.encode(-1), RangeError);
});

Deno.test("text decodes UTF-8 and drops trailing NULs (options 12, 15, 60, 66, 67)", () => {
  roundTrip(text, ascii("node1"), "node1"); // host name
  roundTrip(text, [0x6e, 0xc3, 0xa9], "né"); // UTF-8
  assert.equal(text.decode(Uint8Array.of(0x61, 0x62, 0, 0)), "ab"); // "ab" NUL NUL
});

Deno.test("bytes copies opaque values (option 61)", () => {
  const raw = Uint8Array.of(1, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56); // type 1 + MAC
  const value = bytes.decode(raw);
  assert.deepEqual(value, raw);
  value[0] = 9;
  assert.equal(raw[0], 1);
});

Deno.test("parameterList reads option codes (option 55)", () => {
  roundTrip(parameterList, [1, 3, 6, 15, 66, 67], [1, 3, 6, 15, 66, 67]);
  assertDecodeError(
    () => parameterList.decode(new Uint8Array(0)),
    /parameter request list is empty/,
  );
});

Deno.test("clientArchList, clientNdi and clientUuid read PXE options (93, 94, 97)", () => {
  roundTrip(clientArchList, [0, 7, 0, 11], [7, 11]); // x64 UEFI, ARM64 UEFI
  roundTrip(clientNdi, [1, 3, 16], { type: 1, major: 3, minor: 16 }); // UNDI 3.16
  roundTrip(clientUuid, [
    ...[0], // type 0
    ...[0xa3, 0xa2, 0xa1, 0xa0], // time_low, little-endian (SMBIOS layout)
    ...[0xa5, 0xa4], // time_mid, little-endian
    ...[0xa7, 0xa6], // time_hi_and_version, little-endian
    ...[0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf], // clock_seq and node, as is
  ], "a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf");
  assertDecodeError(
    () => clientArchList.decode(Uint8Array.of(0)),
    /multiple of 2/,
  );
  assertDecodeError(
    () => clientUuid.decode(new Uint8Array(16)),
    /expected 17 bytes/,
  );
  assertDecodeError(
    () => clientUuid.decode(Uint8Array.of(1, ...new Uint8Array(16))),
    /type 1 is not 0/,
  );
  assert.throws(() => clientUuid.encode("not-a-uuid"), TypeError);
});

Deno.test("userClass reads RFC 3004 and the plain iPXE string (option 77)", () => {
  roundTrip(userClass, [4, ...ascii("iPXE"), 10, ...ascii("Tinkerbell")], [
    "iPXE",
    "Tinkerbell",
  ]);
  // iPXE sends the plain string; it re-encodes in RFC 3004 form.
  const plain = userClass.decode(Uint8Array.from(ascii("iPXE")));
  assert.deepEqual(plain, ["iPXE"]);
  assert.deepEqual([...userClass.encode(plain)], [4, ...ascii("iPXE")]);
  assertDecodeError(
    () => userClass.decode(new Uint8Array(0)),
    /user class is empty/,
  );
});

Deno.test("relayAgentInfo reads circuit and remote ID sub-options (option 82)", () => {
  const raw = [
    ...[1, 4, ...ascii("eth0")], // circuit id "eth0"
    ...[2, 2, 0xbe, 0xef], // remote id
  ];
  roundTrip(relayAgentInfo, raw, [
    { code: 1, data: Uint8Array.from(ascii("eth0")) },
    { code: 2, data: Uint8Array.of(0xbe, 0xef) },
  ]);
  assertDecodeError(
    () => relayAgentInfo.decode(Uint8Array.of(1, 9, 0)), // circuit id claims 9 bytes
    /sub-option 1 of length 9 runs past the end of the option at offset 0/,
  );
});

Deno.test("vendorSubOptions reads PXE (43) and iPXE (175) sub-options, skipping Pad, stopping at End", () => {
  roundTrip(vendorSubOptions, [6, 1, 8], [{ code: 6, data: Uint8Array.of(8) }]); // PXE discovery control 8
  const withEnd = Uint8Array.of(
    0, // pad
    0xb1,
    1,
    1, // iPXE 177 = 1
    255, // end
    9,
    9, // ignored after End
  );
  assert.deepEqual(vendorSubOptions.decode(withEnd), [{
    code: 0xb1,
    data: Uint8Array.of(1),
  }]);
  assertDecodeError(
    () => vendorSubOptions.decode(Uint8Array.of(6)),
    /sub-option 6 has no length byte/,
  );
});

Deno.test("domainList follows compression pointers and compresses on encode (option 119)", () => {
  const raw = [
    ...[7, ...ascii("example"), 3, ...ascii("com"), 0], // "example.com" at 0
    ...[3, ...ascii("eng"), 0xc0, 0], // "eng" + pointer to 0
    ...[2, ...ascii("us"), 0xc0, 13], // "us" + pointer to 13 ("eng.example.com")
  ];
  roundTrip(domainList, raw, [
    "example.com",
    "eng.example.com",
    "us.eng.example.com",
  ]);
  assert.deepEqual(
    [...domainList.encode(["a.b", "c.a.b."])],
    [1, 0x61, 1, 0x62, 0, 1, 0x63, 0xc0, 0], // trailing dot ignored
  );
});

Deno.test("domainList rejects pointer loops and names running past the end (option 119)", () => {
  assertDecodeError(
    () => domainList.decode(Uint8Array.of(0xc0, 0)),
    /compression pointers form a loop at offset 0/,
  );
  assertDecodeError(
    () => domainList.decode(Uint8Array.of(1, 0x61, 0xc0, 4, 0xc0, 0)), // a -> 4 -> 0 -> a ...
    /compression pointers form a loop/,
  );
  assertDecodeError(
    () => domainList.decode(Uint8Array.of(0xc0, 9)),
    /points past the end/,
  );
  assertDecodeError(
    () => domainList.decode(Uint8Array.of(3, 0x61)),
    /label runs past the end/,
  );
  assertDecodeError(
    () => domainList.decode(Uint8Array.of(1, 0x61)),
    /domain name runs past the end/,
  );
  assertDecodeError(
    () => domainList.decode(Uint8Array.of(0x40)),
    /label type 0x40 is not supported/,
  );
  assert.throws(() => domainList.encode(["a..b"]), TypeError);
});

Deno.test("classlessRoutes reads RFC 3442 routes (option 121)", () => {
  roundTrip(classlessRoutes, [
    ...[24, 192, 168, 2, 10, 0, 0, 1], // 192.168.2.0/24 via 10.0.0.1
    ...[0, 10, 0, 0, 254], // default via 10.0.0.254
    ...[32, 1, 2, 3, 4, 0, 0, 0, 0], // host route, on-link
  ], [
    { destination: "192.168.2.0/24", router: "10.0.0.1" },
    { destination: "0.0.0.0/0", router: "10.0.0.254" },
    { destination: "1.2.3.4/32", router: "0.0.0.0" },
  ]);
  assert.deepEqual(
    [...classlessRoutes.encode([{
      destination: "10.1.2.3/12",
      router: "10.0.0.1",
    }])],
    [12, 10, 0, 10, 0, 0, 1], // host bits masked off
  );
  assertDecodeError(
    () => classlessRoutes.decode(Uint8Array.of(33, 0, 0, 0, 0, 0, 0, 0, 0)),
    /width 33 is over 32/,
  );
  assertDecodeError(
    () => classlessRoutes.decode(Uint8Array.of(24, 10, 0, 0, 1)),
    /route runs past the end/,
  );
  assert.throws(
    () =>
      classlessRoutes.encode([{ destination: "10.0.0.0", router: "1.1.1.1" }]),
    TypeError,
  );
});

Deno.test("value codec errors are DhcpDecodeError with the value offset", () => {
  const error = assertDecodeError(
    () => classlessRoutes.decode(Uint8Array.of(8, 10, 1, 1, 1, 1, 40)),
    "Cannot decode DHCP option value: route prefix width 40 is over 32 at offset 6",
  );
  assert.ok(error instanceof DhcpDecodeError);
  assert.equal(error.offset, 6);
});

Deno.test("pxeVendorOptions reads and writes option 43 as dnsmasq sends it, End included", () => {
  // Captured from dnsmasq 2.90 (tests/testdata/golden/pxe_02_offer.bin).
  const raw = [
    ...[10, 15], // sub-option 10: PXE menu prompt, 15 bytes
    ...[0], // timeout 0
    ...ascii("Booting golden"), // prompt
    ...[255], // end
  ];
  roundTrip(pxeVendorOptions, raw, [
    { code: 10, data: Uint8Array.from([0, ...ascii("Booting golden")]) },
  ]);
  // The plain codec writes no End.
  assert.deepEqual([
    ...vendorSubOptions.encode([{ code: 6, data: Uint8Array.of(8) }]),
  ], [6, 1, 8]);
});
