import assert from "node:assert/strict";
import {
  macToBase64,
  parseMask,
  parseWireMac,
} from "../../lib/nats/addresses.ts";

// What text is a MAC or an IPv4 address is lib/net's rule, tested in
// tests/net/; here only the wire's own forms (base64 byte slices).

Deno.test("macToBase64() matches Go's encoding of net.HardwareAddr", () => {
  assert.equal(macToBase64("08:00:27:29:4e:67"), "CAAnKU5n");
  assert.equal(macToBase64("AA-BB-CC-DD-EE-FF"), "qrvM3e7/");
  assert.throws(() => macToBase64("8-0-27-29-4e-67"), TypeError);
});

Deno.test("parseWireMac() takes colon hex or base64 of 6 to 20 bytes", () => {
  assert.equal(parseWireMac("08:00:27:29:4e:67"), "08:00:27:29:4e:67");
  assert.equal(parseWireMac("08:00:27:29:4E:67"), "08:00:27:29:4e:67");
  assert.equal(parseWireMac("08-00-27-29-4E-67"), "08:00:27:29:4e:67");
  assert.equal(parseWireMac("CAAnKU5n"), "08:00:27:29:4e:67");
  assert.equal(parseWireMac("qrvM3e7_"), "aa:bb:cc:dd:ee:ff"); // URL-safe alphabet
  assert.equal(
    parseWireMac("ABEiM0RVZneImaq7zN3u/wARIjM="), // 20 bytes
    "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33",
  );
  assert.throws(() => parseWireMac(""), /base64 of 0 bytes, want 6 to 20/);
  assert.throws(() => parseWireMac("AQ=="), /base64 of 1 bytes, want 6 to 20/);
  assert.throws(() => parseWireMac("%%%"), /want colon hex or base64/);
  assert.throws(() => parseWireMac("A".repeat(40)), /base64 of 30 bytes/);
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
