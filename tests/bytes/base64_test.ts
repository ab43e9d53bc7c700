import assert from "node:assert/strict";
import { seededRandom } from "../_helpers/seeded_random.ts";
import { decodeBase64, encodeBase64 } from "../../lib/bytes/base64.ts";

Deno.test("encodeBase64() and decodeBase64() match btoa for every length and byte", () => {
  for (let n = 0; n <= 64; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
    const expected = btoa(String.fromCharCode(...bytes));
    assert.equal(encodeBase64(bytes), expected);
    assert.deepEqual(decodeBase64(expected), bytes);
    assert.deepEqual(decodeBase64(expected.replace(/=+$/, "")), bytes);
    assert.deepEqual(
      decodeBase64(expected.replaceAll("+", "-").replaceAll("/", "_")),
      bytes,
    );
  }
});

Deno.test("decodeBase64() rejects what is not base64", () => {
  for (
    const bad of [
      "a",
      "abcde",
      "ab=c",
      "%%%%",
      "abc===",
      "a===",
      "ab\u00ffc",
      "ab c",
      "Qw=", // padding that does not complete the group
      "QUJD=",
    ]
  ) {
    assert.throws(() => decodeBase64(bad), /is not base64/, bad);
  }
});

Deno.test("decodeBase64() agrees with Uint8Array.fromBase64 on random input", () => {
  // A differential test: the hand-made decoder against the built-in it
  // stands in for, on valid text (both alphabets, padded or not) and on
  // random text over the alphabet, "=" and a few stray characters.
  const random = seededRandom(42);
  for (let round = 0; round < 2000; round++) {
    const bytes = Uint8Array.from({ length: random(40) }, () => random(256));
    const padded = bytes.toBase64();
    const url = bytes.toBase64({ alphabet: "base64url", omitPadding: true });
    assert.deepEqual(decodeBase64(padded), bytes);
    assert.deepEqual(decodeBase64(url), bytes);
    assert.deepEqual(
      decodeBase64(url),
      Uint8Array.fromBase64(url, { alphabet: "base64url" }),
    );
  }
  const chars = "AQgw+/=%.";
  for (let round = 0; round < 5000; round++) {
    const text = Array.from(
      { length: random(12) },
      () => chars[random(chars.length)],
    ).join("");
    let expected: Uint8Array | undefined;
    try {
      expected = Uint8Array.fromBase64(text);
    } catch {
      expected = undefined;
    }
    let actual: Uint8Array | undefined;
    try {
      actual = decodeBase64(text);
    } catch {
      actual = undefined;
    }
    assert.deepEqual(actual, expected, text);
  }
});
