/**
 * The embedded NATS broker (`--server` role): a core-NATS server that the
 * official nats.js client cannot tell from nats-server.
 *
 * @example
 * ```ts
 * import { startBroker } from "./mod.ts";
 * await using broker = await startBroker({ port: 0 });
 * if (broker.stats().connections !== 0) throw new Error();
 * ```
 *
 * @module
 */

export { Broker, BROKER_VERSION, startBroker } from "./broker.ts";
export type { BrokerStats } from "./context.ts";
export {
  BrokerProtocolError,
  CloseReason,
  ProtocolErrorText,
} from "./errors.ts";
export type { BrokerAuth, BrokerOptions } from "./options.ts";
export type { LogFields, Logger, LogLevel } from "../log/logger.ts";
