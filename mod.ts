/**
 * dhcp-nats: a netboot DHCPv4 reservation server whose data lives behind
 * NATS. Every answer comes from a per-MAC lookup sent as a CloudEvent over
 * NATS request-reply, compatible with tinkerbell/dhcp's NATS backend.
 *
 * @example Log through the project's logger
 * ```ts
 * import { createLogger } from "./mod.ts";
 * const log = createLogger({ level: "info" });
 * log.debug("not written at info level");
 * ```
 *
 * @module
 */

export { createLogger, LogLevel, silentLogger } from "./lib/log/logger.ts";
export type {
  LogFields,
  LogFormat,
  Logger,
  LoggerOptions,
} from "./lib/log/logger.ts";
export type { Backend, LookupOptions } from "./lib/backend/backend.ts";
export type {
  ClasslessRoute,
  NetbootSettings,
  Reservation,
  ReservationExtensions,
} from "./lib/backend/reservation.ts";
