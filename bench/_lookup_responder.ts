/**
 * Responder process for bench/lookup_bench.ts: answers lookups on two
 * subjects from the same 1024 reservations and with the same wire data: one
 * through this project's responder (startResponder), one with bare
 * nats.js and plain JSON. Prints `ready` once
 * subscribed; exits on SIGTERM.
 *
 * Usage: deno run -A bench/_lookup_responder.ts NATS_URL SUBJECT_PREFIX
 *
 * @module
 */
import process from "node:process";
import { connect } from "@nats-io/transport-node";
import { MemoryBackend } from "../lib/backend/memory_backend.ts";
import { startResponder } from "../lib/responder/responder.ts";
import { decodeLookupRequest, encodeLookupReply } from "../lib/nats/wire.ts";
import { benchReservations } from "./_lookup_data.ts";

const [url, prefix] = Deno.args;
const nc = await connect({ servers: url });
const reservations = benchReservations();
const store = new MemoryBackend(reservations);

// Our layer: the responder (CloudEvent and request data decoded, looked
// up, v2 reply encoded), without its micro-service registration.
const service = await startResponder({
  nc,
  subject: `${prefix}.ce`,
  serviceName: false,
  lookup: (mac) => store.lookup(mac),
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
