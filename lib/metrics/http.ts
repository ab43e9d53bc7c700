/**
 * The optional HTTP listener of every role (`--metrics-listen`): `/metrics`
 * in the Prometheus text format and `/healthz` (200 when the role is
 * serving and connected, 503 with the reason otherwise).
 *
 * @module
 */
import type { Registry } from "../types/prom.ts";
import { type Logger, silentLogger } from "../log/logger.ts";

/** A role's health: serving and connected, or why not. */
export interface Health {
  /** Whether the role is serving and connected. */
  ok: boolean;
  /** Why not, when not. */
  reason?: string;
}

/** Options of {@linkcode serveMetrics}. */
export interface ServeMetricsOptions {
  /**
   * Address to listen on.
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** The registry `/metrics` shows. */
  registry: Registry;
  /**
   * The role's health for `/healthz`.
   * @default {() => ({ ok: true })}
   */
  health?: () => Health;
  /**
   * Logger.
   * @default {silentLogger}
   */
  logger?: Logger;
}

/** A running metrics listener. */
export interface MetricsListener extends AsyncDisposable {
  /** The bound address. */
  readonly hostname: string;
  /** The bound port. */
  readonly port: number;
  /** Stop listening. Idempotent. */
  close(): Promise<void>;
}

/**
 * Serve `/metrics` and `/healthz`.
 *
 * @param options Address, registry and health.
 * @returns The listener.
 * @throws {Error} When it cannot listen (the port is taken, say); the
 *   message names the address.
 * @example
 * ```ts
 * import { Registry } from "prom-client";
 * import { serveMetrics } from "./http.ts";
 * await using listener = serveMetrics({ port: 0, registry: new Registry() });
 * const res = await fetch(`http://127.0.0.1:${listener.port}/healthz`);
 * if (res.status !== 200) throw new Error(await res.text());
 * await res.body?.cancel();
 * ```
 */
export function serveMetrics(options: ServeMetricsOptions): MetricsListener {
  const { registry } = options;
  const health = options.health ?? (() => ({ ok: true }));
  const logger = options.logger ?? silentLogger;
  const hostname = options.hostname ?? "127.0.0.1";
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({ hostname, port: options.port, onListen: () => {} }, (
      request,
    ) => handle(request));
  } catch (cause) {
    throw new Error(
      `Cannot serve metrics on ${hostname}:${options.port}: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
  }
  async function handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("Method not allowed\n", { status: 405 });
    }
    if (path === "/metrics") {
      try {
        return new Response(await registry.metrics(), {
          headers: { "content-type": registry.contentType },
        });
      } catch (error) {
        logger.error("cannot collect metrics", {
          reason: error instanceof Error ? error.message : String(error),
        });
        return new Response("Cannot collect metrics\n", { status: 500 });
      }
    }
    if (path === "/healthz") {
      const h = health();
      return new Response(h.ok ? "ok\n" : `${h.reason ?? "not ready"}\n`, {
        status: h.ok ? 200 : 503,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    return new Response("Not found: try /metrics or /healthz\n", {
      status: 404,
    });
  }
  const addr = server.addr;
  let closed: Promise<void> | undefined;
  const close = () => closed ??= server.shutdown();
  return {
    hostname: addr.hostname,
    port: addr.port,
    close,
    [Symbol.asyncDispose]: close,
  };
}
