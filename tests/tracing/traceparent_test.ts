import assert from "node:assert/strict";
import {
  formatTraceparent,
  isTraceparent,
  newTraceContext,
  newTraceparent,
  parseTraceparent,
} from "../../lib/tracing/traceparent.ts";

Deno.test("newTraceparent() gives valid, distinct values across its random pool", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 300; i++) {
    const tp = newTraceparent();
    assert.ok(isTraceparent(tp), tp);
    assert.match(tp, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    seen.add(tp.slice(3, 35));
  }
  assert.equal(seen.size, 300);
});

Deno.test("isTraceparent() rejects malformed and all-zero IDs", () => {
  assert.equal(
    isTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
    true,
  );
  for (
    const bad of [
      "",
      "garbage",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
    ]
  ) {
    assert.equal(isTraceparent(bad), false, bad);
  }
});

Deno.test("parseTraceparent() reads what formatTraceparent() writes, and nothing malformed", () => {
  const context = newTraceContext();
  assert.deepEqual(parseTraceparent(formatTraceparent(context)), context);
  assert.deepEqual(
    parseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"),
    {
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      flags: 0,
    },
  );
  for (
    const bad of [
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "",
    ]
  ) assert.equal(parseTraceparent(bad), undefined, bad);
});
