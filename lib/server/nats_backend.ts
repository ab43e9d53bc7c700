/**
 * Builds the NATS backend the server uses when no backend is given.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Logger } from "../log/logger.ts";
import { NatsBackend } from "../nats/backend.ts";
import { DEFAULT_NATS_URL, parseNatsUrls } from "../nats/urls.ts";
import type { NatsLookupOptions } from "./options.ts";

/** Extra settings of {@linkcode createNatsBackend}. */
export interface CreateNatsBackendOptions {
  /** Logger. */
  logger: Logger;
  /** Lease time used when a reply has none. */
  defaultLeaseTime: number;
}

/**
 * Connect a NATS backend (fails fast when NATS cannot be reached at start;
 * after that the NATS client reconnects by itself and lookups made while it
 * is away fail and are logged).
 *
 * @param nats NATS URL(s), subject, timeout.
 * @param options Logger and default lease time.
 * @returns The backend; dispose it to close the connection.
 * @throws {Error} When the first connection fails.
 */
export function createNatsBackend(
  nats: NatsLookupOptions,
  options: CreateNatsBackendOptions,
): Promise<Backend & AsyncDisposable> {
  const { servers: fromOptions, ...connectOptions } = nats.connectOptions ?? {};
  const servers = parseNatsUrls(
    nats.natsUrl ?? fromOptions ?? DEFAULT_NATS_URL,
  );
  return NatsBackend.connect({
    servers,
    connectOptions: { name: "dhcp-nats server", ...connectOptions },
    cacheTtl: nats.cacheTtl,
    subject: nats.subject,
    timeout: nats.timeout,
    defaultLeaseTime: options.defaultLeaseTime,
    logger: options.logger,
  });
}
