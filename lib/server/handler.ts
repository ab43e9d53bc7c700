/**
 * The handler chain (coredhcp style): each handler looks at the request and
 * edits the reply, then lets the chain go on, sends the reply now, or drops
 * it. The server owns decoding, the reply's message type and where the reply
 * goes; handlers never touch sockets.
 *
 * @module
 */
import type { DhcpMessage } from "../dhcp/message.ts";
import type { Reservation } from "../backend/reservation.ts";
import type { Logger } from "../log/logger.ts";
import type { DropReason } from "./counters.ts";
import type { ServerSettings } from "./options.ts";
import type { TraceContext } from "../tracing/traceparent.ts";

/** What a handler tells the chain. */
export const Verdict = {
  /** Go on with the next handler (the reply is sent after the last one). */
  next: "next",
  /** Stop the chain and send the reply as it is. */
  send: "send",
  /** Stop the chain and send nothing. */
  drop: "drop",
} as const;

/** One of {@linkcode Verdict}. */
export type Verdict = typeof Verdict[keyof typeof Verdict];

/** Per-transaction state shared by the handlers of one request. */
export interface HandlerContext {
  /** The server's settings. */
  readonly settings: ServerSettings;
  /** Logger with the transaction's fields (mac, xid, type). */
  readonly logger: Logger;
  /** Aborted when the server closes. */
  readonly signal: AbortSignal;
  /** Trace context of this transaction. */
  readonly trace: TraceContext;
  /** The reservation, once a handler has looked it up. */
  reservation?: Reservation;
  /** Why the reply was dropped, set by the handler that dropped it. */
  dropReason?: DropReason;
}

/**
 * A handler: edits `reply` (built by the server from `request`, with the
 * message type already set) and returns a {@linkcode Verdict}.
 */
export type Handler = (
  request: DhcpMessage,
  reply: DhcpMessage,
  context: HandlerContext,
) => Verdict | Promise<Verdict>;

/**
 * Run handlers in order until one stops the chain.
 *
 * @param handlers The chain.
 * @param request The decoded request.
 * @param reply The reply being built.
 * @param context The transaction's state.
 * @returns `send` or `drop`.
 * @throws Whatever a handler throws.
 * @example
 * ```ts ignore
 * const verdict = await runChain([reservationHandler(backend)], request, reply, context);
 * ```
 */
export async function runChain(
  handlers: readonly Handler[],
  request: DhcpMessage,
  reply: DhcpMessage,
  context: HandlerContext,
): Promise<"send" | "drop"> {
  for (const handler of handlers) {
    const verdict = await handler(request, reply, context);
    if (verdict !== Verdict.next) return verdict;
  }
  return Verdict.send;
}
