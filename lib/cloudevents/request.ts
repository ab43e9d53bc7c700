/**
 * CloudEvents request-reply over NATS core: send one event and await the
 * reply event, and serve a subject with an event handler.
 *
 * @module
 */
import type { CloudEvent } from "../types/cloudevents.ts";
import {
  NoRespondersError,
  RequestError,
  type Subscription,
  TimeoutError,
} from "@nats-io/nats-core";
import type { Msg, NatsConnection } from "../types/nats.ts";
import { type Logger, silentLogger } from "../log/logger.ts";
import { decodeEvent, encodeStructured } from "./nats_binding.ts";
import {
  InvalidEventError,
  LookupTimeoutError,
  NoResponderError,
} from "./errors.ts";

/** Options of {@linkcode requestEvent}. */
export interface RequestEventOptions {
  /**
   * Milliseconds to wait for the reply.
   * @default {5000}
   */
  timeout?: number;
  /** Cancels the wait; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Whether `err` (or an error in its `cause` chain) is NATS's 503 status. */
export function isNoResponders(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof NoRespondersError) return true;
    if (e instanceof RequestError && e.isNoResponders()) return true;
    const { name, code, message } = e as {
      name?: unknown;
      code?: unknown;
      message?: unknown;
    };
    if (name === "NoRespondersError" || code === 503 || code === "503") {
      return true;
    }
    if (typeof message === "string" && /no responders|\b503\b/i.test(message)) {
      return true;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function isTimeout(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof TimeoutError) return true;
    const { name, code } = e as { name?: unknown; code?: unknown };
    if (name === "TimeoutError" || code === "TIMEOUT") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Send a ready-made payload as a NATS request and return the reply message,
 * with the same typed errors as {@linkcode requestEvent}. For hot paths that
 * encode the event themselves.
 *
 * @param nc A connected NATS client.
 * @param subject The subject to send to.
 * @param payload The request payload (a structured-mode event).
 * @param options Timeout and abort signal.
 * @returns The reply message, not yet decoded.
 * @throws {LookupTimeoutError} When no reply arrives in time.
 * @throws {NoResponderError} When nobody subscribes to `subject`.
 * @example
 * ```ts ignore
 * const msg = await requestPayload(nc, "tinkerbell.dhcp", payload, { timeout: 2000 });
 * ```
 */
export async function requestPayload(
  nc: NatsConnection,
  subject: string,
  payload: Uint8Array,
  options: RequestEventOptions = {},
): Promise<Msg> {
  const timeout = options.timeout ?? 5000;
  const signal = options.signal;
  signal?.throwIfAborted();
  let msg: Msg;
  let onAbort: (() => void) | undefined;
  try {
    const request = nc.request(subject, payload, { timeout });
    if (signal) {
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
      });
      // The request still settles later; keep that from being unhandled.
      request.catch(() => {});
      msg = await Promise.race([request, aborted]);
    } else {
      msg = await request;
    }
  } catch (err) {
    if (signal?.aborted && err === signal.reason) throw err;
    if (isNoResponders(err)) {
      throw new NoResponderError(subject, { cause: err });
    }
    if (isTimeout(err)) {
      throw new LookupTimeoutError(subject, timeout, { cause: err });
    }
    throw new Error(
      `Request on subject ${subject} failed: ${(err as Error)?.message ?? err}`,
      { cause: err },
    );
  } finally {
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
  // A 503 that slipped through as a message (empty payload, status header).
  if (msg.data.length === 0 && msg.headers?.code === 503) {
    throw new NoResponderError(subject);
  }
  return msg;
}

/**
 * Send `event` as a NATS request (structured mode) and return the reply
 * event (structured or binary mode).
 *
 * A 503 "no responders" status fails at once, never after the timeout.
 *
 * @param nc A connected NATS client.
 * @param subject The subject to send to.
 * @param event The request event.
 * @param options Timeout and abort signal.
 * @returns The reply, decoded and validated.
 * @throws {LookupTimeoutError} When no reply arrives in time.
 * @throws {NoResponderError} When nobody subscribes to `subject`.
 * @throws {InvalidEventError} When the reply is not a valid CloudEvent.
 * @example
 * ```ts ignore
 * const reply = await requestEvent(nc, "tinkerbell.dhcp", event, { timeout: 2000 });
 * ```
 */
export async function requestEvent(
  nc: NatsConnection,
  subject: string,
  event: CloudEvent<unknown>,
  options: RequestEventOptions = {},
): Promise<CloudEvent<unknown>> {
  const msg = await requestPayload(
    nc,
    subject,
    encodeStructured(event),
    options,
  );
  return decodeEvent(msg.data, msg.headers);
}

/** Options of {@linkcode serveEvents}. */
export interface ServeEventsOptions {
  /** Queue group, so several responders share the load. */
  queue?: string;
  /**
   * Where undecodable requests and handler failures are logged.
   * @default {silentLogger}
   */
  logger?: Logger;
}

/** A running subscription started by {@linkcode serveEvents}. */
export interface EventService extends AsyncDisposable {
  /** The subject served. */
  readonly subject: string;
  /** Requests answered (a reply was sent). */
  readonly answered: number;
  /** Stop at once: unsubscribe; handlers still running finish unreplied-to. */
  stop(): void;
  /** Stop taking requests and wait until every running handler has replied. */
  drain(): Promise<void>;
}

/** What a {@linkcode serveEvents} handler returns: a reply, or none. */
export type EventHandlerResult =
  | CloudEvent<unknown>
  | undefined
  | Promise<CloudEvent<unknown> | undefined>;

/**
 * Answer requests on `subject`: each message is decoded as a CloudEvent
 * (structured or binary mode) and passed to `handler`; the event it returns
 * is sent back in structured mode, `undefined` sends no reply. Messages that
 * are not CloudEvents and handler failures are logged and get no reply.
 *
 * @param nc A connected NATS client (owned by the caller).
 * @param subject The subject to serve.
 * @param handler Builds the reply for one request.
 * @param options Queue group and logger.
 * @returns The running service; dispose of it (or `drain()`) to stop.
 * @example
 * ```ts ignore
 * await using service = serveEvents(nc, "tinkerbell.dhcp", (event) => reply(event));
 * ```
 */
export function serveEvents(
  nc: NatsConnection,
  subject: string,
  handler: (event: CloudEvent<unknown>) => EventHandlerResult,
  options: ServeEventsOptions = {},
): EventService {
  const logger = options.logger ?? silentLogger;
  let running = 0;
  let idle: Promise<void> | undefined;
  let settleIdle: (() => void) | undefined;
  const whenIdle = () =>
    running === 0
      ? Promise.resolve()
      : (idle ??= new Promise<void>((resolve) => settleIdle = resolve));
  let answered = 0;

  const handle = async (msg: Msg): Promise<void> => {
    try {
      await process(msg);
    } finally {
      if (--running === 0 && settleIdle) {
        settleIdle();
        settleIdle = undefined;
        idle = undefined;
      }
    }
  };

  const process = async (msg: Msg): Promise<void> => {
    let event: CloudEvent<unknown>;
    try {
      event = decodeEvent(msg.data, msg.headers);
    } catch (err) {
      logger.warn("Dropped a request that is not a CloudEvent", {
        subject: msg.subject,
        error: err instanceof InvalidEventError ? err.message : String(err),
      });
      return;
    }
    let reply: CloudEvent<unknown> | undefined;
    try {
      const result = handler(event);
      reply = result instanceof Promise ? await result : result;
    } catch (err) {
      logger.error("Event handler failed, no reply sent", {
        subject: msg.subject,
        id: event.id,
        error: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    if (reply === undefined || !msg.reply) return;
    try {
      msg.respond(encodeStructured(reply));
      answered++;
    } catch (err) {
      logger.warn("Could not send the reply", {
        subject: msg.subject,
        id: event.id,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  };

  const sub: Subscription = nc.subscribe(subject, {
    queue: options.queue,
    callback: (err, msg) => {
      if (err) {
        logger.error("Subscription failed", { subject, error: err.message });
        return;
      }
      running++;
      void handle(msg);
    },
  });

  const drain = async () => {
    if (!sub.isClosed() && !nc.isClosed()) {
      await sub.drain().catch(() => {});
    }
    await whenIdle();
  };

  return {
    subject,
    get answered() {
      return answered;
    },
    stop: () => {
      if (!sub.isClosed()) sub.unsubscribe();
    },
    drain,
    [Symbol.asyncDispose]: drain,
  };
}
