/**
 * nats.js transport-node under Deno raises a socket reset (ECONNRESET,
 * EPIPE) as an uncaught error on top of the error it reports through its own
 * API, for example when a server refuses our credentials and closes at once.
 * nats.js already handles the failure (rejects `connect()`, or reconnects),
 * so a long-running role must not die of the duplicate: this guard swallows
 * exactly those errors and logs them at debug.
 *
 * @module
 */
import type { Logger } from "../log/logger.ts";

const SOCKET_RESET = /\b(ECONNRESET|EPIPE)\b/;

/**
 * Swallow uncaught socket resets until the returned function is called.
 *
 * @param logger Where each swallowed reset is logged (debug).
 * @returns A function that removes the guard.
 *
 * @example
 * ```ts
 * import { guardSocketResets } from "./socket_reset_guard.ts";
 * import { silentLogger } from "../log/logger.ts";
 * const dispose = guardSocketResets(silentLogger);
 * dispose();
 * ```
 */
export function guardSocketResets(logger: Logger): () => void {
  const onError = (event: ErrorEvent) => {
    const message = String(event.error?.message ?? event.message ?? "");
    if (!SOCKET_RESET.test(message)) return;
    event.preventDefault();
    logger.debug("socket reset (handled by the NATS client)", {
      error: message,
    });
  };
  globalThis.addEventListener("error", onError);
  return () => globalThis.removeEventListener("error", onError);
}
