/**
 * Fault: clients that abuse the embedded broker (`--server`) are cut off,
 * and the broker and its other clients go on: an endless control line, a
 * payload over the maximum, a subscriber that never reads (slow consumer).
 *
 * @module
 */
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { freePort } from "../_helpers/nats_server.ts";
import { metric, sleep, startRole } from "./_roles.ts";

const encoder = new TextEncoder();

/** A raw TCP client that has read INFO and sent CONNECT. */
async function rawClient(port: number): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const buf = new Uint8Array(4096);
  await conn.read(buf); // INFO
  await conn.write(encoder.encode('CONNECT {"verbose":false}\r\n'));
  return conn;
}

/** Read until the broker closes; everything it sent. */
async function readUntilClosed(conn: Deno.TcpConn, ms = 5000): Promise<string> {
  const buf = new Uint8Array(65536);
  let text = "";
  const timer = setTimeout(() => conn.close(), ms);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
  } catch { /* closed by the timer: the broker did not cut us off */ }
  clearTimeout(timer);
  return text;
}

Deno.test("fault - the embedded broker cuts off abusive clients and goes on", async () => {
  const port = freePort();
  await using broker = await startRole(
    ["--server", "--nats-url", `nats://127.0.0.1:${port}`],
    { ready: /embedded NATS server ready/ },
  );
  const url = `nats://127.0.0.1:${port}`;
  const nc = await connect({ servers: url });
  const echo = nc.subscribe("echo", {
    callback: (_e, m) => void m.respond(m.data),
  });
  const healthy = async () => {
    const reply = await nc.request("echo", "ping", { timeout: 2000 });
    assert.equal(reply.string(), "ping");
  };
  try {
    await healthy();

    // 1. A control line that never ends.
    {
      const conn = await rawClient(port);
      let written = 0;
      try {
        await conn.write(encoder.encode("PUB foo "));
        const chunk = encoder.encode("x".repeat(1024));
        for (; written < 1024 * 1024; written += chunk.length) {
          await conn.write(chunk);
        }
      } catch { /* cut off while writing */ }
      const said = await readUntilClosed(conn);
      console.log(
        "endless control line:",
        JSON.stringify(said.trim()),
        written,
      );
      assert.match(said, /-ERR/);
      try {
        conn.close();
      } catch { /* closed */ }
      await healthy();
    }

    // 2. A payload over the maximum (1 MiB).
    {
      const conn = await rawClient(port);
      await conn.write(encoder.encode("PUB foo 100000000\r\n"));
      const said = await readUntilClosed(conn);
      console.log("huge payload:", JSON.stringify(said.trim()));
      assert.match(said, /-ERR 'Maximum Payload Violation'/);
      try {
        conn.close();
      } catch { /* closed */ }
      await healthy();
    }

    // 3. A subscriber that never reads, while 96 MiB are published to it.
    {
      const conn = await rawClient(port);
      await conn.write(encoder.encode("SUB slow 1\r\nPING\r\n"));
      await sleep(200);
      const pub = await connect({ servers: url });
      const payload = new Uint8Array(512 * 1024);
      for (let i = 0; i < 192; i++) {
        pub.publish("slow", payload);
        if (i % 16 === 15) await pub.flush();
      }
      await pub.flush();
      let slow = 0;
      for (let i = 0; i < 50 && slow === 0; i++) {
        slow = metric(
          await broker.scrape(),
          "dhcp_nats_broker_slow_consumers_total",
        );
        if (slow === 0) await sleep(100);
      }
      await pub.close();
      try {
        conn.close();
      } catch { /* closed */ }
      const text = await broker.scrape();
      const report = {
        slowConsumers: slow,
        connections: metric(text, "dhcp_nats_broker_connections"),
        rssMiB: +((await broker.rss()) / 2 ** 20).toFixed(1),
      };
      console.log("slow consumer:", JSON.stringify(report));
      assert.equal(slow, 1, "the subscriber that never reads is cut off");
      await healthy();
    }
    assert.equal(await broker.health(), 200);
  } finally {
    echo.unsubscribe();
    await nc.close();
  }
  const stopped = await broker.stop();
  assert.equal(stopped.code, 0);
});
