import assert from "node:assert/strict";
import { MemoryBackend } from "../../lib/backend/memory_backend.ts";
import type { Backend } from "../../lib/backend/backend.ts";
import type { Reservation } from "../../lib/backend/reservation.ts";
import { decodeMessage } from "../../lib/dhcp/message.ts";
import {
  FROM_CLIENT,
  HOST,
  ipAt,
  MAC,
  memoryLogger,
  processor,
  rawOptions,
  request,
  SERVER_IP,
  textOf,
} from "./_support.ts";

const ip = (s: string) => s.split(".").map(Number);
const u32 = (
  n: number,
) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

Deno.test("server - DISCOVER gets an OFFER with the reservation, broadcast to port 68", async () => {
  const out = await processor().process(request(1), FROM_CLIENT);
  assert.ok(out);
  const b = out.bytes;
  assert.equal(b[0], 2); // op BOOTREPLY
  assert.deepEqual(Array.from(b.subarray(4, 8)), [0x12, 0x34, 0x56, 0x78]); // xid
  assert.equal(ipAt(b, 16), "192.168.2.153"); // yiaddr
  assert.equal(ipAt(b, 20), "0.0.0.0"); // siaddr: not a netboot client
  assert.equal(b[108], 0); // file empty
  const o = rawOptions(b);
  assert.deepEqual(o.get(53), [2]);
  assert.deepEqual(o.get(54), ip(SERVER_IP));
  assert.deepEqual(o.get(51), u32(3600));
  assert.deepEqual(o.get(58), u32(1800));
  assert.deepEqual(o.get(59), u32(3150));
  assert.deepEqual(o.get(1), ip("255.255.255.0"));
  assert.deepEqual(o.get(3), ip("192.168.2.1"));
  assert.deepEqual(o.get(6), [...ip("8.8.8.8"), ...ip("1.1.1.1")]);
  assert.equal(textOf(o.get(12)), "pxe-virtualbox");
  assert.equal(textOf(o.get(15)), "example.com");
  assert.deepEqual(o.get(28), ip("192.168.2.255"));
  assert.deepEqual(o.get(42), ip("132.163.96.2"));
  assert.deepEqual(o.get(119), [
    7,
    ...new TextEncoder().encode("example"),
    3,
    99,
    111,
    109,
    0,
  ]);
  assert.deepEqual(o.order.slice(0, 5), [53, 54, 51, 58, 59]);
  for (const code of [43, 60, 66, 67]) {
    assert.equal(o.has(code), false, `option ${code}`);
  }
  assert.deepEqual(out.destination, {
    address: "255.255.255.255",
    port: 68,
    rule: "broadcast",
  });
});

Deno.test("server - REQUEST for the reserved address with our server id gets an ACK", async () => {
  const p = processor();
  const out = await p.process(
    request(3, [[50, ip(HOST.ipAddress)], [54, ip(SERVER_IP)]]),
    FROM_CLIENT,
  );
  assert.ok(out);
  assert.deepEqual(rawOptions(out.bytes).get(53), [5]);
  assert.equal(ipAt(out.bytes, 16), HOST.ipAddress);
  assert.deepEqual(p.counters.snapshot().packetsIn, { REQUEST: 1 });
  assert.deepEqual(p.counters.snapshot().lookups, { found: 1 });
});

Deno.test("server - REQUEST for another address gets a broadcast NAK with only 53, 54, 56", async () => {
  const out = await processor().process(
    request(3, [[50, ip("192.168.2.99")], [54, ip(SERVER_IP)]]),
    FROM_CLIENT,
  );
  assert.ok(out);
  const o = rawOptions(out.bytes);
  assert.deepEqual(o.get(53), [6]);
  assert.deepEqual(o.order, [53, 54, 56]);
  assert.match(textOf(o.get(56))!, /192\.168\.2\.99/);
  assert.equal(ipAt(out.bytes, 16), "0.0.0.0");
  assert.equal(ipAt(out.bytes, 12), "0.0.0.0");
  assert.deepEqual(out.destination, {
    address: "255.255.255.255",
    port: 68,
    rule: "broadcast",
  });
});

