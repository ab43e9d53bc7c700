import assert from "node:assert/strict";
import {
  DEFAULT_MAC_RATE_LIMIT,
  MacRateLimiter,
} from "../../lib/backend/mac_rate_limit.ts";

Deno.test("MacRateLimiter - a burst, then the rate, per MAC", () => {
  let now = 0;
  const limiter = new MacRateLimiter({
    perSecond: 2,
    burst: 3,
    now: () => now,
  });
  const a = "52:54:00:00:00:01";
  const b = "52:54:00:00:00:02";
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.allow(a)), [
    true,
    true,
    true,
    false,
  ]);
  assert.equal(limiter.allow(b), true, "another MAC has its own bucket");
  now = 499;
  assert.equal(limiter.allow(a), false);
  now = 500; // one token back at 2 a second
  assert.equal(limiter.allow(a), true);
  assert.equal(limiter.allow(a), false);
  now = 100_000; // refilled to the burst, not beyond
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.allow(a)), [
    true,
    true,
    true,
    false,
  ]);
  assert.equal(limiter.refused, 4);
});

Deno.test("MacRateLimiter - memory is bounded: least recently seen MACs are forgotten", () => {
  const limiter = new MacRateLimiter({ maxMacs: 100, now: () => 0 });
  for (let i = 0; i < 10_000; i++) limiter.allow(`mac-${i}`);
  assert.ok(limiter.size <= 100, `${limiter.size} MACs kept`);
});

Deno.test("MacRateLimiter - perSecond 0 turns it off; bad settings are refused", () => {
  const off = new MacRateLimiter({ perSecond: 0 });
  assert.equal(off.enabled, false);
  for (let i = 0; i < 1000; i++) assert.equal(off.allow("x"), true);
  assert.throws(
    () => new MacRateLimiter({ burst: -1 }),
    /^RangeError: Invalid MAC rate limit burst -1: it must be a number of 0 or more$/,
  );
  assert.deepEqual(DEFAULT_MAC_RATE_LIMIT, {
    perSecond: 2,
    burst: 10,
    maxMacs: 65536,
  });
});

/** A BOOTREQUEST header with `mac` in chaddr and hardware length `hlen`. */
function header(mac: number[], hlen = 6): Uint8Array {
  const packet = new Uint8Array(240);
  packet.set([1, 1, hlen, 0], 0); // op, htype, hlen, hops
  packet.set(mac, 28); // chaddr
  return packet;
}

Deno.test("MacRateLimiter.refuses() reads chaddr: refuses a MAC out of lookups, takes no token", () => {
  let now = 0;
  const limiter = new MacRateLimiter({
    perSecond: 2,
    burst: 2,
    now: () => now,
  });
  const mac = "52:54:00:00:ab:01";
  const packet = header([0x52, 0x54, 0, 0, 0xab, 1]);
  assert.equal(limiter.refuses(packet), false, "an unknown MAC goes ahead");
  assert.equal(limiter.allow(mac), true);
  assert.equal(limiter.refuses(packet), false, "one token left");
  assert.equal(limiter.refuses(packet), false, "peeking takes none");
  assert.equal(limiter.allow(mac), true);
  assert.equal(limiter.refuses(packet), true, "out of tokens");
  assert.equal(
    limiter.refuses(header([0x52, 0x54, 0, 0, 0xab, 2])),
    false,
    "another MAC",
  );
  assert.equal(
    limiter.refuses(header([0x52, 0x54, 0, 0, 0xab, 1], 16)),
    false,
    "hlen 16: not a 6-octet MAC, left to the decoder",
  );
  assert.equal(limiter.refuses(packet.subarray(0, 33)), false, "too short");
  now = 500;
  assert.equal(limiter.refuses(packet), false, "a token is back");
  assert.equal(limiter.refused, 1);
  assert.equal(new MacRateLimiter({ perSecond: 0 }).refuses(packet), false);
});
