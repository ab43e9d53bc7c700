import assert from "node:assert/strict";
import { BROADCAST, replyDestination } from "../../lib/server/addressing.ts";
import {
  type DhcpServerOptions,
  parseHostPort,
  resolveSettings,
} from "../../lib/server/options.ts";
import { RateLimiter } from "../../lib/server/rate_limit.ts";
import { bindError } from "../../lib/server/socket.ts";
import { DhcpServer } from "../../lib/server/server.ts";

Deno.test("resolveSettings() applies the defaults", () => {
  const s = resolveSettings({ listen: "127.0.0.1:1067" });
  assert.equal(s.listenHost, "127.0.0.1");
  assert.equal(s.listenPort, 1067);
  assert.equal(s.serverIp, "127.0.0.1");
  assert.equal(s.defaultLeaseTime, 86400);
  assert.deepEqual(s.netboot, {
    enabled: true,
    tftpIp: "127.0.0.1",
    tftpPort: 69,
    httpIpxeBinaryUrl: "http://127.0.0.1:8080/ipxe",
    ipxeScriptUrl: undefined,
    userClass: "Tinkerbell",
  });
  assert.equal(
    resolveSettings({ listen: "0.0.0.0", serverIp: "10.0.0.1" }).listenPort,
    67,
  );
});

Deno.test("resolveSettings() derives the server id from the interface", () => {
  const s = resolveSettings({ interface: "lo", listen: "0.0.0.0:1067" });
  assert.equal(s.serverIp, "127.0.0.1");
});

Deno.test("resolveSettings() rejects bad values with clear messages", () => {
  assert.throws(
    () => resolveSettings({ listen: "localhost:67" }),
    /Invalid listen address "localhost:67"/,
  );
  assert.throws(
    () => resolveSettings({ listen: "127.0.0.1:99999" }),
    /port must be a number/,
  );
  assert.throws(
    () => resolveSettings({ serverIp: "1.2.3" }),
    /Invalid serverIp/,
  );
  assert.throws(
    () => resolveSettings({ listen: "127.0.0.1:67", defaultLeaseTime: 0 }),
    RangeError,
  );
  assert.throws(
    () =>
      resolveSettings({
        listen: "127.0.0.1:67",
        netboot: { tftpServer: "tftp:69" },
      }),
    /Invalid tftpServer/,
  );
});

Deno.test("parseHostPort() parses host and optional port", () => {
  assert.deepEqual(parseHostPort("10.0.0.1:6969", 69, "x"), {
    host: "10.0.0.1",
    port: 6969,
  });
  assert.deepEqual(parseHostPort("10.0.0.1", 69, "x"), {
    host: "10.0.0.1",
    port: 69,
  });
});

Deno.test("replyDestination() follows RFC 2131 §4.1", () => {
  const base = {
    gatewayIp: "0.0.0.0",
    clientIp: "0.0.0.0",
    sourceAddress: "0.0.0.0",
    sourcePort: 68,
    listenPort: 67,
  };
  assert.deepEqual(replyDestination(base, 2), {
    address: BROADCAST,
    port: 68,
    rule: "broadcast",
  });
  assert.deepEqual(
    replyDestination({
      ...base,
      clientIp: "10.0.0.5",
      sourceAddress: "10.0.0.5",
    }, 5),
    {
      address: "10.0.0.5",
      port: 68,
      rule: "ciaddr",
    },
  );
  assert.deepEqual(
    replyDestination({ ...base, clientIp: "10.0.0.5" }, 6).address,
    BROADCAST,
  );
  assert.deepEqual(
    replyDestination({ ...base, gatewayIp: "10.1.0.1", sourcePort: 67 }, 6),
    {
      address: "10.1.0.1",
      port: 67,
      rule: "relay",
    },
  );
  assert.deepEqual(
    replyDestination(
      {
        ...base,
        sourceAddress: "127.0.0.1",
        sourcePort: 5000,
        listenPort: 1067,
      },
      6,
    ),
    {
      address: "127.0.0.1",
      port: 5000,
      rule: "source",
    },
  );
  // A server on port 67 is no reflector: another source port gets the
  // reply at port 68 (RFC 2131 §4.1).
  for (const sourcePort of [53, 123, 5000]) {
    assert.deepEqual(
      replyDestination({ ...base, sourceAddress: "10.0.0.9", sourcePort }, 5),
      { address: BROADCAST, port: 68, rule: "broadcast" },
    );
    assert.deepEqual(
      replyDestination({
        ...base,
        clientIp: "10.0.0.9",
        sourceAddress: "10.0.0.9",
        sourcePort,
      }, 5),
      { address: "10.0.0.9", port: 68, rule: "ciaddr" },
    );
  }
});

Deno.test("RateLimiter allows N per second and counts the rest", () => {
  let now = 0;
  const limiter = new RateLimiter(2, () => now);
  assert.deepEqual([limiter.allow(), limiter.allow(), limiter.allow()], [
    true,
    true,
    false,
  ]);
  assert.equal(limiter.takeSuppressed(), 1);
  now = 1000;
  assert.equal(limiter.allow(), true);
});

Deno.test("bindError() says what to do when port 67 is not allowed", () => {
  const e = bindError(
    Object.assign(new Error("bind EACCES 0.0.0.0:67"), { code: "EACCES" }),
    "0.0.0.0",
    67,
  );
  assert.match(
    e.message,
    /^Cannot bind UDP 0\.0\.0\.0:67: permission denied; .*root or CAP_NET_BIND_SERVICE.*1067/,
  );
  assert.match(
    bindError({ code: "EADDRINUSE" }, "0.0.0.0", 67).message,
    /in use/,
  );
});

Deno.test("DhcpServer.start() without a backend fails with what to use", async () => {
  await assert.rejects(
    DhcpServer.start(
      { listen: "127.0.0.1:0" } as unknown as DhcpServerOptions,
    ),
    {
      name: "TypeError",
      message:
        "Invalid backend: it must have a lookup method (over NATS: createLookupStack)",
    },
  );
});
