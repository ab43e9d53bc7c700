/**
 * The two brokers the conformance and raw-protocol suites run against: the
 * real nats-server and our embedded broker, behind one small interface.
 *
 * @module
 */

import { startBroker } from "../../lib/broker/broker.ts";
import type { BrokerAuth } from "../../lib/broker/options.ts";
import { startNatsServer } from "../_helpers/nats_server.ts";

/** Settings a case may ask of the server under test. */
export interface TargetSettings {
  /** Require credentials. */
  auth?: BrokerAuth;
  /** Payload limit in bytes. */
  maxPayload?: number;
  /** Control-line limit in bytes. */
  maxControlLine?: number;
  /** Connection limit. */
  maxConnections?: number;
  /** Authentication timeout in milliseconds (whole seconds for nats-server). */
  authTimeout?: number;
  /** Ping interval in milliseconds (whole seconds for nats-server). */
  pingInterval?: number;
  /** Unanswered pings before a client is stale. */
  maxPingsOut?: number;
}

/** A running server under test. */
export interface RunningTarget extends AsyncDisposable {
  /** `nats://127.0.0.1:PORT` */
  url: string;
  /** Its port. */
  port: number;
  /** Stop it (the port stays reserved for a restart). */
  stop(): Promise<void>;
  /** Start it again on the same port. */
  restart(): Promise<void>;
}

/** A kind of server the suites run against. */
export interface Target {
  /** `nats-server` or `ours`. */
  name: string;
  /** Start one with the given settings on a free loopback port. */
  start(settings?: TargetSettings): Promise<RunningTarget>;
}

function natsConfig(s: TargetSettings): string | undefined {
  const lines: string[] = [];
  if (s.maxPayload !== undefined) lines.push(`max_payload: ${s.maxPayload}`);
  if (s.maxControlLine !== undefined) {
    lines.push(`max_control_line: ${s.maxControlLine}`);
  }
  if (s.maxConnections !== undefined) {
    lines.push(`max_connections: ${s.maxConnections}`);
  }
  if (s.pingInterval !== undefined) {
    lines.push(`ping_interval: "${s.pingInterval / 1000}s"`);
  }
  if (s.maxPingsOut !== undefined) lines.push(`ping_max: ${s.maxPingsOut}`);
  if (s.auth) {
    const timeout = s.authTimeout !== undefined
      ? `, timeout: ${s.authTimeout / 1000}`
      : "";
    lines.push(
      "token" in s.auth
        ? `authorization { token: ${JSON.stringify(s.auth.token)}${timeout} }`
        : `authorization { user: ${JSON.stringify(s.auth.user)}, password: ${
          JSON.stringify(s.auth.pass)
        }${timeout} }`,
    );
  }
  return lines.length ? lines.join("\n") + "\n" : undefined;
}

/** The real nats-server (Debian package). */
export const natsServerTarget: Target = {
  name: "nats-server",
  async start(settings = {}) {
    const server = await startNatsServer({ config: natsConfig(settings) });
    return {
      url: server.url,
      port: server.port,
      stop: () => server.stop(),
      restart: () => server.restart(),
      [Symbol.asyncDispose]: () => server[Symbol.asyncDispose](),
    };
  },
};

/** Our embedded broker, in this process. */
export const ourTarget: Target = {
  name: "ours",
  async start(settings = {}) {
    // Let the kernel pick the port (a port probed free can be taken by a
    // parallel test before we bind it); restarts reuse the one we got.
    let broker: Awaited<ReturnType<typeof startBroker>> | undefined =
      await startBroker({ ...settings, port: 0 });
    const port = broker.port;
    const open = () => startBroker({ ...settings, port });
    const stop = async () => {
      const b = broker;
      broker = undefined;
      await b?.close();
    };
    return {
      url: `nats://127.0.0.1:${port}`,
      port,
      stop,
      restart: async () => {
        broker = await open();
      },
      [Symbol.asyncDispose]: stop,
    };
  },
};

/** Both targets, nats-server first. */
export const targets: readonly Target[] = [natsServerTarget, ourTarget];
