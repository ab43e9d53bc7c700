/**
 * The CloudEvents NATS protocol binding: structured content mode (one JSON
 * object as the payload) for sending, and both structured and binary content
 * mode (`ce-*` NATS headers, the payload as data) on receipt.
 *
 * Sending always puts JSON `data` inline as an object, never as a JSON
 * string, because Go's cloudevents decoder rejects the latter. Receiving is
 * lenient: `data` may be an object, a string holding JSON, or `data_base64`
 * holding JSON; any RFC 3339 `time` is accepted (Go writes nanoseconds).
 *
 * @module
 */

import { encodeUtf8 } from "../bytes/utf8.ts";
import { headers as createHeaders } from "@nats-io/nats-core";
import type { CloudEvent } from "../types/cloudevents.ts";
import type { MsgHdrs } from "../types/nats.ts";
import { decodeBase64, encodeBase64 } from "../bytes/base64.ts";
import { InvalidEventError } from "./errors.ts";
import {
  eventFromRecord,
  type EventRecord,
  validateAttributes,
} from "./event.ts";

/** Content type of a structured-mode CloudEvent in JSON. */
export const STRUCTURED_CONTENT_TYPE = "application/cloudevents+json";

// Not `fatal`: it costs several times more, and bad UTF-8 fails JSON.parse.
const decoder = new TextDecoder();

