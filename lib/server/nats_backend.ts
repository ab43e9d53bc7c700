/**
 * Builds the NATS backend the server uses when no backend is given.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Logger } from "../log/logger.ts";
import type { NatsLookupOptions } from "./options.ts";

/** Extra settings of {@linkcode createNatsBackend}. */
export interface CreateNatsBackendOptions {
  /** Logger. */
  logger: Logger;
  /** Lease time used when a reply has none. */
  defaultLeaseTime: number;
}

/**
 * Connect a NATS backend.
 *
 * @param _nats NATS URL, subject, timeout.
 * @param _options Logger and default lease time.
 * @returns The backend; dispose it to close the connection.
 * @throws {Error} When the connection fails.
 */
export function createNatsBackend(
  _nats: NatsLookupOptions,
  _options: CreateNatsBackendOptions,
): Promise<Backend & AsyncDisposable> {
  return Promise.reject(
    new Error("Cannot start the NATS backend: not available yet"),
  );
}
