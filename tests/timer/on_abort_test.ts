import assert from "node:assert/strict";
import { onAbort } from "../../lib/timer/on_abort.ts";

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
