import assert from "node:assert/strict";
import { LookupDeadlines } from "../../lib/server/lookup_deadline.ts";
import { survivors } from "../_helpers/collect_garbage.ts";

Deno.test("lookup deadlines - a lookup that ignores its signal still fails at the deadline, and its signal aborts", async () => {
  const deadlines = new LookupDeadlines(30, new AbortController().signal);
  let seen: AbortSignal | undefined;
  let release!: () => void;
  const never = new Promise<number>((resolve) => release = () => resolve(1));
  const started = performance.now();
  await assert.rejects(
    deadlines.run("Lookup of 02:00:00:00:00:01", (signal) => {
      seen = signal;
      return never;
    }),
    { message: "Lookup of 02:00:00:00:00:01 timed out after 30 ms" },
  );
  assert.ok(performance.now() - started >= 25);
  assert.equal(seen?.aborted, true);
  release();
});

Deno.test("lookup deadlines - fast lookups resolve and leave no timer behind", async () => {
  const deadlines = new LookupDeadlines(60_000, new AbortController().signal);
  const values = await Promise.all(
    [1, 2, 3].map((n) => deadlines.run("x", () => Promise.resolve(n))),
  );
  assert.deepEqual(values, [1, 2, 3]);
  await assert.rejects(
    deadlines.run("x", () => Promise.reject(new Error("backend down"))),
    { message: "backend down" },
  );
  // The sanitizer fails this test if a 60 s timer is still armed.
});

Deno.test("lookup deadlines - the cancel signal aborts every waiting lookup, later ones fail at once", async () => {
  const cancel = new AbortController();
  const deadlines = new LookupDeadlines(60_000, cancel.signal);
  const signals: AbortSignal[] = [];
  const waiting = [1, 2].map(() =>
    deadlines.run("x", (signal) => {
      signals.push(signal);
      return new Promise<number>(() => {});
    })
  );
  const reason = new Error("The DHCP server is closing");
  cancel.abort(reason);
  for (const p of waiting) await assert.rejects(p, reason);
  assert.deepEqual(signals.map((s) => s.aborted), [true, true]);
  await assert.rejects(deadlines.run("x", () => Promise.resolve(1)), reason);
});

Deno.test("lookup deadlines - a late lookup keeps its own deadline after an early one expires", async () => {
  const deadlines = new LookupDeadlines(40, new AbortController().signal);
  const first = deadlines.run("first", () => new Promise<number>(() => {}));
  await new Promise((r) => setTimeout(r, 20));
  let resolveSecond!: (n: number) => void;
  const second = deadlines.run(
    "second",
    () => new Promise<number>((r) => resolveSecond = r),
  );
  await assert.rejects(first, { message: "first timed out after 40 ms" });
  resolveSecond(7); // before its own deadline (20 ms later)
  assert.equal(await second, 7);
});

Deno.test("lookup deadlines - lookups started together share a signal, aborted once none of them waits", async () => {
  const deadlines = new LookupDeadlines(30, new AbortController().signal);
  const signals: AbortSignal[] = [];
  const slow = deadlines.run("slow", (signal) => {
    signals.push(signal);
    return new Promise<number>(() => {});
  });
  const fast = deadlines.run("fast", (signal) => {
    signals.push(signal);
    return Promise.resolve(2);
  });
  assert.equal(await fast, 2);
  assert.equal(signals[0], signals[1]);
  assert.equal(signals[0].aborted, false);
  await assert.rejects(slow, { message: "slow timed out after 30 ms" });
  assert.equal(signals[0].aborted, true);
  // A lookup after the abort gets a fresh signal.
  assert.equal(
    await deadlines.run("next", (signal) => Promise.resolve(signal.aborted)),
    false,
  );
});

Deno.test("lookup deadlines - finished lookups let go of what they resolved to while an older one still waits", async () => {
  const cancel = new AbortController();
  const deadlines = new LookupDeadlines(60_000, cancel.signal);
  // Waits at the head of the queue: the 50 behind it stay queued until it
  // finishes.
  const head = deadlines.run("head", () => new Promise<never>(() => {}));
  head.catch(() => {});
  const refs: WeakRef<object>[] = [];
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      const value = await deadlines.run(
        "x",
        () => Promise.resolve({ payload: new Uint8Array(64 * 1024) }),
      );
      refs.push(new WeakRef(value));
    }),
  );
  assert.equal(await survivors(refs), 0);
  cancel.abort(new Error("closing"));
  await assert.rejects(head, { message: "closing" });
});
