/**
 * RFC 2131 reply rules checked on the encoded bytes (issue 14): header
 * fields, sizes and destinations of the replies the processor produces.
 *
 * @module
 */
import assert from "node:assert/strict";
import { FROM_CLIENT, HOST, ipAt, processor, request } from "./_support.ts";

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
