/**
 * Test helper: send a lookup the way the Go server does (structured
 * CloudEvent, base64 MAC) with the official client, and decode the reply
 * with the project's client-side decoder.
 *
 * @module
 */
import { CloudEvent } from "cloudevents";
import type { NatsConnection } from "@nats-io/nats-core";
import {
  decodeEventRecord,
  encodeStructured,
} from "../../lib/cloudevents/nats_binding.ts";
import {
  decodeLookupReply,
  DEFAULT_SUBJECT,
  encodeLookupRequest,
  EVENT_SOURCE,
  READ_EVENT_TYPE,
} from "../../lib/nats/wire.ts";
import type { Reservation } from "../../lib/backend/reservation.ts";

/**
 * The subject this test process uses. Unique, so that a client of another
 * test process that outlived its nats-server and reconnected to a server on
 * a reused port cannot take part in these tests.
 */
export const SUBJECT = `${DEFAULT_SUBJECT}.test-${
  crypto.randomUUID().slice(0, 8)
}`;

/** A lookup request payload for `mac`. */
export function requestPayload(mac: string): Uint8Array {
  return encodeStructured(
    new CloudEvent({
      id: crypto.randomUUID(),
      source: EVENT_SOURCE,
      type: READ_EVENT_TYPE,
      datacontenttype: "application/json",
      data: encodeLookupRequest(mac),
    }),
  );
}

/** The reply's event record (attributes and data). */
export async function rawLookup(
  nc: NatsConnection,
  mac: string,
  options: { subject?: string; timeout?: number } = {},
): Promise<Record<string, unknown>> {
  const msg = await nc.request(
    options.subject ?? SUBJECT,
    requestPayload(mac),
    { timeout: options.timeout ?? 5000 },
  );
  return decodeEventRecord(msg.data, msg.headers);
}

/** Look `mac` up and decode the reply; `undefined` for a 404. */
export async function lookup(
  nc: NatsConnection,
  mac: string,
  options: { subject?: string; timeout?: number } = {},
): Promise<Reservation | undefined> {
  const record = await rawLookup(nc, mac, options);
  return decodeLookupReply(record.data);
}

/** A temp directory, removed on dispose. */
export async function tempDir(): Promise<
  { path: string } & AsyncDisposable
> {
  const path = await Deno.makeTempDir({ prefix: "responder_test_" });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

/** Poll `probe` until it returns a value (10 s at most). */
export async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
): Promise<T> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`Timed out waiting for ${what}`);
}
