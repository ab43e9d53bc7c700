/**
 * Follow a NATS connection's state (connected, reconnecting, closed) from
 * its status events, so health checks, metrics and lookups can ask "is NATS
 * there right now?" without waiting on a request.
 *
 * @module
 */
import type { ConnectionWatch } from "../backend/guarded_backend.ts";
import { NatsUnavailableError } from "../backend/errors.ts";
import type { NatsConnection } from "../types/nats.ts";

/** The states a connection can be in. */
export const NatsState = {
  /** Connected to a server. */
  connected: "connected",
  /** Lost the server; nats.js is trying to reconnect. */
  reconnecting: "reconnecting",
  /** Closed for good. */
  closed: "closed",
} as const;

/** One of {@linkcode NatsState}. */
export type NatsState = typeof NatsState[keyof typeof NatsState];

/** A live view of one connection's state. */
export interface NatsStateWatch extends ConnectionWatch {
  /** The state now. */
  readonly state: NatsState;
  /** Whether the connection is up now. */
  readonly connected: boolean;
  /** Times the connection came back after a loss. */
  readonly reconnects: number;
  /** The server connected to (or last connected to). */
  readonly server: string;
  /**
   * An `AbortSignal` that aborts when the connection is next lost (or at
   * once when it is down), so a request in flight can fail fast.
   */
  readonly lost: AbortSignal;
  /** Stop following (the connection itself is left alone). */
  stop(): void;
}

/**
 * Follow the state of `nc`.
 *
 * @param nc The connection.
 * @param onChange Called on every change of state.
 * @returns The live view.
 * @example
 * ```ts ignore
 * const watch = watchNatsState(nc);
 * if (!watch.connected) throw new Error("NATS is down");
 * ```
 */
export function watchNatsState(
  nc: NatsConnection,
  onChange?: (state: NatsState, server: string) => void,
): NatsStateWatch {
  let state: NatsState = nc.isClosed() ? NatsState.closed : NatsState.connected;
  let reconnects = 0;
  let server = nc.getServer();
  let lost = new AbortController();
  if (state !== NatsState.connected) lost.abort(lostError(state));
  let stopped = false;
  const set = (next: NatsState) => {
    if (next === state) return;
    state = next;
    if (next === NatsState.connected) {
      lost = new AbortController();
    } else if (!lost.signal.aborted) {
      lost.abort(lostError(next));
    }
    onChange?.(state, server);
  };
  const iterator = nc.status();
  void (async () => {
    for await (const s of iterator) {
      if (stopped) break;
      if (s.type === "disconnect" || s.type === "reconnecting") {
        set(NatsState.reconnecting);
      } else if (s.type === "reconnect") {
        reconnects++;
        server = s.server ?? nc.getServer();
        set(NatsState.connected);
      }
    }
  })();
  void nc.closed().then(() => set(NatsState.closed));
  return {
    get state() {
      return state;
    },
    get connected() {
      return state === NatsState.connected;
    },
    get reconnects() {
      return reconnects;
    },
    get server() {
      return server;
    },
    get lost() {
      return lost.signal;
    },
    stop() {
      stopped = true;
      // nats.js hands out a queued iterator that can be stopped; the type
      // only says AsyncIterable.
      (iterator as { stop?: () => void }).stop?.();
    },
  };
}

function lostError(state: NatsState): NatsUnavailableError {
  return new NatsUnavailableError(state);
}
