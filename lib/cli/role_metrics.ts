/**
 * The metrics of each role: the DHCP server, the responder and the
 * embedded broker, under the `dhcp_nats_` prefix.
 *
 * @module
 */
import { Gauge, Histogram, Registry as PromRegistry } from "prom-client";
import type { Registry } from "../types/prom.ts";
import type { BrokerStats } from "../broker/context.ts";
import type { ServerCounters } from "../server/counters.ts";
import type { ResponderStats } from "../responder/responder.ts";
import {
  processMetrics,
  snapshotCounter,
  snapshotGauge,
} from "../metrics/collectors.ts";
import type { LookupObserver } from "../backend/guarded_backend.ts";
import type { NatsStateWatch } from "../nats/nats_state.ts";

/** Lookup latency buckets, seconds: 0.5 ms to 10 s. */
export const LOOKUP_BUCKETS = [
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
] as const;

function natsMetrics(
  registry: Registry,
  nats: () => NatsStateWatch | undefined,
) {
  snapshotGauge(
    registry,
    "dhcp_nats_nats_connected",
    "1 while the NATS connection is up, else 0",
    () => nats()?.connected ? 1 : 0,
  );
  snapshotCounter(
    registry,
    "dhcp_nats_nats_reconnects_total",
    "Times the NATS connection came back after a loss",
    undefined,
    () => nats()?.reconnects ?? 0,
  );
}

/** What {@linkcode dhcpServerMetrics} reads. */
export interface DhcpServerSource {
  /** The server's counters. */
  counters(): ServerCounters;
  /** The NATS connection's state, once there is one. */
  nats(): NatsStateWatch | undefined;
}

/**
 * A registry with the DHCP server's metrics.
 *
 * @param source Where the values come from.
 * @returns The registry, and the observer to give the guarded backend.
 * @example
 * ```ts ignore
 * const { registry, observeLookup } = dhcpServerMetrics({ counters: () => server.counters, nats: () => watch });
 * ```
 */
export function dhcpServerMetrics(
  source: DhcpServerSource,
): { registry: Registry; observeLookup: LookupObserver } {
  const registry = new PromRegistry();
  snapshotCounter(
    registry,
    "dhcp_nats_packets_received_total",
    "DHCP packets received, by message type (malformed: undecodable)",
    "type",
    () => source.counters().packetsIn,
  );
  snapshotCounter(
    registry,
    "dhcp_nats_packets_sent_total",
    "DHCP replies sent, by message type",
    "type",
    () => source.counters().packetsOut,
  );
  snapshotCounter(
    registry,
    "dhcp_nats_packets_dropped_total",
    "DHCP packets dropped without a reply, by reason",
    "reason",
    () => source.counters().drops,
  );
  snapshotCounter(
    registry,
    "dhcp_nats_reply_options_omitted_total",
    "Options left out of replies over the client's maximum size, by option code",
    "option",
    () => source.counters().optionsOmitted,
  );
  snapshotGauge(
    registry,
    "dhcp_nats_lookups_in_flight",
    "Backend lookups in flight",
    () => source.counters().inFlight,
  );
  const latency = new Histogram({
    name: "dhcp_nats_lookup_duration_seconds",
    help:
      "Backend lookups by outcome (found, not_found, timeout, no_responders, disconnected, rate_limited, error) and their duration",
    labelNames: ["outcome"],
    buckets: [...LOOKUP_BUCKETS],
    registers: [registry],
  });
  const lookups = new Map<string, number>();
  snapshotCounter(
    registry,
    "dhcp_nats_lookups_total",
    "Backend lookups by outcome",
    "outcome",
    () => Object.fromEntries(lookups),
  );
  natsMetrics(registry, source.nats);
  processMetrics(registry);
  return {
    registry,
    observeLookup: (outcome, seconds) => {
      lookups.set(outcome, (lookups.get(outcome) ?? 0) + 1);
      latency.observe({ outcome }, seconds);
    },
  };
}

/** What {@linkcode responderMetrics} reads. */
export interface ResponderSource {
  /** The responder's counters. */
  stats(): ResponderStats;
  /** Reservations loaded now. */
  reservations(): number;
  /** Successful reloads so far. */
  reloads(): number;
  /** Failed reloads so far. */
  reloadErrors(): number;
  /** The last reload's error, or `undefined` when it succeeded. */
  lastReloadError(): string | undefined;
  /** The NATS connection's state. */
  nats(): NatsStateWatch | undefined;
}

/**
 * A registry with the responder's metrics.
 *
 * @param source Where the values come from.
 * @returns The registry.
 */
export function responderMetrics(source: ResponderSource): Registry {
  const registry = new PromRegistry();
  snapshotCounter(
    registry,
    "dhcp_nats_responder_requests_total",
    "Lookup requests received",
    undefined,
    () => source.stats().requests,
  );
  snapshotCounter(
    registry,
    "dhcp_nats_responder_lookups_total",
    "Requests by outcome (found, not_found, error, bad_request)",
    "outcome",
    () => {
      const s = source.stats();
      return {
        found: s.found,
        not_found: s.notFound,
        error: s.errors,
        bad_request: s.badRequests,
      };
    },
  );
  snapshotGauge(
    registry,
    "dhcp_nats_responder_reservations",
    "Reservations loaded",
    source.reservations,
  );
  snapshotCounter(
    registry,
    "dhcp_nats_responder_reloads_total",
    "Successful reloads of the reservations file",
    undefined,
    source.reloads,
  );
  snapshotCounter(
    registry,
    "dhcp_nats_responder_reload_errors_total",
    "Rejected reloads of the reservations file",
    undefined,
    source.reloadErrors,
  );
  snapshotGauge(
    registry,
    "dhcp_nats_responder_last_reload_failed",
    "1 when the last reload was rejected (see the log for why), else 0",
    () => source.lastReloadError() === undefined ? 0 : 1,
  );
  new Gauge({
    name: "dhcp_nats_responder_last_reload_error",
    help:
      "1, with the error as a label, while the last reload was rejected (no series otherwise)",
    labelNames: ["error"],
    registers: [registry],
    collect() {
      this.reset();
      const error = source.lastReloadError();
      if (error !== undefined) {
        this.set({ error: error.split("\n")[0].slice(0, 200) }, 1);
      }
    },
  });
  natsMetrics(registry, source.nats);
  processMetrics(registry);
  return registry;
}

/**
 * A registry with the embedded broker's metrics.
 *
 * @param stats Returns the broker's counters.
 * @returns The registry.
 */
export function brokerMetrics(stats: () => BrokerStats): Registry {
  const registry = new PromRegistry();
  snapshotGauge(
    registry,
    "dhcp_nats_broker_connections",
    "Clients connected",
    () => stats().connections,
  );
  const counters: [string, string, keyof BrokerStats][] = [
    ["connections_total", "Clients accepted", "totalConnections"],
    ["messages_received_total", "Messages from clients", "msgsIn"],
    ["messages_sent_total", "Messages delivered", "msgsOut"],
    ["bytes_received_total", "Payload bytes received", "bytesIn"],
    ["bytes_sent_total", "Payload bytes delivered", "bytesOut"],
    [
      "slow_consumers_total",
      "Clients cut off as slow consumers",
      "slowConsumers",
    ],
  ];
  for (const [name, help, key] of counters) {
    snapshotCounter(
      registry,
      `dhcp_nats_broker_${name}`,
      help,
      undefined,
      () => stats()[key],
    );
  }
  snapshotGauge(
    registry,
    "dhcp_nats_broker_subscriptions",
    "Subscriptions",
    () => stats().subscriptions,
  );
  processMetrics(registry);
  return registry;
}
