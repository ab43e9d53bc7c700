/**
 * Responder process for bench/lookup_bench.ts: answers lookups on two
 * subjects from the same 1024 reservations and with the same wire data: one
 * through this project's CloudEvents layer (serveEvents), one with bare
 * nats.js and plain JSON. Prints `ready` once
 * subscribed; exits on SIGTERM.
 *
 * Usage: deno run -A bench/_lookup_responder.ts NATS_URL SUBJECT_PREFIX
 *
 * @module
 */
import process from "node:process";
import { connect } from "@nats-io/transport-node";
import { serveEvents } from "../lib/cloudevents/request.ts";
import { createEvent } from "../lib/cloudevents/event.ts";
import { MemoryBackend } from "../lib/backend/memory_backend.ts";
import {
  decodeLookupRequest,
  encodeLookupReply,
  READ_EVENT_TYPE,
} from "../lib/nats/wire.ts";
import { benchReservations } from "./_lookup_data.ts";

const [url, prefix] = Deno.args;
const nc = await connect({ servers: url });
const reservations = benchReservations();
const store = new MemoryBackend(reservations);

// Our layer: decode the CloudEvent and request data, look up, encode v2.
const service = serveEvents(nc, `${prefix}.ce`, async (event) => {
  const { mac } = decodeLookupRequest(event.data);
  return createEvent({
    type: READ_EVENT_TYPE,
    source: "/bench/responder",
    datacontenttype: "application/json",
    data: encodeLookupReply(await store.lookup(mac), "v2"),
  });
});

// Bare: the same wire data as plain JSON, no CloudEvents: parse, look up in
// the same store, encode the same v2 reply.
const enc = new TextEncoder();
const dec = new TextDecoder();
const bare = nc.subscribe(`${prefix}.bare`, {
  callback: (_err, msg) => {
    const { mac } = decodeLookupRequest(JSON.parse(dec.decode(msg.data)));
    store.lookup(mac).then((r) => {
      msg.respond(enc.encode(JSON.stringify(encodeLookupReply(r, "v2"))));
    });
  },
});

// CPU time of this process so far, in microseconds, for the benchmark.
const cpu = nc.subscribe(`${prefix}.cpu`, {
  callback: (_err, msg) => {
    const { user, system } = process.cpuUsage();
    msg.respond(enc.encode(String(user + system)));
  },
});

await nc.flush();
console.log("ready");

Deno.addSignalListener("SIGTERM", async () => {
  bare.unsubscribe();
  cpu.unsubscribe();
  await service.drain();
  await nc.close();
  Deno.exit(0);
});
