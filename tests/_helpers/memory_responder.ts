/**
 * A test responder: answers DHCP lookups over NATS from an in-memory table,
 * with the real wire format (our responder with a lookup function that
 * records what it is asked).
 *
 * Also runnable as a subprocess, for tests whose NATS server lives inside a
 * network namespace:
 * `deno run -A tests/_helpers/memory_responder.ts '{"url":"nats://…","reservations":[…]}'`
 * prints `ready` on stdout once subscribed, and stops on SIGTERM.
 *
 * @module
 */
import type { Reservation } from "../../lib/backend/reservation.ts";
import { DEFAULT_SUBJECT, type ReplyFormat } from "../../lib/nats/wire.ts";
import { startResponder } from "../../lib/responder/responder.ts";

/** Options of {@linkcode startMemoryResponder}. */
export interface MemoryResponderOptions {
  /** NATS URL. */
  url: string;
  /** Reservations to serve. */
  reservations: Reservation[];
  /**
   * Subject.
   * @default {"tinkerbell.dhcp"}
   */
  subject?: string;
  /**
   * Reply format.
   * @default {"v2"}
   */
  format?: ReplyFormat;
  /** Delay each answer by this many milliseconds. */
  delayMs?: number;
  /** NATS token, for a server started with `--auth`. */
  token?: string;
}

/** A running memory responder. */
export interface MemoryResponder extends AsyncDisposable {
  /** Lookups seen, by MAC. */
  readonly lookups: string[];
  /** Traceparents seen. */
  readonly traceparents: string[];
  /** Stop and close the connection. */
  stop(): Promise<void>;
}

/**
 * Start answering lookups from `reservations`.
 *
 * @param options NATS URL, reservations, subject, format.
 * @returns The responder.
 */
export async function startMemoryResponder(
  options: MemoryResponderOptions,
): Promise<MemoryResponder> {
  const table = new Map(
    options.reservations.map((r) => [r.macAddress.toLowerCase(), r]),
  );
  const lookups: string[] = [];
  const traceparents: string[] = [];
  const responder = await startResponder({
    servers: options.url,
    connectOptions: { token: options.token },
    subject: options.subject ?? DEFAULT_SUBJECT,
    replyFormat: options.format ?? "v2",
    serviceName: false,
    lookup: async (mac, { traceparent }) => {
      lookups.push(mac);
      traceparents.push(traceparent);
      if (options.delayMs) {
        await new Promise((r) => setTimeout(r, options.delayMs));
      }
      return table.get(mac);
    },
  });
  let stopped: Promise<void> | undefined;
  const stop = () => stopped ??= responder.drain();
  return { lookups, traceparents, stop, [Symbol.asyncDispose]: stop };
}

if (import.meta.main) {
  const config = JSON.parse(Deno.args[0]) as MemoryResponderOptions;
  const responder = await startMemoryResponder(config);
  console.log("ready");
  const done = Promise.withResolvers<void>();
  Deno.addSignalListener("SIGTERM", () => done.resolve());
  await done.promise;
  await responder.stop();
}