Deno.test("server - REQUEST in RENEWING state is checked against ciaddr", async () => {
  const p = processor();
  const ok = await p.process(
    request(3, [], { clientIp: HOST.ipAddress }),
    FROM_CLIENT,
  );
  assert.ok(ok);
  assert.deepEqual(rawOptions(ok.bytes).get(53), [5]);
  assert.equal(ipAt(ok.bytes, 12), HOST.ipAddress); // ciaddr kept in the ACK
  assert.deepEqual(ok.destination, {
    address: HOST.ipAddress,
    port: 68,
    rule: "ciaddr",
  });
  const nak = await p.process(
    request(3, [], { clientIp: "192.168.2.7" }),
    FROM_CLIENT,
  );
  assert.ok(nak);
  assert.deepEqual(rawOptions(nak.bytes).get(53), [6]);
  assert.equal(nak.destination.address, "255.255.255.255");
});

Deno.test("server - REQUEST naming another server is ignored without a lookup", async () => {
  const backend = new MemoryBackend([HOST]);
  const p = processor(backend);
  const out = await p.process(
    request(3, [[50, ip(HOST.ipAddress)], [54, ip("192.168.2.254")]]),
    FROM_CLIENT,
  );
  assert.equal(out, undefined);
  assert.equal(backend.lookupCount, 0);
  assert.deepEqual(p.counters.snapshot().drops, { otherServer: 1 });
});

Deno.test("server - INFORM gets an ACK without yiaddr or lease times, unicast to ciaddr", async () => {
  const out = await processor().process(
    request(8, [], { clientIp: "192.168.2.153" }),
    FROM_CLIENT,
  );
  assert.ok(out);
  const o = rawOptions(out.bytes);
  assert.deepEqual(o.get(53), [5]);
  assert.equal(ipAt(out.bytes, 16), "0.0.0.0");
  for (const code of [51, 58, 59]) assert.equal(o.has(code), false);
  assert.deepEqual(o.get(1), ip("255.255.255.0"));
  assert.deepEqual(out.destination, {
    address: "192.168.2.153",
    port: 68,
    rule: "ciaddr",
  });
});

Deno.test("server - RELEASE and DECLINE are counted and logged, never answered", async () => {
  const backend = new MemoryBackend([HOST]);
  const log = memoryLogger("info");
  const p = processor(backend, {}, log);
  assert.equal(
    await p.process(
      request(7, [[54, ip(SERVER_IP)]], { clientIp: HOST.ipAddress }),
      FROM_CLIENT,
    ),
    undefined,
  );
  assert.equal(
    await p.process(request(4, [[50, ip(HOST.ipAddress)]]), FROM_CLIENT),
    undefined,
  );
  assert.deepEqual(p.counters.snapshot().packetsIn, { RELEASE: 1, DECLINE: 1 });
  assert.equal(backend.lookupCount, 0);
  assert.equal(log.lines.filter((l) => /release|decline/.test(l)).length, 2);
  const decline = JSON.parse(log.lines.find((l) => l.includes("decline"))!);
  assert.equal(decline.level, "warn");
  assert.equal(decline.address, HOST.ipAddress);
});

Deno.test("server - unknown MAC gets no reply and a debug line", async () => {
  const log = memoryLogger("debug");
  const p = processor(new MemoryBackend([]), {}, log);
  assert.equal(await p.process(request(1), FROM_CLIENT), undefined);
  const c = p.counters.snapshot();
  assert.deepEqual(c.drops, { unknownMac: 1 });
  assert.deepEqual(c.lookups, { not_found: 1 });
  const line = JSON.parse(log.lines.find((l) => l.includes("no reservation"))!);
  assert.equal(line.level, "debug");
  assert.equal(line.mac, MAC);
});

Deno.test("server - backend error gets no reply and a warn line with the reason", async () => {
  const failing: Backend = {
    lookup: () =>
      Promise.reject(new Error("No responders on subject tinkerbell.dhcp")),
  };
  const log = memoryLogger("info");
  const p = processor(failing, {}, log);
  assert.equal(await p.process(request(1), FROM_CLIENT), undefined);
  assert.deepEqual(p.counters.snapshot().drops, { backendError: 1 });
  assert.deepEqual(p.counters.snapshot().lookups, { error: 1 });
  const line = JSON.parse(log.lines.find((l) => l.includes("lookup failed"))!);
  assert.equal(line.level, "warn");
  assert.match(line.reason, /No responders/);
});

