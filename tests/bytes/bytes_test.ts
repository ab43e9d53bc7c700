import assert from "node:assert/strict";
import { allocBytes, bytesFrom, copyBytes } from "../../lib/bytes/alloc.ts";
import {
  decodeHex,
  encodeHex,
  formatHex,
  hexDigitValue,
  hexNumber,
} from "../../lib/bytes/hex.ts";
import { decodeUtf8, encodeUtf8, writeUtf8 } from "../../lib/bytes/utf8.ts";

Deno.test("allocBytes - zero-filled views that never overlap, across slabs", () => {
  const seen: Uint8Array[] = [];
  for (let i = 0; i < 400; i++) {
    const b = allocBytes(300);
    assert.equal(b.length, 300);
    assert.ok(b.every((x) => x === 0));
    b.fill(i & 0xff);
    seen.push(b);
  }
  // Writing every view did not touch another one.
  seen.forEach((b, i) => assert.ok(b.every((x) => x === (i & 0xff))));
  assert.equal(allocBytes(10_000).byteOffset, 0); // large: its own buffer
});

Deno.test("copyBytes and bytesFrom - copies, not views", () => {
  const source = Uint8Array.of(1, 2, 3, 4, 5);
  const copy = copyBytes(source, 1, 4);
  source[2] = 9;
  assert.deepEqual([...copy], [2, 3, 4]);
  assert.deepEqual([...copyBytes(source)], [1, 2, 9, 4, 5]);
  assert.deepEqual([...bytesFrom([1, 256 + 2])], [1, 2]);
});

Deno.test("encodeUtf8 and writeUtf8 - the same bytes as TextEncoder", () => {
  const enc = new TextEncoder();
  for (
    const text of [
      "",
      "host-1.example.com",
      "héllo",
      "日本",
      "a\ud800b",
      "x".repeat(5000),
    ]
  ) {
    assert.deepEqual([...encodeUtf8(text)], [...enc.encode(text)], text);
  }
  const buf = new Uint8Array(8);
  assert.equal(writeUtf8("héllo", buf, 1, 6), 6);
  assert.deepEqual([...buf.subarray(1, 7)], [...enc.encode("héllo")]);
  assert.equal(writeUtf8("héllo", buf, 0, 5), -1);
  assert.equal(writeUtf8("abcdef", buf, 0, 5), -1);
});

Deno.test("formatHex - lower-case colon hex", () => {
  assert.equal(
    formatHex(Uint8Array.of(0x52, 0x54, 0, 0xab), 0, 4),
    "52:54:00:ab",
  );
  assert.equal(formatHex(Uint8Array.of(1, 2, 3), 1, 2), "02:03");
  assert.equal(formatHex(new Uint8Array(0), 0, 0), "");
});

Deno.test("encodeHex and decodeHex - plain hex both ways, either case in", () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const hex = encodeHex(all);
  assert.equal(hex.length, 512);
  assert.equal(hex.slice(0, 8), "00010203");
  assert.deepEqual(decodeHex(hex), all);
  assert.deepEqual(decodeHex(hex.toUpperCase()), all);
  assert.equal(encodeHex(new Uint8Array(0)), "");
  assert.equal(decodeHex("").length, 0);
  for (const bad of ["0", "abc", "0g", "0x00", " 00", "00 "]) {
    assert.throws(() => decodeHex(bad), /^TypeError: Cannot decode hex/, bad);
  }
});

Deno.test("hexDigitValue and hexNumber - digits and padded numbers", () => {
  for (let c = 0; c < 128; c++) {
    const char = String.fromCharCode(c);
    const want = /^[0-9a-fA-F]$/.test(char) ? parseInt(char, 16) : -1;
    assert.equal(hexDigitValue(c), want, char);
  }
  assert.equal(hexNumber(0x2a, 8), "0000002a");
  assert.equal(hexNumber(0xdeadbeef, 8), "deadbeef");
  assert.equal(hexNumber(0x40), "40");
});

Deno.test("decodeUtf8 - the same text as TextDecoder, short ASCII or not", () => {
  const dec = new TextDecoder();
  for (
    const text of ["", "pxe", "héllo", "x".repeat(100), "\u{1f600}", "a\0b"]
  ) {
    const bytes = new TextEncoder().encode(`..${text}..`);
    assert.equal(decodeUtf8(bytes, 2, bytes.length - 2), text);
  }
  const bad = Uint8Array.of(0x61, 0xff, 0x62);
  assert.equal(decodeUtf8(bad, 0, 3), dec.decode(bad));
});
