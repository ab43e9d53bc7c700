import assert from "node:assert/strict";
import { decodeBase64, encodeBase64 } from "../../lib/cloudevents/_base64.ts";

Deno.test("encodeBase64() matches btoa for every length and byte", () => {
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
    ]
  ) {
    assert.throws(() => decodeBase64(bad), /is not base64/, bad);
  }
});