Deno.test("server - a slow lookup does not hold up other clients; the in-flight cap drops the excess", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const other = "52:54:00:00:00:02";
  const backend: Backend = {
    async lookup(mac) {
      if (mac === MAC) await gate;
      return {
        ...HOST,
        macAddress: mac,
        ipAddress: mac === MAC ? HOST.ipAddress : "192.168.2.160",
      };
    },
  };
  const p = processor(backend, { maxInFlight: 2 });
  const slow = p.process(request(1), FROM_CLIENT);
  const fast = await p.process(
    request(1, [], { clientHardwareAddress: other }),
    FROM_CLIENT,
  );
  assert.ok(fast);
  assert.equal(ipAt(fast.bytes, 16), "192.168.2.160");
  // Two in flight now (slow + this one's gate): fill the cap and overflow it.
  const second = p.process(request(1), FROM_CLIENT);
  assert.equal(
    await p.process(
      request(1, [], { clientHardwareAddress: other }),
      FROM_CLIENT,
    ),
    undefined,
  );
  assert.deepEqual(p.counters.snapshot().drops, { overloaded: 1 });
  release();
  assert.ok(await slow);
  assert.ok(await second);
  assert.equal(p.counters.snapshot().inFlight, 0);
});

Deno.test("server - relayed request: reply to giaddr:67 with option 82 echoed last and 61 echoed", async () => {
  const relayInfo = [1, 4, 0x65, 0x74, 0x68, 0x30, 2, 2, 0xaa, 0xbb];
  const clientId = [1, 0x52, 0x54, 0, 0x12, 0x34, 0x56];
  const out = await processor().process(
    request(1, [[61, clientId], [82, relayInfo]], {
      gatewayIp: "10.9.0.1",
      hops: 1,
    }),
    { address: "10.9.0.1", port: 67 },
  );
  assert.ok(out);
  const o = rawOptions(out.bytes);
  assert.deepEqual(o.get(82), relayInfo);
  assert.deepEqual(o.get(61), clientId);
  assert.equal(o.order.at(-1), 82);
  assert.equal(ipAt(out.bytes, 24), "10.9.0.1"); // giaddr kept
  assert.deepEqual(out.destination, {
    address: "10.9.0.1",
    port: 67,
    rule: "relay",
  });
  // A relayed NAK goes to the relay too.
  const nak = await processor().process(
    request(3, [[50, ip("10.9.0.77")], [82, relayInfo]], {
      gatewayIp: "10.9.0.1",
    }),
    { address: "10.9.0.1", port: 67 },
  );
  assert.equal(nak?.destination.rule, "relay");
  assert.equal(nak!.bytes[10] & 0x80, 0x80); // broadcast bit set for the relay (RFC 2131 §4.3.2)
  assert.deepEqual(rawOptions(nak!.bytes).get(82), relayInfo);
});

Deno.test("server - on a port other than 67, a request from an unprivileged port is answered at its source", async () => {
  const out = await processor(undefined, { listen: "0.0.0.0:1067" }).process(
    request(1),
    {
      address: "127.0.0.1",
      port: 40123,
    },
  );
  assert.deepEqual(out?.destination, {
    address: "127.0.0.1",
    port: 40123,
    rule: "source",
  });
});

Deno.test("server - parameter request list: only requested options plus the essentials, in the client's order", async () => {
  const out = await processor().process(
    request(1, [[55, [15, 6, 1]]]),
    FROM_CLIENT,
  );
  assert.ok(out);
  const o = rawOptions(out.bytes);
  assert.deepEqual(o.order, [53, 54, 51, 58, 59, 15, 6, 1, 3]);
  for (const code of [12, 28, 42, 119]) assert.equal(o.has(code), false);
});

