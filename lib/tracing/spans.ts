/**
 * OpenTelemetry spans for DHCP transactions and their lookups, through
 * `@opentelemetry/api` (their ids read and written by traceparent.ts). With
 * Deno's built-in export on (`OTEL_DENO=true`) they are exported; without
 * it the API is a no-op and nothing is recorded.
 *
 * @module
 */
import {
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { formatTraceparent, parseTraceparent } from "./traceparent.ts";

/** The tracer name our spans are recorded under. */
export const TRACER_NAME = "dhcp-nats";

// A proxy that follows the global provider, so it may be fetched once.
const tracer = trace.getTracer(TRACER_NAME);

/**
 * Whether spans can record: Deno exports them only with OTEL_DENO on. When
 * it is off (or unset) no span is started at all: a no-op span, its
 * attributes and parent context per packet were measurable at thousands of
 * packets per second. Without permission to read the environment, spans
 * are started and the API decides.
 */
const tracingPossible = (() => {
  try {
    const value = Deno.env.get("OTEL_DENO")?.toLowerCase();
    return value === "true" || value === "1";
  } catch {
    return true;
  }
})();

/** A lookup span in progress. */
export interface LookupSpan {
  /** The traceparent naming this span, to send with the lookup. */
  traceparent: string;
  /**
   * End the span.
   *
   * @param outcome The lookup's outcome label.
   * @param error What the lookup threw, if it failed.
   */
  end(outcome: string, error?: unknown): void;
}

/**
 * Start a `dhcp.lookup` span, the child of the DHCP transaction named by
 * `traceparent` (so it carries the transaction's trace id).
 *
 * @param mac The MAC looked up.
 * @param traceparent The transaction's W3C traceparent.
 * @returns The span, or `undefined` when tracing is off (nothing records).
 * @example
 * ```ts
 * import { startLookupSpan } from "./spans.ts";
 * // Without OTEL_DENO=true no span records.
 * const span = startLookupSpan("52:54:00:12:34:56");
 * span?.end("found");
 * ```
 */
export function startLookupSpan(
  mac: string,
  traceparent?: string,
): LookupSpan | undefined {
  if (!tracingPossible) return undefined;
  const ids = traceparent ? parseTraceparent(traceparent) : undefined;
  const parent = ids
    ? trace.setSpanContext(context.active(), {
      traceId: ids.traceId,
      spanId: ids.spanId,
      traceFlags: ids.flags,
      isRemote: false,
    })
    : context.active();
  const span: Span = tracer.startSpan("dhcp.lookup", {
    kind: SpanKind.CLIENT,
    attributes: { "dhcp.mac": mac, "messaging.system": "nats" },
  }, parent);
  if (!span.isRecording()) {
    span.end();
    return undefined;
  }
  const own = span.spanContext();
  return {
    traceparent: formatTraceparent({
      traceId: own.traceId,
      spanId: own.spanId,
      flags: own.traceFlags,
    }),
    end(outcome, error) {
      span.setAttribute("dhcp.lookup.outcome", outcome);
      if (error !== undefined) {
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : String(error),
        });
      }
      span.end();
    },
  };
}

/** A DHCP transaction span in progress. */
export interface TransactionSpan {
  /** The span's ids, as the transaction's trace context. */
  trace: { traceId: string; spanId: string; flags: number };
  /**
   * End the span.
   *
   * @param outcome What happened: the reply type, or why there was none.
   */
  end(outcome: string): void;
}

/**
 * Start a `dhcp.packet` span for one DHCP transaction; its ids become the
 * transaction's trace context (sent with the lookup, and in option 43
 * sub-option 69 of netboot replies).
 *
 * @param mac The client's MAC.
 * @param type The request's message type name.
 * @returns The span, or `undefined` when tracing is off.
 * @example
 * ```ts
 * import { startTransactionSpan } from "./spans.ts";
 * const span = startTransactionSpan("52:54:00:12:34:56", "DISCOVER");
 * span?.end("OFFER");
 * ```
 */
export function startTransactionSpan(
  mac: string,
  type: string,
): TransactionSpan | undefined {
  if (!tracingPossible) return undefined;
  const span = tracer.startSpan("dhcp.packet", {
    kind: SpanKind.SERVER,
    attributes: { "dhcp.mac": mac, "dhcp.message_type": type },
  });
  if (!span.isRecording()) {
    span.end();
    return undefined;
  }
  const ids = span.spanContext();
  return {
    trace: { traceId: ids.traceId, spanId: ids.spanId, flags: ids.traceFlags },
    end(outcome) {
      span.setAttribute("dhcp.outcome", outcome);
      span.end();
    },
  };
}
