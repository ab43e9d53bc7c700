/**
 * A small HTTP monitoring endpoint in the style of nats-server's `-m`:
 * `GET /varz` (server counters as JSON, nats-server field names) and
 * `GET /healthz`.
 *
 * @module
 */

import type { BrokerStats } from "./context.ts";

/** What the monitor reads from the broker. */
export interface MonitoredBroker {
  /** Server id. */
  readonly serverId: string;
  /** Host the broker listens on. */
  readonly hostname: string;
  /** Port the broker listens on. */
  readonly port: number;
  /** Current counters. */
  stats(): BrokerStats;
}

/** Options of {@linkcode serveMonitor}. */
export interface MonitorOptions {
  /**
   * Address to listen on.
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** Static fields added to `/varz` (version, limits). */
  fields?: Record<string, unknown>;
}

/** A running monitoring endpoint. */
export interface Monitor extends AsyncDisposable {
  /** `http://host:port` */
  readonly url: string;
  /** Stop serving. */
  close(): Promise<void>;
}

/**
 * Serve `/varz` and `/healthz` for a broker.
 *
 * @param broker the broker to report on
 * @param options listen address
 * @returns the running endpoint
 * @example
 * ```ts ignore
 * await using monitor = serveMonitor(broker, { port: 8222 });
 * const varz = await (await fetch(`${monitor.url}/varz`)).json();
 * ```
 */
export function serveMonitor(
  broker: MonitoredBroker,
  options: MonitorOptions,
): Monitor {
  const started = new Date();
  const hostname = options.hostname ?? "127.0.0.1";
  const server = Deno.serve({
    hostname,
    port: options.port,
    onListen: () => {},
  }, (req) => {
    const path = new URL(req.url).pathname;
    if (req.method !== "GET") {
      return new Response("Method not allowed\n", { status: 405 });
    }
    if (path === "/healthz") return Response.json({ status: "ok" });
    if (path !== "/varz") return new Response("Not found\n", { status: 404 });
    const s = broker.stats();
    return Response.json({
      server_id: broker.serverId,
      host: broker.hostname,
      port: broker.port,
      ...options.fields,
      start: started.toISOString(),
      now: new Date().toISOString(),
      uptime_ms: Date.now() - started.getTime(),
      connections: s.connections,
      total_connections: s.totalConnections,
      subscriptions: s.subscriptions,
      in_msgs: s.msgsIn,
      out_msgs: s.msgsOut,
      in_bytes: s.bytesIn,
      out_bytes: s.bytesOut,
      slow_consumers: s.slowConsumers,
    });
  });
  const url = `http://${
    hostname.includes(":") ? `[${hostname}]` : hostname
  }:${server.addr.port}`;
  let closing: Promise<void> | undefined;
  const close = () => closing ??= server.shutdown();
  return { url, close, [Symbol.asyncDispose]: close };
}