Deno.test("server - maximum message size: a large reply overloads file/sname to fit 576 bytes, not with 1500", async () => {
  const big: Reservation = {
    ...HOST,
    nameServers: Array.from({ length: 70 }, (_, i) => `10.0.${i}.1`),
    domainSearch: Array.from({ length: 8 }, (_, i) => `zone${i}.example.com`),
  };
  const small = await processor(new MemoryBackend([big])).process(
    request(1, [[57, [0x02, 0x40]]]),
    FROM_CLIENT,
  );
  assert.ok(small);
  assert.ok(small.bytes.length <= 576, `${small.bytes.length} bytes`);
  assert.ok(rawOptions(small.bytes).has(52), "option 52 overload");
  assert.equal(decodeMessage(small.bytes).options.get(6)?.length, 280); // nothing lost
  const large = await processor(new MemoryBackend([big])).process(
    request(1, [[57, [0x05, 0xdc]]]),
    FROM_CLIENT,
  );
  assert.ok(large);
  assert.ok(large.bytes.length > 576);
  assert.equal(rawOptions(large.bytes).has(52), false);
  assert.equal(rawOptions(large.bytes).get(6)?.length, 280);
});

Deno.test("server - host with dhcpDisabled gets no reply", async () => {
  const p = processor(
    new MemoryBackend([{ ...HOST, extensions: { dhcpDisabled: true } }]),
  );
  assert.equal(await p.process(request(1), FROM_CLIENT), undefined);
  assert.deepEqual(p.counters.snapshot().drops, { dhcpDisabled: 1 });
});

Deno.test("server - lease time 0 or absent becomes the configured default, with T1/T2", async () => {
  const p = processor(new MemoryBackend([{ ...HOST, leaseTime: 0 }]), {
    defaultLeaseTime: 7200,
  });
  const o = rawOptions((await p.process(request(1), FROM_CLIENT))!.bytes);
  assert.deepEqual(o.get(51), u32(7200));
  assert.deepEqual(o.get(58), u32(3600));
  assert.deepEqual(o.get(59), u32(6300));
  const d = processor(new MemoryBackend([{ ...HOST, leaseTime: undefined }]));
  assert.deepEqual(
    rawOptions((await d.process(request(1), FROM_CLIENT))!.bytes).get(51),
    u32(86400),
  );
});

Deno.test("server - classless static routes (121) from the reservation extensions", async () => {
  const p = processor(
    new MemoryBackend([{
      ...HOST,
      extensions: {
        classlessStaticRoutes: [{
          destination: "10.0.0.0/8",
          router: "192.168.2.254",
        }],
      },
    }]),
  );
  const o = rawOptions((await p.process(request(1), FROM_CLIENT))!.bytes);
  assert.deepEqual(o.get(121), [8, 10, 192, 168, 2, 254]);
});

Deno.test("server - malformed packets are dropped, counted, and logged at most N per second", async () => {
  const log = memoryLogger("info");
  const p = processor(
    new MemoryBackend([HOST]),
    { malformedLogPerSecond: 3 },
    log,
  );
  for (let i = 0; i < 10; i++) {
    assert.equal(
      await p.process(Uint8Array.of(1, 2, 3, i), FROM_CLIENT),
      undefined,
    );
  }
  assert.deepEqual(p.counters.snapshot().drops, { malformed: 10 });
  assert.equal(
    log.lines.filter((l) => l.includes("malformed packet")).length,
    3,
  );
});

Deno.test("server - BOOTREPLY and unanswered types are dropped", async () => {
  const p = processor();
  assert.equal(
    await p.process(request(2, [], { op: 2 }), FROM_CLIENT),
    undefined,
  );
  assert.equal(await p.process(request(10), FROM_CLIENT), undefined);
  assert.deepEqual(p.counters.snapshot().drops, { unsupported: 2 });
});

Deno.test("server - a lookup that never answers is given up after lookupTimeout", async () => {
  const hanging: Backend = { lookup: () => new Promise(() => {}) };
  const log = memoryLogger("info");
  const p = processor(hanging, { lookupTimeout: 50 }, log);
  assert.equal(await p.process(request(1), FROM_CLIENT), undefined);
  assert.deepEqual(p.counters.snapshot().drops, { backendError: 1 });
  assert.equal(p.counters.snapshot().inFlight, 0);
  assert.match(log.lines.join("\n"), /timed out after 50 ms/);
});
