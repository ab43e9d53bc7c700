/**
 * RFC 2131 reply rules checked on the encoded bytes (issue 14): header
 * fields, sizes and destinations of the replies the processor produces.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  FROM_CLIENT,
  HOST,
  ipAt,
  MAC,
  processor,
  request,
} from "./_support.ts";

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
