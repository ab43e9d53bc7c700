import assert from "node:assert/strict";
import { Counter, Registry } from "prom-client";
import { serveMetrics } from "../../lib/metrics/http.ts";

Deno.test("serveMetrics - /metrics in the text format, /healthz 200 or 503, 404 elsewhere", async () => {
  const registry = new Registry();
  const counter = new Counter({
    name: "test_things_total",
    help: "Things",
    labelNames: ["kind"],
    registers: [registry],
  });
  counter.inc({ kind: "a" }, 3);
  let ok = true;
  await using listener = serveMetrics({
    port: 0,
    registry,
    health: () => ok ? { ok } : { ok, reason: "NATS reconnecting" },
  });
  const base = `http://127.0.0.1:${listener.port}`;
  const metrics = await fetch(`${base}/metrics`);
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get("content-type") ?? "", /^text\/plain/);
  assert.match(await metrics.text(), /^test_things_total\{kind="a"\} 3$/m);
  const healthy = await fetch(`${base}/healthz`);
  assert.deepEqual([healthy.status, await healthy.text()], [200, "ok\n"]);
  ok = false;
  const sick = await fetch(`${base}/healthz`);
  assert.deepEqual([sick.status, await sick.text()], [
    503,
    "NATS reconnecting\n",
  ]);
  const other = await fetch(`${base}/other`);
  assert.equal(other.status, 404);
  await other.body?.cancel();
  const post = await fetch(`${base}/metrics`, { method: "POST" });
  assert.equal(post.status, 405);
  await post.body?.cancel();
});

Deno.test("serveMetrics - a taken port fails with a message naming the address", () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const { port } = taken.addr as Deno.NetAddr;
    assert.throws(
      () => serveMetrics({ port, registry: new Registry() }),
      new RegExp(
        `^Error: Cannot serve metrics on 127\\.0\\.0\\.1:${port}: .*in use`,
        "i",
      ),
    );
  } finally {
    taken.close();
  }
});
