import assert from "node:assert/strict";
import {
  bytesToMac,
  isIPv4,
  macToBase64,
  macToBytes,
  parseMac,
  parseMask,
} from "../../lib/nats/addresses.ts";

Deno.test("macToBytes() reads colon and dash hex in any case", () => {
  assert.deepEqual([...macToBytes("08:00:27:29:4E:67")], [
    8,
    0,
    0x27,
    0x29,
    0x4e,
    0x67,
  ]);
  assert.deepEqual([...macToBytes("8-0-27-29-4e-67")], [
    8,
    0,
    0x27,
    0x29,
    0x4e,
    0x67,
  ]);
  assert.equal(
    macToBytes("00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33")
      .length,
    20,
  );
  for (
    const bad of [
      "",
      "08",
      "08:",
      ":08:00",
      "08::00",
      "080:00",
      "0g:00",
      "08:00 ",
      "CAAnKU5n",
    ]
  ) {
    assert.throws(() => macToBytes(bad), TypeError, bad);
  }
});

Deno.test("bytesToMac() and macToBase64() match Go's encodings", () => {
  assert.equal(
    bytesToMac(new Uint8Array([8, 0, 0x27, 0x29, 0x4e, 0x67])),
    "08:00:27:29:4e:67",
  );
  assert.equal(macToBase64("08:00:27:29:4e:67"), "CAAnKU5n");
  assert.equal(macToBase64("aa:bb:cc:dd:ee:ff"), "qrvM3e7/");
});

Deno.test("parseMac() takes colon hex or base64 of 1 to 20 bytes", () => {
  assert.equal(parseMac("08:00:27:29:4e:67"), "08:00:27:29:4e:67");
  assert.equal(parseMac("08:00:27:29:4E:67"), "08:00:27:29:4e:67");
  assert.equal(parseMac("CAAnKU5n"), "08:00:27:29:4e:67");
  assert.equal(parseMac("qrvM3e7_"), "aa:bb:cc:dd:ee:ff"); // URL-safe alphabet
  assert.throws(() => parseMac(""), /base64 of 0 bytes/);
  assert.throws(() => parseMac("%%%"), /want colon hex or base64/);
  assert.throws(() => parseMac("A".repeat(40)), /base64 of 30 bytes/);
});

Deno.test("isIPv4() accepts dotted quads only", () => {
  for (const ok of ["0.0.0.0", "192.168.2.153", "255.255.255.255"]) {
    assert.equal(isIPv4(ok), true, ok);
  }
  for (
    const bad of [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "256.1.1.1",
      "1..2.3",
      "1.2.3.",
      "01234.1.1.1",
      "a.b.c.d",
      " 1.2.3.4",
      "::1",
    ]
  ) {
    assert.equal(isIPv4(bad), false, bad);
  }
});

Deno.test("parseMask() reads dotted and Go's base64 masks of 4 or 16 bytes", () => {
  assert.equal(parseMask("255.255.255.0"), "255.255.255.0");
  assert.equal(parseMask("////AA=="), "255.255.255.0");
  assert.equal(parseMask("/////////////////////w=="), "255.255.255.255");
  assert.equal(parseMask("AAAAAAAAAAAAAAAA////AA=="), "255.255.255.0");
  assert.throws(() => parseMask("////"), /base64 of 3 bytes, want 4 or 16/);
  assert.throws(() => parseMask("mask"), /base64 of 3 bytes/);
  assert.throws(() => parseMask("%%"), /want dotted quad or base64/);
});
