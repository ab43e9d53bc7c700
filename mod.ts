/**
 * dhcp-nats: a netboot DHCPv4 reservation server whose data lives behind
 * NATS. Every answer comes from a per-MAC lookup sent as a CloudEvent over
 * NATS request-reply, compatible with tinkerbell/dhcp's NATS backend.
 *
 * The pieces: the DHCPv4 codec (`decodeMessage`, `encodeMessage`,
 * `createReply` and its modifiers), the CloudEvents NATS binding
 * (`encodeStructured`, `decodeEvent`), the lookup wire format, the DHCP
 * server (`startDhcpServer`) and its lookups over NATS (`createLookupStack`:
 * `NatsBackend`, coalescing, cache, per-MAC limit, fail-fast guard), the
 * responder (`startResponder` with any lookup
 * function, `startFileResponder`, `startKvResponder` for a NATS JetStream
 * KV bucket), the embedded broker (`startBroker`) and
 * a DHCP client (`dora`). Services take one options object and an
 * `AbortSignal`, and implement `Symbol.asyncDispose`.
 *
 * @example All three roles in one process, and one DORA against them
 * ```ts
 * import {
 *   createLookupStack,
 *   dora,
 *   MemoryBackend,
 *   startBroker,
 *   startDhcpServer,
 *   startResponder,
 * } from "./mod.ts";
 *
 * const hosts = new MemoryBackend([{
 *   macAddress: "08:00:27:29:4e:67",
 *   ipAddress: "192.168.2.153",
 *   subnetMask: "255.255.255.0",
 *   defaultGateway: "192.168.2.1",
 * }]);
 * await using broker = await startBroker({ port: 0 });
 * await using _responder = await startResponder({
 *   servers: broker.url,
 *   lookup: (mac) => hosts.lookup(mac),
 * });
 * await using lookups = createLookupStack({ servers: broker.url });
 * await using server = await startDhcpServer({
 *   listen: "127.0.0.1:0",
 *   serverIp: "127.0.0.1",
 *   backend: lookups,
 * });
 * await lookups.connect();
 * const lease = await dora({
 *   server: `127.0.0.1:${server.address.port}`,
 *   mac: "08:00:27:29:4e:67",
 * });
 * if (lease.address !== "192.168.2.153") throw new Error(lease.address);
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

// The DHCPv4 codec (pure, no I/O).
export {
  decodeMessage,
  encodeMessage,
  MAGIC_COOKIE,
} from "./lib/dhcp/message.ts";
export type { DhcpMessage, EncodeOptions } from "./lib/dhcp/message.ts";
export { DhcpDecodeError, OptionsDoNotFitError } from "./lib/dhcp/errors.ts";
export { DhcpOptions } from "./lib/dhcp/options.ts";
export {
  bytes,
  classlessRoutes,
  clientArchList,
  clientNdi,
  clientUuid,
  domainList,
  ip,
  ipList,
  parameterList,
  pxeVendorOptions,
  relayAgentInfo,
  text,
  u16,
  u32,
  u8,
  userClass,
  vendorSubOptions,
} from "./lib/dhcp/option_values.ts";
export type {
  ClasslessStaticRoute,
  ClientNdi,
  OptionValueCodec,
  SubOption,
} from "./lib/dhcp/option_values.ts";
export {
  MessageType,
  messageTypeName,
  OptionCode,
  optionName,
  PxeSubOption,
  RelayAgentSubOption,
} from "./lib/dhcp/codes.ts";
export { ClientArch, clientArchName } from "./lib/dhcp/arch.ts";
export {
  createReply,
  messageTypeOf,
  withBootFile,
  withLeaseTime,
  withMessageType,
  withOption,
  withServerIdentifier,
  withServerIp,
  withYourIp,
} from "./lib/dhcp/modifiers.ts";
export type { Modifier } from "./lib/dhcp/modifiers.ts";

// The embedded NATS broker (`--server`).
export { Broker, BROKER_VERSION, startBroker } from "./lib/broker/broker.ts";
export {
  BrokerProtocolError,
  CloseReason,
  ProtocolErrorText,
} from "./lib/broker/errors.ts";
export type { BrokerStats } from "./lib/broker/context.ts";
export type { BrokerAuth, BrokerOptions } from "./lib/broker/options.ts";

// The DHCP server (the default role).
export {
  defaultHandlers,
  DhcpServer,
  startDhcpServer,
} from "./lib/server/server.ts";
export { PacketProcessor } from "./lib/server/processor.ts";
export { reservationHandler } from "./lib/server/reservation_handler.ts";
export { netbootHandler } from "./lib/server/netboot_handler.ts";
export { proxyHandlers } from "./lib/server/proxy_handler.ts";
export { decideNetboot, IPXE_BINARY_BY_ARCH } from "./lib/server/netboot.ts";
export { Verdict } from "./lib/server/handler.ts";
export { Counters, DropReason } from "./lib/server/counters.ts";
export type { ReplyDestination } from "./lib/server/addressing.ts";
export type {
  LookupReport,
  ReservationHandlerOptions,
} from "./lib/server/reservation_handler.ts";
export type {
  ClientKind,
  NetbootDecision,
  NoNetboot,
} from "./lib/server/netboot.ts";
export type { TraceContext } from "./lib/tracing/traceparent.ts";
export type {
  ConnectionOptions,
  Msg,
  MsgHdrs,
  NatsConnection,
} from "./lib/types/nats.ts";
export type {
  ProxyHandlersOptions,
  ProxyPort,
} from "./lib/server/proxy_handler.ts";
export type {
  DhcpServerOptions,
  NetbootOptions,
  ProxyMode,
  ServerNetbootSettings,
  ServerSettings,
} from "./lib/server/options.ts";
export type { ServerCounters } from "./lib/server/counters.ts";
export type { Handler, HandlerContext } from "./lib/server/handler.ts";
export type { DatagramSource, ProcessedReply } from "./lib/server/processor.ts";

// A DHCP client of our own (probe, tests, benchmarks).
export { DhcpClient, dora, inform, release } from "./lib/client/client.ts";
export { DhcpNakError, DhcpTimeoutError } from "./lib/client/errors.ts";
export type { DhcpClientOptions } from "./lib/client/client.ts";
export type { DhcpLease } from "./lib/client/lease.ts";

// CloudEvents over NATS.
export type { CloudEvent } from "./lib/types/cloudevents.ts";
export {
  decodeEvent,
  decodeEventRecord,
  encodeBinary,
  encodeStructured,
  STRUCTURED_CONTENT_TYPE,
} from "./lib/cloudevents/nats_binding.ts";
export {
  createEvent,
  eventFromRecord,
  validateAttributes,
} from "./lib/cloudevents/event.ts";
export type {
  CreateEventAttributes,
  EventRecord,
} from "./lib/cloudevents/event.ts";
export { InvalidEventError } from "./lib/cloudevents/errors.ts";

// The lookup wire format and the NATS backend.
export {
  decodeLookupReply,
  decodeLookupRequest,
  DEFAULT_LEASE_TIME,
  DEFAULT_SUBJECT,
  encodeLookupError,
  encodeLookupReply,
  encodeLookupRequest,
  EVENT_SOURCE,
  READ_EVENT_TYPE,
} from "./lib/nats/wire.ts";
export type {
  DecodeLookupReplyOptions,
  EncodeLookupReplyOptions,
  LookupRequestData,
  ReplyFormat,
} from "./lib/nats/wire.ts";
export { createLookupStack } from "./lib/nats/lookup_stack.ts";
export type {
  LookupStack,
  LookupStackOptions,
} from "./lib/nats/lookup_stack.ts";
export { NatsBackend } from "./lib/nats/backend.ts";
export type { NatsBackendOptions } from "./lib/nats/backend.ts";
export { MemoryBackend } from "./lib/backend/memory_backend.ts";
export { CoalescingBackend } from "./lib/backend/coalescing_backend.ts";
export { CachingBackend } from "./lib/backend/caching_backend.ts";
export type { CachingBackendOptions } from "./lib/backend/caching_backend.ts";
export { cloneReservation } from "./lib/backend/reservation.ts";

// The responder (`--responder`) and its lookup-function API.
export {
  DEFAULT_QUEUE,
  DEFAULT_SERVICE_NAME,
  Responder,
  startResponder,
} from "./lib/responder/responder.ts";
export type {
  LookupContext,
  LookupFunction,
  ResponderOptions,
  ResponderStats,
} from "./lib/responder/responder.ts";
export { startFileResponder } from "./lib/responder/file_responder.ts";
export type {
  FileResponder,
  FileResponderOptions,
} from "./lib/responder/file_responder.ts";
export {
  formatIssue,
  loadReservationFile,
  parseReservations,
  parseReservationsAsync,
  ReservationFileError,
} from "./lib/responder/reservation_file.ts";
export type {
  ParseReservationsAsyncOptions,
  ParseReservationsOptions,
  ReservationIssue,
  ReservationMap,
} from "./lib/responder/reservation_file.ts";
export { ReservationStore } from "./lib/responder/store.ts";
export { startKvResponder } from "./lib/responder/kv/kv_responder.ts";
export type {
  KvResponder,
  KvResponderOptions,
} from "./lib/responder/kv/kv_responder.ts";
export { watchKvReservations } from "./lib/responder/kv/kv_watch.ts";
export type {
  KvEntryOutcome,
  KvReservations,
  KvWatchOptions,
} from "./lib/responder/kv/kv_watch.ts";
export { watchReservationFile } from "./lib/responder/file_watcher.ts";
export type {
  ReservationFileWatcher,
  WatchReservationFileOptions,
} from "./lib/responder/file_watcher.ts";

// Metrics, health and the guards around lookups.
export { serveMetrics } from "./lib/metrics/http.ts";
export type {
  Health,
  MetricsListener,
  ServeMetricsOptions,
} from "./lib/metrics/http.ts";
export { GuardedBackend } from "./lib/backend/guarded_backend.ts";
export type {
  ConnectionWatch,
  GuardedBackendOptions,
  LookupObserver,
} from "./lib/backend/guarded_backend.ts";
export {
  BackendError,
  InvalidReplyError,
  LookupRateLimitedError,
  LookupTimeoutError,
  NatsUnavailableError,
  NoResponderError,
} from "./lib/backend/errors.ts";
export type { ConnectionState } from "./lib/backend/errors.ts";
export {
  DEFAULT_MAC_RATE_LIMIT,
  MacRateLimiter,
} from "./lib/backend/mac_rate_limit.ts";
export type { MacRateLimitOptions } from "./lib/backend/mac_rate_limit.ts";
export { NatsState, watchNatsState } from "./lib/nats/nats_state.ts";
export type { NatsStateWatch } from "./lib/nats/nats_state.ts";
export {
  classifyLookupError,
  LookupOutcome,
} from "./lib/backend/lookup_outcome.ts";
export {
  brokerMetrics,
  dhcpServerMetrics,
  responderMetrics,
} from "./lib/cli/role_metrics.ts";
export type {
  DhcpServerSource,
  ResponderSource,
} from "./lib/cli/role_metrics.ts";
export type { Registry } from "./lib/types/prom.ts";
