/**
 * A test responder: answers DHCP lookups over NATS from an in-memory table,
 * with the real wire format (C's `serveEvents` + `encodeLookupReply`).
 *
 * Also runnable as a subprocess, for tests whose NATS server lives inside a
 * network namespace:
 * `deno run -A tests/_helpers/memory_responder.ts '{"url":"nats://…","reservations":[…]}'`
 * prints `ready` on stdout once subscribed, and stops on SIGTERM.
 *
 * @module
 */
import { CloudEvent } from "cloudevents";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import type { Reservation } from "../../lib/backend/reservation.ts";
import {
  type EventService,
  serveEvents,
} from "../../lib/cloudevents/request.ts";
import {
  decodeLookupRequest,
  DEFAULT_SUBJECT,
  encodeLookupReply,
  EVENT_SOURCE,
  type ReplyFormat,
} from "../../lib/nats/wire.ts";

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
  const nc: NatsConnection = await connect({
    servers: options.url,
    token: options.token,
  });
  const lookups: string[] = [];
  const traceparents: string[] = [];
  const service: EventService = serveEvents(
    nc,
    options.subject ?? DEFAULT_SUBJECT,
    async (event) => {
      const { mac, traceparent } = decodeLookupRequest(event.data);
      lookups.push(mac);
      traceparents.push(traceparent);
      if (options.delayMs) {
        await new Promise((r) => setTimeout(r, options.delayMs));
      }
      const data = encodeLookupReply(table.get(mac), options.format ?? "v2");
      if (data === undefined) return undefined;
      return new CloudEvent<unknown>({
        type: "org.tinkerbell.backend.read.reply",
        source: EVENT_SOURCE,
        subject: mac,
        datacontenttype: "application/json",
        data,
      }, false);
    },
  );
  await nc.flush();
  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      await service.drain();
      await nc.close();
    })();
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
