/**
 * RFC 2131 reply rules checked on the encoded bytes (issue 14): header
 * fields, sizes and destinations of the replies the processor produces.
 *
 * @module
 */
import assert from "node:assert/strict";
import { MemoryBackend } from "../../lib/backend/memory_backend.ts";
import type { Reservation } from "../../lib/backend/reservation.ts";
import { decodeMessage } from "../../lib/dhcp/message.ts";
import {
  FROM_CLIENT,
  HOST,
  ipAt,
  MAC,
  memoryLogger,
  processor,
  pxe,
  rawOptions,
  request,
} from "./_support.ts";

/** Offset of option `code` in the options field, walked without the codec. */
function offsetOf(bytes: Uint8Array, code: number): number {
  for (let pos = 240; pos < bytes.length && bytes[pos] !== 255;) {
    if (bytes[pos] === code) return pos;
    pos += bytes[pos] === 0 ? 1 : 2 + bytes[pos + 1];
  }
  return -1;
}

/** A host whose options need overload: 280 bytes of DNS servers and more. */
const BIG: Reservation = {
  ...HOST,
  nameServers: Array.from({ length: 70 }, (_, i) => `10.0.${i}.1`),
  domainSearch: Array.from({ length: 8 }, (_, i) => `zone${i}.example.com`),
};

Deno.test("server - an OFFER has ciaddr 0 even when the DISCOVER had one (RFC 2131 table 3); an ACK keeps it", async () => {
  const p = processor();
  const offer = await p.process(
    request(1, [], { clientIp: "10.9.9.9" }),
    FROM_CLIENT,
  );
  assert.equal(ipAt(offer!.bytes, 12), "0.0.0.0");
  assert.equal(ipAt(offer!.bytes, 16), HOST.ipAddress);
  const ack = await p.process(
    request(3, [], { clientIp: HOST.ipAddress }),
    FROM_CLIENT,
  );
  assert.equal(ipAt(ack!.bytes, 12), HOST.ipAddress);
});

Deno.test("server - on port 67, a request from port 53 or 123 is answered at port 68, never reflected", async () => {
  const p = processor(); // listens on 0.0.0.0:67
  for (const port of [53, 123, 40123]) {
    const offer = await p.process(request(1), { address: "10.0.0.9", port });
    assert.deepEqual(offer?.destination, {
      address: "255.255.255.255",
      port: 68,
      rule: "broadcast",
    });
    const renew = await p.process(
      request(3, [], { clientIp: HOST.ipAddress }),
      { address: HOST.ipAddress, port },
    );
    assert.deepEqual(renew?.destination, {
      address: HOST.ipAddress,
      port: 68,
      rule: "ciaddr",
    });
  }
});

Deno.test("server - hlen other than 6 or an all-zero chaddr is dropped before any lookup, counted", async () => {
  const looked: string[] = [];
  const backend = {
    lookup(mac: string) {
      looked.push(mac);
      return Promise.resolve(undefined);
    },
  };
  const p = processor(backend);
  const sixteen = request(1);
  sixteen[2] = 16; // hlen 16: chaddr's 16 bytes would become the MAC
  const none = request(1);
  none[2] = 0; // hlen 0: the MAC would be ""
  const zeros = request(1, [], { clientHardwareAddress: "00:00:00:00:00:00" });
  for (const packet of [sixteen, none, zeros]) {
    assert.equal(await p.process(packet, FROM_CLIENT), undefined);
  }
  assert.deepEqual(looked, []);
  assert.equal(p.counters.snapshot().drops.badHardwareAddress, 3);
  assert.equal(await p.process(request(1), FROM_CLIENT), undefined);
  assert.deepEqual(looked, [MAC], "a real MAC is still looked up");
});

