import assert from "node:assert/strict";
import { MemoryBackend } from "../../lib/backend/memory_backend.ts";
import { GuardedBackend } from "../../lib/backend/guarded_backend.ts";
import { CoalescingBackend } from "../../lib/backend/coalescing_backend.ts";
import { survivors } from "../_helpers/collect_garbage.ts";
import {
  LookupRateLimitedError,
  NatsUnavailableError,
} from "../../lib/backend/errors.ts";
import { watchNatsState } from "../../lib/nats/nats_state.ts";
import { NatsBackend } from "../../lib/nats/backend.ts";
import { startNatsServer } from "../_helpers/nats_server.ts";

const MAC = "52:54:00:12:34:56";

Deno.test("GuardedBackend - reports outcomes and refuses a MAC over its rate", async () => {
  const seen: string[] = [];
  const backend = new GuardedBackend(
    new MemoryBackend([{ macAddress: MAC, ipAddress: "10.0.0.5" }]),
    {
      macRateLimit: { perSecond: 1, burst: 2 },
      onLookup: (outcome, seconds) => {
        assert.ok(seconds >= 0);
        seen.push(outcome);
      },
    },
  );
  assert.equal((await backend.lookup(MAC))?.ipAddress, "10.0.0.5");
  assert.equal(await backend.lookup("02:00:00:00:00:01"), undefined);
  assert.equal((await backend.lookup(MAC))?.ipAddress, "10.0.0.5");
  await assert.rejects(backend.lookup(MAC), LookupRateLimitedError);
  assert.deepEqual(seen, ["found", "not_found", "found", "rate_limited"]);
  assert.equal(backend.rateLimited, 1);
});

Deno.test("GuardedBackend - fails at once while NATS is down, and a lookup in flight when it drops", async () => {
  await using nats = await startNatsServer();
  await using inner = new NatsBackend({
    servers: nats.url,
    timeout: 10_000,
    connectOptions: { reconnectTimeWait: 100, maxReconnectAttempts: -1 },
  });
  const nc = await inner.connection();
  const watch = watchNatsState(nc);
  // A responder that never answers: the lookup waits.
  const sub = nc.subscribe("tinkerbell.dhcp", { callback: () => {} });
  await nc.flush();
  const seen: string[] = [];
  const backend = new GuardedBackend(inner, {
    nats: () => watch,
    onLookup: (o) => seen.push(o),
  });
  try {
    const waiting = assert.rejects(backend.lookup(MAC), NatsUnavailableError);
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    await nats.stop();
    await waiting;
    assert.ok(performance.now() - started < 3000, "not after the 10 s timeout");
    assert.equal(watch.connected, false);
    const t0 = performance.now();
    await assert.rejects(
      backend.lookup(MAC),
      /^NatsUnavailableError: Cannot look up: the NATS connection is down, reconnecting$/,
    );
    assert.ok(performance.now() - t0 < 50);
    assert.deepEqual(seen, ["disconnected", "disconnected"]);
    await nats.restart();
    for (let i = 0; i < 100 && !watch.connected; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(watch.connected, true);
    assert.equal(watch.reconnects, 1);
  } finally {
    sub.unsubscribe();
    watch.stop();
  }
});

Deno.test("GuardedBackend - lookups sharing a caller signal share one combined signal, which aborts when NATS is lost", async () => {
  const lost = new AbortController();
  const seen: AbortSignal[] = [];
  const backend = new GuardedBackend({
    lookup(_mac, options) {
      seen.push(options!.signal!);
      return Promise.resolve(undefined);
    },
  }, {
    nats: () =>
      ({ connected: true, state: "connected", lost: lost.signal }) as never,
  });
  const window = new AbortController();
  await backend.lookup(MAC, { signal: window.signal });
  await backend.lookup("02:00:00:00:00:02", { signal: window.signal });
  await backend.lookup(MAC, { signal: new AbortController().signal });
  assert.equal(seen[0], seen[1]);
  assert.notEqual(seen[0], seen[2]);
  assert.equal(seen[0].aborted, false);
  lost.abort(new Error("connection lost"));
  assert.equal(seen[0].aborted, true);
  assert.equal(seen[2].aborted, true);
});

Deno.test("GuardedBackend - a finished lookup is not held by the connection's lost signal", async () => {
  // The server's lookups share a signal per window of a few milliseconds;
  // combined with the connection's long-lived "lost" signal, each window's
  // signal must not keep what its lookups resolved to once they are done.
  const lost = new AbortController();
  const backend = new GuardedBackend(
    new CoalescingBackend({
      lookup: (mac) =>
        Promise.resolve({ macAddress: mac, ipAddress: "10.0.0.5" }),
    }),
    {
      nats: () =>
        ({ connected: true, state: "connected", lost: lost.signal }) as never,
      macRateLimit: false,
    },
  );
  const refs: WeakRef<object>[] = [];
  // Each in a function of its own: a suspended async function may keep its
  // last loop variable alive.
  const lookupInWindow = async () => {
    const window = new AbortController();
    const found = await backend.lookup(MAC, { signal: window.signal });
    refs.push(new WeakRef(found!));
  };
  for (let i = 0; i < 50; i++) await lookupInWindow();
  const left = await survivors(refs);
  assert.equal(left, 0, `${left} reservations held`);
});
