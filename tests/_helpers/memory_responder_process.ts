/**
 * Subprocess entry for the proxy lab (tests/_helpers/proxy_lab.ts): a responder answering from the
 * reservations given as JSON, run inside the test's network namespace
 * (`deno run -A tests/_helpers/memory_responder_process.ts NATS_URL JSON`). Prints
 * `ready` once subscribed; stops on SIGTERM.
 *
 * @module
 */
import type { Reservation } from "../../lib/backend/reservation.ts";
import { startMemoryResponder } from "./memory_responder.ts";

if (import.meta.main) {
  const [url, json] = Deno.args;
  const reservations = JSON.parse(json) as Reservation[];
  const responder = await startMemoryResponder({ url, reservations });
  console.log("ready");
  const done = Promise.withResolvers<void>();
  Deno.addSignalListener("SIGTERM", () => done.resolve());
  await done.promise;
  await responder.stop();
  Deno.exit(0);
}
