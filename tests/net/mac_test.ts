import assert from "node:assert/strict";
import { hexNumber } from "../../lib/bytes/hex.ts";
import { seededRandom, sometimesDamaged } from "../_helpers/seeded_random.ts";
import {
  canonicalMac,
  formatMac,
  isMac,
  MAC_MAX_OCTETS,
  MAC_MIN_OCTETS,
  normalizeMac,
  parseHardwareAddress,
  parseMac,
} from "../../lib/net/mac.ts";

const TWENTY = "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33";

Deno.test("normalizeMac() accepts hex pairs separated by ':' or '-' in any case", () => {
  assert.equal(normalizeMac("08:00:27:29:4e:67"), "08:00:27:29:4e:67");
  assert.equal(normalizeMac("08:00:27:29:4E:67"), "08:00:27:29:4e:67");
  assert.equal(normalizeMac("08-00-27-29-4e-67"), "08:00:27:29:4e:67");
  assert.equal(normalizeMac("08-00-27-29-4E-67"), "08:00:27:29:4e:67");
  assert.equal(normalizeMac("AA:BB:CC:DD:EE:FF"), "aa:bb:cc:dd:ee:ff");
  assert.equal(
    normalizeMac("00:11:22:33:44:55:66:77"),
    "00:11:22:33:44:55:66:77",
  );
  assert.equal(normalizeMac(TWENTY), TWENTY);
  assert.equal(normalizeMac(TWENTY.toUpperCase().replaceAll(":", "-")), TWENTY);
});

Deno.test("normalizeMac() refuses every form outside the rule, each old module's quirk included", () => {
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
      " 08:00:27:29:4e:67",
      "08:00:27:29:4e:67\n",
      "CAAnKU5n", // base64: the wire format's business, not a MAC's
      // nats/addresses.ts took one-digit octets; the rule wants pairs.
      "8-0-27-29-4e-67",
      "8:0:27:29:4e:67",
      // cli/values.ts took bare hex and any separator anywhere.
      "080027294e67",
      "0800:2729:4e67",
      // Mixed separators (nats/addresses.ts and the codec took them).
      "08:00-27:29:4e:67",
      // Fewer than 6 octets (nats/addresses.ts took 2 or more).
      "08:00:27:29:4e",
      "08:00",
      // More than 20.
      TWENTY + ":44",
      // Cisco's dotted form, spaces, other separators.
      "0800.2729.4e67",
      "08 00 27 29 4e 67",
      "08.00.27.29.4e.67",
      "08_00_27_29_4e_67",
    ]
  ) {
    assert.equal(normalizeMac(bad), undefined, bad);
    assert.equal(isMac(bad), false, bad);
    assert.throws(() => parseMac(bad), TypeError, bad);
    assert.throws(() => canonicalMac(bad), /Cannot parse MAC address/, bad);
  }
});

Deno.test("normalizeMac() returns the very string when it is already normal", () => {
  const text = ["08", "00", "27", "29", "4e", "67"].join(":");
  assert.equal(normalizeMac(text), text);
});

Deno.test("parseMac() and formatMac() convert between text and 6 to 20 bytes", () => {
  assert.deepEqual(
    [...parseMac("08-00-27-29-4E-67")],
    [8, 0, 0x27, 0x29, 0x4e, 0x67],
  );
  assert.equal(parseMac(TWENTY).length, MAC_MAX_OCTETS);
  assert.equal(parseMac("01:02:03:04:05:06").length, MAC_MIN_OCTETS);
  assert.equal(
    formatMac(Uint8Array.of(8, 0, 0x27, 0x29, 0x4e, 0x67)),
    "08:00:27:29:4e:67",
  );
  assert.equal(formatMac(new Uint8Array(0)), "");
  assert.throws(
    () => parseMac("zz"),
    /^TypeError: Cannot parse MAC address "zz": want 6 to 20 hex pairs separated by ':' or '-', like 08:00:27:29:4e:67$/,
  );
});

Deno.test("parseHardwareAddress() takes the MAC syntax with any number of octets", () => {
  assert.equal(parseHardwareAddress("").length, 0);
  assert.deepEqual([...parseHardwareAddress("0A")], [10]);
  assert.deepEqual([...parseHardwareAddress("01-02")], [1, 2]);
  assert.equal(parseHardwareAddress(TWENTY + ":44").length, 21);
  for (const bad of ["1", "1:2", "01:02-03", "01:", "01::02", "0102", " 01"]) {
    assert.throws(
      () => parseHardwareAddress(bad),
      /Cannot parse hardware address/,
      bad,
    );
  }
});

Deno.test("the MAC scan agrees with the rule written as a regular expression", () => {
  // A differential test of the hand-written scan against the readable rule.
  const RULE =
    /^[0-9a-fA-F]{2}(?:([:-])[0-9a-fA-F]{2})(?:\1[0-9a-fA-F]{2}){4,18}$/;
  const chars = "0aF9g:-:-. ";
  const random = seededRandom(7);
  let accepted = 0;
  for (let round = 0; round < 20_000; round++) {
    const octets = 1 + random(22);
    const sep = random(2) ? ":" : "-";
    const hex = Array.from(
      { length: octets },
      () => hexNumber(random(256), 2),
    ).join(sep);
    const text = sometimesDamaged(
      random(4) ? hex : hex.toUpperCase(),
      random,
      chars,
    );
    const want = RULE.test(text);
    if (want) accepted++;
    assert.equal(isMac(text), want, text);
    assert.equal(
      normalizeMac(text),
      want ? text.toLowerCase().replaceAll("-", ":") : undefined,
      text,
    );
    if (want) assert.equal(formatMac(parseMac(text)), normalizeMac(text));
  }
  assert.ok(accepted > 1000, `only ${accepted} accepted cases`);
});
