import assert from "node:assert/strict";
import { onAbort } from "../../lib/timer/on_abort.ts";
import { survivors } from "../_helpers/collect_garbage.ts";

Deno.test("onAbort - every subscriber still watching runs once, unsubscribed ones do not", () => {
  const controller = new AbortController();
  const calls: string[] = [];
  onAbort(controller.signal, () => calls.push("a"));
  const stopB = onAbort(controller.signal, () => calls.push("b"));
  onAbort(controller.signal, () => calls.push("c"));
  stopB();
  controller.abort(new Error("closing"));
  controller.abort(); // a second abort does nothing
  assert.deepEqual(calls, ["a", "c"]);
});

Deno.test("onAbort - signals are watched independently", () => {
  const one = new AbortController();
  const two = new AbortController();
  let seen = "";
  onAbort(one.signal, () => seen += "1");
  onAbort(two.signal, () => seen += "2");
  two.abort();
  assert.equal(seen, "2");
  one.abort();
  assert.equal(seen, "21");
});

Deno.test("onAbort - watching again after everyone left still runs on abort", () => {
  const controller = new AbortController();
  let calls = 0;
  onAbort(controller.signal, () => calls++)();
  onAbort(controller.signal, () => calls++);
  controller.abort();
  assert.equal(calls, 1);
});

Deno.test("onAbort - a signal made by AbortSignal.any is let go once nobody watches it", async () => {
  // A long-lived source (the NATS connection's "lost" signal) keeps a
  // dependent signal alive while it has an abort listener.
  const lost = new AbortController();
  const refs: WeakRef<object>[] = [];
  (() => {
    for (let i = 0; i < 100; i++) {
      const either = AbortSignal.any([
        new AbortController().signal,
        lost.signal,
      ]);
      const stop = onAbort(either, () => {});
      stop();
      refs.push(new WeakRef(either));
    }
  })();
  const left = await survivors(refs);
  assert.equal(left, 0, `${left} signals held`);
  // Still watched: kept, and called.
  let called = false;
  const either = AbortSignal.any([lost.signal]);
  onAbort(either, () => called = true);
  lost.abort();
  assert.equal(called, true);
});
