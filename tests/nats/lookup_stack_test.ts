/**
 * The lookup stack the DHCP server's lookups go through (the CLI, the demo
 * and library users build it alike): coalescing and the cache over the
 * NATS backend, the per-MAC limit and the fail-fast guard.
 */
import assert from "node:assert/strict";
import {
  LookupRateLimitedError,
  NatsUnavailableError,
} from "../../lib/backend/errors.ts";
import { createLookupStack } from "../../lib/nats/lookup_stack.ts";
import { freePort, startNatsServer } from "../_helpers/nats_server.ts";
import {
  GO_DHCP,
  goEnvelope,
  goResponder,
  MAC,
  withNats,
} from "./_go_fixtures.ts";

Deno.test("lookup stack - concurrent lookups of one MAC send one request", () =>
  withNats(async (nc) => {
    const { seen } = goResponder(nc, "g.coalesce", async (mac) => {
      await new Promise((r) => setTimeout(r, 100));
      return goEnvelope({ ...GO_DHCP, MACAddress: mac });
    });
    await nc.flush();
    // 16 at once is over the per-MAC burst: the limit is off here.
    const backend = createLookupStack({
      nc,
      subject: "g.coalesce",
      macRateLimit: false,
    });
    const other = "02:00:00:00:00:42";
    const results = await Promise.all([
      ...Array.from({ length: 16 }, () => backend.lookup(MAC)),
      backend.lookup(other.toUpperCase()),
    ]);
    assert.deepEqual(seen.sort(), [MAC, other].sort());
    assert.ok(
      results.slice(0, 16).every((r) => r?.ipAddress === "192.168.2.153"),
    );
    assert.equal(results[16]?.macAddress, other);
    results[0]!.ipAddress = "mutated"; // every caller has its own copy
    assert.equal(results[1]?.ipAddress, "192.168.2.153");
  }));

Deno.test("lookup stack - one caller's abort leaves the shared request to the others", () =>
  withNats(async (nc) => {
    const { seen } = goResponder(nc, "g.abort", async () => {
      await new Promise((r) => setTimeout(r, 100));
      return goEnvelope(GO_DHCP);
    });
    await nc.flush();
    const backend = createLookupStack({ nc, subject: "g.abort" });
    const controller = new AbortController();
    const first = backend.lookup(MAC, { signal: controller.signal });
    const second = backend.lookup(MAC);
    controller.abort(new Error("client went away"));
    await assert.rejects(first, /client went away/);
    assert.equal((await second)?.ipAddress, "192.168.2.153");
    assert.equal(seen.length, 1);
  }));

Deno.test("lookup stack - cacheTtl reuses an answer, 0 asks every time", () =>
  withNats(async (nc) => {
    const { seen } = goResponder(nc, "g.cache", () => goEnvelope(GO_DHCP));
    await nc.flush();
    const cached = createLookupStack({
      nc,
      subject: "g.cache",
      cacheTtl: 60_000,
    });
    await cached.lookup(MAC);
    await cached.lookup(MAC);
    assert.equal(seen.length, 1);
    const uncached = createLookupStack({ nc, subject: "g.cache" });
    await uncached.lookup(MAC);
    await uncached.lookup(MAC);
    assert.equal(seen.length, 3);
  }));

Deno.test("lookup stack - limits lookups per MAC by default", () =>
  withNats(async (nc) => {
    const { seen } = goResponder(nc, "g.limit", () => goEnvelope(GO_DHCP));
    await nc.flush();
    const outcomes: string[] = [];
    const stack = createLookupStack({
      nc,
      subject: "g.limit",
      onLookup: (outcome) => outcomes.push(outcome),
    });
    // The default burst is 10; the 11th lookup in a row is refused unasked.
    for (let i = 0; i < 10; i++) await stack.lookup(MAC);
    await assert.rejects(stack.lookup(MAC), LookupRateLimitedError);
    assert.equal(seen.length, 10);
    assert.equal(stack.rateLimited, 1);
    assert.equal(outcomes.at(-1), "rate_limited");
    const unlimited = createLookupStack({
      nc,
      subject: "g.limit",
      macRateLimit: false,
    });
    for (let i = 0; i < 12; i++) await unlimited.lookup(MAC);
    assert.equal(unlimited.limiter, undefined);
  }));

Deno.test("lookup stack - fails at once while NATS is down, answers again when it is back", async () => {
  await using nats = await startNatsServer();
  await using stack = createLookupStack({
    servers: nats.url,
    subject: "g.down",
    timeout: 5000,
    connectOptions: { reconnectTimeWait: 100, maxReconnectAttempts: -1 },
  });
  const state = await stack.connect();
  assert.equal(stack.state, state);
  assert.equal(state.connected, true);
  await nats.stop();
  for (let i = 0; i < 100 && state.connected; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const started = performance.now();
  await assert.rejects(stack.lookup(MAC), NatsUnavailableError);
  // At once: far below the 5 s lookup timeout.
  assert.ok(performance.now() - started < 2500);
  await nats.restart();
  for (let i = 0; i < 250 && !state.connected; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(state.connected, true);
});

Deno.test("lookup stack - connect() says where it could not connect", async () => {
  const port = freePort();
  await using stack = createLookupStack({
    servers: `nats://127.0.0.1:${port}`,
    connectOptions: { reconnect: false },
  });
  await assert.rejects(
    stack.connect(),
    new RegExp(`Cannot connect to NATS at nats://127\\.0\\.0\\.1:${port}`),
  );
  assert.equal(stack.state, undefined);
});
