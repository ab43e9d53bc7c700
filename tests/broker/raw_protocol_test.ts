/**
 * Raw protocol over TCP: the exact lines our broker returns for good and
 * bad input, checked against the same expectation for nats-server, so both
 * must agree byte for byte (INFO contents aside).
 *
 * @module
 */

import assert from "node:assert/strict";
import { exchange } from "./_raw.ts";
import { QUIET, rawCases } from "./_raw_cases.ts";
import { targets } from "./_targets.ts";

for (const target of targets) {
  for (const c of rawCases) {
    for (const pieces of c.oneWrite ? [1] : [1, 3]) {
      const how = pieces === 1 ? "" : ", in 3 writes";
      Deno.test(`broker raw - ${c.name}${how} (${target.name})`, async () => {
        await using server = await target.start(c.settings);
        const reply = await exchange(server.port, c.input, {
          until: c.closes ? "" : c.expect,
          pieces,
        });
        assert.equal(reply.rest, c.expect);
        assert.equal(
          reply.closed,
          c.closes,
          c.closes ? "server should close" : "server should stay open",
        );
      });
    }
  }

  Deno.test(`broker raw - INFO announces the protocol fields (${target.name})`, async () => {
    await using server = await target.start({ auth: { token: "t" } });
    const { info } = await exchange(server.port, "", {
      until: "",
      timeout: 300,
    });
    assert.equal(typeof info.server_id, "string");
    assert.equal(typeof info.version, "string");
    assert.equal(info.proto, 1);
    assert.equal(info.headers, true);
    assert.equal(info.max_payload, 1024 * 1024);
    assert.equal(info.host, "127.0.0.1");
    assert.equal(info.port, server.port);
    assert.equal(info.auth_required, true);
    assert.equal(typeof info.client_id, "number");
  });

  Deno.test(`broker raw - a client that never sends CONNECT is timed out (${target.name})`, async () => {
    await using server = await target.start({
      auth: { token: "t" },
      authTimeout: 1000,
    });
    const reply = await exchange(server.port, "", { until: "", timeout: 4000 });
    assert.equal(reply.rest, "-ERR 'Authentication Timeout'\r\n");
    assert.ok(reply.closed);
  });

  Deno.test(`broker raw - a client that ignores PINGs is closed as stale (${target.name})`, async () => {
    await using server = await target.start({
      pingInterval: 1000,
      maxPingsOut: 2,
    });
    const reply = await exchange(server.port, QUIET, {
      until: "",
      timeout: 6000,
    });
    assert.equal(reply.rest, "PING\r\nPING\r\n-ERR 'Stale Connection'\r\n");
    assert.ok(reply.closed);
  });

  Deno.test(`broker raw - a connection above max_connections is refused (${target.name})`, async () => {
    await using server = await target.start({ maxConnections: 1 });
    // The launcher's readiness probe may still count as a connection for a
    // moment: hold the one slot only once a PING is answered.
    let first: Deno.TcpConn | undefined;
    for (let attempt = 0; attempt < 50 && !first; attempt++) {
      const conn = await Deno.connect({
        hostname: "127.0.0.1",
        port: server.port,
      });
      await conn.write(new TextEncoder().encode("PING\r\n"));
      const buf = new Uint8Array(4096);
      let text = "";
      while (!text.includes("PONG") && !text.includes("-ERR")) {
        const n = await conn.read(buf);
        if (n === null) break;
        text += new TextDecoder().decode(buf.subarray(0, n));
      }
      if (text.includes("PONG")) first = conn;
      else {
        conn.close();
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    assert.ok(first, "could not hold the one connection slot");
    try {
      const reply = await exchange(server.port, "", { until: "" });
      assert.equal(reply.rest, "-ERR 'maximum connections exceeded'\r\n");
      assert.ok(reply.closed);
    } finally {
      first.close();
    }
  });
}
