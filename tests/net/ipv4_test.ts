import assert from "node:assert/strict";
import { seededRandom, sometimesDamaged } from "../_helpers/seeded_random.ts";
import {
  formatIpv4,
  ipv4FromNumber,
  ipv4ToNumber,
  isIpv4,
  isIpv4Mask,
  parseIpv4Cidr,
  writeIpv4,
} from "../../lib/net/ipv4.ts";

Deno.test("isIpv4() accepts dotted quads of 0-255 without leading zeros", () => {
  for (
    const ok of [
      "0.0.0.0",
      "1.2.3.4",
      "10.0.0.1",
      "192.168.2.153",
      "255.255.255.255",
      "100.200.250.199",
    ]
  ) {
    assert.equal(isIpv4(ok), true, ok);
  }
});

Deno.test("isIpv4() refuses every form outside the rule, each old module's quirk included", () => {
  for (
    const bad of [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "256.1.1.1",
      "192.168.2.300",
      "1..2.3",
      "1.2.3.",
      ".1.2.3",
      "01234.1.1.1",
      "1234.1.1.1",
      "a.b.c.d",
      " 1.2.3.4",
      "1.2.3.4 ",
      "::1",
      "+1.2.3.4",
      "1.2.3.-4",
      "1e2.0.0.1",
      "0x7f.0.0.1",
      "1.2.3.4/24",
      "10.1",
      "\uff11.2.3.4", // a full-width digit
      // Leading zeros: nats/addresses.ts and the codec's writeIp took them.
      "010.0.0.1",
      "1.2.3.04",
      "00.0.0.0",
      "192.168.002.001",
    ]
  ) {
    assert.equal(isIpv4(bad), false, bad);
    assert.equal(ipv4ToNumber(bad), -1, bad);
    assert.throws(
      () => writeIpv4(bad, new Uint8Array(4), 0),
      /^TypeError: Cannot encode IPv4 address .*: not a dotted quad/,
      bad,
    );
  }
});

Deno.test("writeIpv4(), formatIpv4() and the number forms round-trip", () => {
  let seed = 3;
  const buf = new Uint8Array(8);
  for (let round = 0; round < 5000; round++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const value = round < 2 ? [0, 0xffffffff][round] : seed;
    const text = ipv4FromNumber(value);
    assert.equal(ipv4ToNumber(text), value, text);
    writeIpv4(text, buf, 3);
    assert.equal(formatIpv4(buf, 3), text);
    assert.equal(
      (buf[3] * 2 ** 24) + (buf[4] << 16) + (buf[5] << 8) + buf[6],
      value,
    );
  }
  assert.equal(formatIpv4(new Uint8Array(4), 0), "0.0.0.0");
});

Deno.test("the IPv4 scan agrees with the rule written as a regular expression", () => {
  const RULE =
    /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
  const chars = "0123456789. a";
  const random = seededRandom(11);
  let accepted = 0;
  for (let round = 0; round < 50_000; round++) {
    // Parts of 0-399, now and then with a leading zero; 3 to 5 of them.
    const text = sometimesDamaged(
      Array.from(
        { length: 3 + random(3) },
        () => (random(8) ? "" : "0") + random(400),
      ).join("."),
      random,
      chars,
    );
    const want = RULE.test(text);
    if (want) accepted++;
    assert.equal(isIpv4(text), want, text);
  }
  assert.ok(accepted > 100, `only ${accepted} accepted cases`);
});

Deno.test("parseIpv4Cidr() takes an address under the rule and a prefix of 0 to 32", () => {
  assert.deepEqual(parseIpv4Cidr("10.0.0.0/8"), {
    address: "10.0.0.0",
    prefixLength: 8,
  });
  assert.deepEqual(parseIpv4Cidr("0.0.0.0/0"), {
    address: "0.0.0.0",
    prefixLength: 0,
  });
  assert.equal(parseIpv4Cidr("192.168.2.1/32")?.prefixLength, 32);
  for (
    const bad of [
      "",
      "10.0.0.0",
      "10.0.0.0/",
      "10.0.0.0/33",
      "10.0.0.0/08",
      "10.0.0.0/8/8",
      "010.0.0.0/8",
      "10.0.0/8",
      "/8",
      "10.0.0.0/-1",
      "10.0.0.0/ 8",
    ]
  ) {
    assert.equal(parseIpv4Cidr(bad), undefined, bad);
  }
});

Deno.test("isIpv4Mask() takes IPv4 addresses whose one bits are contiguous", () => {
  for (let prefix = 0; prefix <= 32; prefix++) {
    const mask = ipv4FromNumber(prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0);
    assert.equal(isIpv4Mask(mask), true, mask);
  }
  for (
    const bad of ["255.0.255.0", "0.0.0.255", "255.255.255.253", "255.255.255"]
  ) {
    assert.equal(isIpv4Mask(bad), false, bad);
  }
});