Deno.test("server - without option 57 a reply fits a 576-byte datagram: at most 548 bytes, option 52 inside them", async () => {
  const out = await processor(new MemoryBackend([BIG])).process(
    request(1),
    FROM_CLIENT,
  );
  assert.ok(out);
  assert.ok(out.bytes.length <= 548, `${out.bytes.length} bytes`);
  const at52 = offsetOf(out.bytes, 52);
  assert.ok(at52 > 0 && at52 + 3 <= 548, `option 52 at ${at52}`);
  assert.equal(decodeMessage(out.bytes).options.get(6)?.length, 280);
});

Deno.test("server - option 57 counts the IP and UDP headers: 590 gives at most 562 bytes, 1500 at most 1472", async () => {
  const p = processor(new MemoryBackend([BIG]));
  for (const [asked, limit] of [[590, 562], [576, 548], [400, 548]]) {
    const out = await p.process(
      request(1, [[57, [asked >> 8, asked & 255]]]),
      FROM_CLIENT,
    );
    assert.ok(out!.bytes.length <= limit, `57=${asked}: ${out!.bytes.length}`);
    assert.ok(rawOptions(out!.bytes).has(52), `57=${asked}: overloaded`);
  }
  const large = await p.process(request(1, [[57, [0x05, 0xdc]]]), FROM_CLIENT);
  assert.ok(large!.bytes.length <= 1472);
  assert.equal(rawOptions(large!.bytes).has(52), false);
});

Deno.test("server - a PXE DISCOVER whose search list does not fit still gets its OFFER, boot options kept, 119 left out and counted", async () => {
  const host: Reservation = {
    ...HOST,
    domainSearch: Array.from(
      { length: 12 },
      (_, i) => `rack${i}.datacenter${i}.region.example.com`,
    ),
  };
  const logger = memoryLogger();
  const p = processor(new MemoryBackend([host]), {}, logger);
  const out = await p.process(
    request(1, [[55, [1, 3, 6, 15, 119, 66, 67]], ...pxe(7)]),
    FROM_CLIENT,
  );
  assert.ok(out, "an OFFER, not silence");
  assert.ok(out.bytes.length <= 548, `${out.bytes.length} bytes`);
  const decoded = decodeMessage(out.bytes);
  assert.equal(decoded.bootFileName, "ipxe.efi");
  for (const code of [53, 54, 51, 1, 3, 43, 60, 66, 67, 6, 15]) {
    assert.ok(decoded.options.has(code), `option ${code} kept`);
  }
  assert.equal(decoded.options.has(119), false);
  assert.deepEqual(p.counters.snapshot().optionsOmitted, { "119": 1 });
  const line = logger.lines.find((l) => l.includes("options left out"));
  assert.ok(line, "logged at debug");
  assert.match(line, /"level":"debug"/);
  assert.match(line, /"omitted":"119"/);
});

Deno.test("server - a host with 60 classless routes gets its OFFER without option 121", async () => {
  const host: Reservation = {
    ...HOST,
    extensions: {
      classlessStaticRoutes: Array.from({ length: 60 }, (_, i) => ({
        destination: `10.${i}.0.0/16`,
        router: "192.168.2.254",
      })),
    },
  };
  const p = processor(new MemoryBackend([host]));
  const out = await p.process(request(1), FROM_CLIENT);
  assert.ok(out, "an OFFER, not silence");
  assert.ok(out.bytes.length <= 548);
  const o = decodeMessage(out.bytes).options;
  for (const code of [53, 54, 51, 1, 3, 6, 12, 15]) {
    assert.ok(o.has(code), `option ${code} kept`);
  }
  assert.equal(o.has(121), false);
  assert.equal(p.counters.snapshot().optionsOmitted["121"], 1);
  assert.equal(p.counters.snapshot().drops.sendError, undefined);
});

Deno.test("server - a DISCOVER with empty options 12, 60 and 81 gets its OFFER", async () => {
  const p = processor();
  const out = await p.process(
    request(1, [[12, []], [60, []], [81, []]]),
    FROM_CLIENT,
  );
  assert.ok(out, "an OFFER, not a malformed packet");
  assert.equal(ipAt(out.bytes, 16), HOST.ipAddress);
  assert.equal(p.counters.snapshot().drops.malformed, undefined);
});