function isJsonType(contentType: unknown): boolean {
  if (contentType === undefined || contentType === null) return true;
  if (contentType === "application/json") return true;
  if (typeof contentType !== "string") return false;
  const media = contentType.split(";")[0].trim().toLowerCase();
  return media === "application/json" || media === "text/json" ||
    media.endsWith("+json");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parse a string as JSON when it holds an object or array, else undefined. */
function parseJsonContainer(text: string): unknown {
  const t = text.trimStart();
  if (!t.startsWith("{") && !t.startsWith("[")) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Serialize an event in structured content mode: one JSON object with the
 * attributes, extensions and `data` (inline JSON; `data_base64` for bytes).
 *
 * @param event The event to send.
 * @returns The UTF-8 JSON payload.
 * @example
 * ```ts
 * import { createEvent } from "./event.ts";
 * import { encodeStructured } from "./nats_binding.ts";
 * const event = createEvent({ type: "t", source: "/s", data: { a: 1 } });
 * const json = JSON.parse(new TextDecoder().decode(encodeStructured(event)));
 * if (json.data.a !== 1) throw new Error();
 * ```
 */
export function encodeStructured(event: CloudEvent<unknown>): Uint8Array {
  const out: Record<string, unknown> = {
    specversion: event.specversion,
    id: event.id,
    source: event.source,
    type: event.type,
  };
  for (const key in event) {
    const value = (event as Record<string, unknown>)[key];
    if (value === undefined || value === null || key in out) continue;
    if (key === "data" || key === "data_base64") continue;
    out[key] = value;
  }
  const data = event.data;
  if (data instanceof Uint8Array) {
    out.data_base64 = encodeBase64(data);
  } else if (typeof data === "string" && isJsonType(event.datacontenttype)) {
    out.data = parseJsonContainer(data) ?? data;
  } else if (data !== undefined) {
    out.data = data;
  }
  return encodeUtf8(JSON.stringify(out));
}

/**
 * Serialize an event in binary content mode: attributes as `ce-*` headers,
 * `datacontenttype` as `content-type`, the data as the payload.
 *
 * @param event The event to send.
 * @returns The payload and the NATS headers.
 * @example
 * ```ts
 * import { createEvent } from "./event.ts";
 * import { encodeBinary } from "./nats_binding.ts";
 * const event = createEvent({ type: "t", source: "/s", data: { a: 1 } });
 * const { headers } = encodeBinary(event);
 * if (headers.get("ce-type") !== "t") throw new Error();
 * ```
 */
export function encodeBinary(
  event: CloudEvent<unknown>,
): { payload: Uint8Array; headers: MsgHdrs } {
  const headers = createHeaders();
  for (const key in event) {
    const value = (event as Record<string, unknown>)[key];
    if (value === undefined || value === null) continue;
    if (key === "data" || key === "data_base64") continue;
    if (key === "datacontenttype") headers.set("content-type", String(value));
    else headers.set(`ce-${key}`, String(value));
  }
  const data = event.data;
  let payload: Uint8Array;
  if (data === undefined || data === null) payload = new Uint8Array(0);
  else if (data instanceof Uint8Array) payload = data;
  else if (typeof data === "string") payload = encodeUtf8(data);
  else payload = encodeUtf8(JSON.stringify(data));
  return { payload, headers };
}

function fromStructured(json: Record<string, unknown>): EventRecord {
  const attributes: Record<string, unknown> = {};
  for (const key in json) {
    const value = (json as Record<string, unknown>)[key];
    if (value === null || key === "data" || key === "data_base64") continue;
    attributes[key] = value;
  }
  const contentType = attributes.datacontenttype;
  let data = json.data ?? undefined;
  if (data === undefined && typeof json.data_base64 === "string") {
    let bytes: Uint8Array;
    try {
      bytes = decodeBase64(json.data_base64);
    } catch (cause) {
      throw new InvalidEventError(
        "Invalid CloudEvent (structured mode): data_base64 is not base64",
        { cause },
      );
    }
    data = bytes;
    if (isJsonType(contentType)) {
      try {
        data = JSON.parse(decoder.decode(bytes));
      } catch { /* not JSON: keep the bytes */ }
    }
  } else if (typeof data === "string" && isJsonType(contentType)) {
    data = parseJsonContainer(data) ?? data;
  }
  if (data !== undefined) attributes.data = data;
  validateAttributes(attributes, "structured");
  return attributes;
}

function fromBinary(
  payload: Uint8Array,
  headers: MsgHdrs,
): EventRecord {
  const attributes: Record<string, unknown> = {};
  for (const key of headers.keys()) {
    const lower = key.toLowerCase();
    if (lower.startsWith("ce-") && lower.length > 3) {
      attributes[lower.slice(3)] = headers.get(key);
    } else if (lower === "content-type") {
      attributes.datacontenttype = headers.get(key);
    }
  }
  if (payload.length > 0) {
    if (isJsonType(attributes.datacontenttype)) {
      try {
        attributes.data = JSON.parse(decoder.decode(payload));
      } catch (cause) {
        throw new InvalidEventError(
          "Invalid CloudEvent (binary mode): the payload is not JSON although the content type is JSON",
          { cause },
        );
      }
    } else {
      attributes.data = payload;
    }
  }
  validateAttributes(attributes, "binary");
  return attributes;
}

function hasCeHeaders(headers: MsgHdrs | undefined): headers is MsgHdrs {
  if (!headers) return false;
  for (const key of headers.keys()) {
    if (key.toLowerCase() === "ce-specversion") return true;
  }
  return false;
}

/**
 * Decode and validate a received NATS message like {@linkcode decodeEvent},
 * without building a `CloudEvent` object (for hot paths).
 *
 * @param payload The message payload.
 * @param headers The message headers, if any.
 * @returns The attributes, extensions and parsed `data`.
 * @throws {InvalidEventError} When the message is not a valid CloudEvent.
 * @example
 * ```ts
 * import { decodeEventRecord } from "./nats_binding.ts";
 * const record = decodeEventRecord(new TextEncoder().encode(
 *   '{"specversion":"1.0","id":"1","source":"/s","type":"t","data":{"a":1}}',
 * ));
 * if ((record.data as { a: number }).a !== 1) throw new Error();
 * ```
 */
export function decodeEventRecord(
  payload: Uint8Array,
  headers?: MsgHdrs,
): EventRecord {
  if (hasCeHeaders(headers)) return fromBinary(payload, headers);
  if (payload.length === 0) {
    throw new InvalidEventError("Invalid CloudEvent: the payload is empty");
  }
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(payload));
  } catch (cause) {
    throw new InvalidEventError(
      "Invalid CloudEvent: the payload is not JSON and has no ce-* headers",
      { cause },
    );
  }
  if (!isObject(json)) {
    throw new InvalidEventError(
      "Invalid CloudEvent: the payload is JSON but not an object",
    );
  }
  return fromStructured(json);
}

/**
 * Decode a received NATS message into a validated CloudEvent: binary mode
 * when a `ce-specversion` header is present, structured mode otherwise.
 *
 * @param payload The message payload.
 * @param headers The message headers, if any.
 * @returns The event; JSON data is parsed into `event.data`.
 * @throws {InvalidEventError} When the message is not a valid CloudEvent.
 * @example
 * ```ts
 * import { decodeEvent } from "./nats_binding.ts";
 * const payload = new TextEncoder().encode(JSON.stringify({
 *   specversion: "1.0", id: "1", source: "/s", type: "t",
 *   time: "2024-05-01T10:00:00.123456789Z", data: '{"a":1}',
 * }));
 * const event = decodeEvent(payload);
 * if ((event.data as { a: number }).a !== 1) throw new Error();
 * ```
 */
export function decodeEvent(
  payload: Uint8Array,
  headers?: MsgHdrs,
): CloudEvent<unknown> {
  return eventFromRecord(decodeEventRecord(payload, headers));
}
