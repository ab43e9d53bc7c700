/**
 * Subprocess entry that runs our DHCP server from JSON options, for tests
 * that need it inside a network namespace:
 *
 * `deno run -A tests/_helpers/run_server.ts '{"interface":"veth0","nats":{"servers":"nats://127.0.0.1:4222"}}'`
 *
 * The lookups go over NATS through `createLookupStack` (`nats` holds its
 * options). Logs go to stderr as JSON lines (level from the `logLevel` field, default
 * `debug`). Prints `ready` on stdout once listening, then the counters as
 * one JSON line on stdout when stopped with SIGTERM.
 *
 * @module
 */
import { MemoryBackend } from "../../lib/backend/memory_backend.ts";
import type { Reservation } from "../../lib/backend/reservation.ts";
import { createLogger, type LogLevel } from "../../lib/log/logger.ts";
import type { DhcpServerOptions } from "../../lib/server/options.ts";
import {
  createLookupStack,
  type LookupStackOptions,
} from "../../lib/nats/lookup_stack.ts";
import { DhcpServer } from "../../lib/server/server.ts";

/** The JSON accepted on the command line. */
export type RunServerOptions =
  & Omit<DhcpServerOptions, "backend" | "logger" | "signal">
  & {
    /** Options of the lookup stack (JSON-able ones: servers, subject, timeout, cacheTtl ...). */
    nats?: LookupStackOptions;
    /** Log level. */
    logLevel?: LogLevel;
    /** Serve these from memory instead of asking NATS. */
    reservations?: Reservation[];
  };

if (import.meta.main) {
  const options = JSON.parse(Deno.args[0] ?? "{}") as RunServerOptions;
  const logger = createLogger({
    level: options.logLevel ?? "debug",
    format: "json",
  });
  const { nats, ...serverOptions } = options;
  const lookups = createLookupStack({ ...nats, logger });
  let server: DhcpServer;
  try {
    const { reservations, ...rest } = serverOptions;
    server = await DhcpServer.start({
      ...rest,
      backend: reservations ? new MemoryBackend(reservations) : lookups,
      logger,
    });
    if (!reservations) await lookups.connect();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    Deno.exit(1);
  }
  console.log("ready");
  const done = Promise.withResolvers<void>();
  Deno.addSignalListener("SIGTERM", () => done.resolve());
  await done.promise;
  await server.close();
  await lookups.close();
  console.log(JSON.stringify(server.counters));
  Deno.exit(0);
}
