/**
 * Tracing: with Deno's OpenTelemetry export on (OTEL_DENO=true), a DHCP
 * transaction gives a `dhcp.packet` span whose ids are the ones in the
 * netboot reply's option 43 sub-option 69, and a child `dhcp.lookup` span
 * whose ids travel in the lookup's Traceparent.
 *
 * @module
 */
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { DhcpClient } from "../../lib/client/client.ts";
import { startNatsServer } from "../_helpers/nats_server.ts";
import { sleep, startDhcp, startResponderRole } from "./_roles.ts";

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

const MAC = "52:54:00:00:07:01";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("tracing - packet and lookup spans carry the transaction's trace ids", async () => {
  // An OTLP/HTTP JSON receiver.
  const spans: OtlpSpan[] = [];
  const receiver = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      const body = await req.json().catch(() => ({}));
      for (const rs of body.resourceSpans ?? []) {
        for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
      }
      return Response.json({});
    },
  );
  await using nats = await startNatsServer();
  const file = await Deno.makeTempFile({ suffix: ".yaml" });
  await Deno.writeTextFile(
    file,
    `${MAC}:\n  ipAddress: 10.7.0.1\n  subnetMask: 255.255.0.0\n  netboot:\n    allowPxe: true\n`,
  );
  // What travels on NATS.
  const spy = await connect({ servers: nats.url });
  const traceparents: string[] = [];
  spy.subscribe("tinkerbell.dhcp", {
    callback: (_e, m) => {
      const event = m.json<{ data: { Traceparent: string } }>();
      traceparents.push(event.data.Traceparent);
    },
  });
  await spy.flush();
  try {
    await using _responder = await startResponderRole(nats.url, file);
    await using dhcp = await startDhcp(nats.url, ["--cache-ttl", "0"], {
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.addr.port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_SERVICE_NAME: "dhcp-nats-test",
    });
    await using client = await DhcpClient.open({
      server: dhcp.server,
      mac: MAC,
      bind: "127.0.0.1:0",
      arch: 7,
      vendorClass: "PXEClient:Arch:00007:UNDI:003016",
    });
    const offer = await client.discover();
    const o43 = offer.options.get(43);
    assert.ok(o43, "the netboot OFFER has option 43");
    let sub69: Uint8Array | undefined;
    for (let i = 0; i + 1 < o43.length && o43[i] !== 255;) {
      const [code, len] = [o43[i], o43[i + 1]];
      if (code === 69) sub69 = o43.subarray(i + 2, i + 2 + len);
      i += 2 + len;
    }
    assert.ok(
      sub69 && sub69.length === 26,
      "sub-option 69 holds a traceparent",
    );
    const traceId = hex(sub69.subarray(1, 17));
    const packetSpanId = hex(sub69.subarray(17, 25));
    assert.equal((await dhcp.stop()).code, 0); // flushes the spans
    for (let i = 0; i < 50 && spans.length < 2; i++) await sleep(100);

    const packet = spans.find((s) =>
      s.name === "dhcp.packet" && s.spanId === packetSpanId
    );
    assert.ok(
      packet,
      `a dhcp.packet span with the ids of option 43.69 (${
        JSON.stringify(spans)
      })`,
    );
    assert.equal(packet.traceId, traceId);
    const lookup = spans.find((s) =>
      s.name === "dhcp.lookup" && s.traceId === traceId
    );
    assert.ok(lookup, "a dhcp.lookup span in the same trace");
    assert.equal(lookup.parentSpanId, packetSpanId);
    assert.ok(
      traceparents.includes(`00-${traceId}-${lookup.spanId}-01`),
      `the lookup's Traceparent names the lookup span (${traceparents})`,
    );
    console.log(
      "trace:",
      JSON.stringify({ traceId, packet: packetSpanId, lookup: lookup.spanId }),
    );
  } finally {
    await spy.close();
    await receiver.shutdown();
    await Deno.remove(file);
  }
});
