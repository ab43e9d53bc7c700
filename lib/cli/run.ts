/**
 * Start one role from a parsed configuration and keep it running until the
 * signal aborts, then stop it cleanly (answering what is in flight first).
 *
 * @module
 */
import type { Registry } from "prom-client";
import { startBroker } from "../broker/broker.ts";
import type { Logger } from "../log/logger.ts";
import { type Health, serveMetrics } from "../metrics/http.ts";
import { type NatsStateWatch, watchNatsState } from "../nats/nats_state.ts";
import {
  brokerMetrics,
  dhcpServerMetrics,
  responderMetrics,
} from "./role_metrics.ts";
import { createLookupStack } from "../nats/lookup_stack.ts";
import { DEFAULT_NATS_URL, natsHostPort } from "../nats/urls.ts";
import {
  type FileResponder,
  startFileResponder,
} from "../responder/file_responder.ts";
import {
  type KvResponder,
  startKvResponder,
} from "../responder/kv/kv_responder.ts";
import { startNetbootServices } from "../netboot/services.ts";
import { resolveSettings } from "../server/options.ts";
import { type DhcpServer, startDhcpServer } from "../server/server.ts";
import type { Config } from "./config.ts";
import { natsConnectionOptions } from "./nats_options.ts";

/** Where the embedded server listens: the host and port of the first URL. */
export function brokerAddress(natsUrl: readonly string[]): {
  hostname: string;
  port: number;
} {
  return natsHostPort(natsUrl[0] ?? DEFAULT_NATS_URL);
}

/** How long the DHCP server waits, on stop, for lookups in flight to finish. */
export const DHCP_STOP_GRACE_MS = 3000;

/**
 * Serve `/metrics` and `/healthz` when `--metrics-listen` is set.
 *
 * @returns The listener to dispose, or `undefined` when off.
 */
function metricsListener(
  config: Config,
  logger: Logger,
  registry: () => Registry,
  health: () => Health,
): AsyncDisposable | undefined {
  if (config.metricsListen === undefined) return undefined;
  const { hostname, port } = config.metricsListen;
  const listener = serveMetrics({
    hostname,
    port,
    registry: registry(),
    health,
    logger,
  });
  logger.info("metrics listening", {
    url: `http://${listener.hostname}:${listener.port}/metrics`,
  });
  return listener;
}

function natsHealth(watch: NatsStateWatch | undefined, stopping: boolean) {
  if (stopping) return { ok: false, reason: "stopping" };
  if (watch === undefined) return { ok: false, reason: "starting" };
  if (!watch.connected) return { ok: false, reason: `NATS ${watch.state}` };
  return { ok: true };
}

/** `promise`'s value, or `undefined` as soon as `signal` aborts. */
function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal,
): Promise<T | undefined> {
  return Promise.race([promise, waitForAbort(signal).then(() => undefined)]);
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/**
 * Run the embedded NATS server until `signal` aborts.
 *
 * @throws {Error} when it cannot listen
 */
export async function runBroker(
  config: Config,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const { hostname, port } = brokerAddress(config.natsUrl);
  const auth = config.natsToken
    ? { token: config.natsToken }
    : config.natsUser
    ? { user: config.natsUser, pass: config.natsPassword ?? "" }
    : undefined;
  await using broker = await startBroker({ hostname, port, auth, logger });
  let stopping = false;
  await using _metrics = metricsListener(
    config,
    logger,
    () => brokerMetrics(() => broker.stats()),
    () => stopping ? { ok: false, reason: "stopping" } : { ok: true },
  );
  logger.info("embedded NATS server ready", {
    url: broker.url,
    auth: auth ? Object.keys(auth)[0] : "none",
  });
  await waitForAbort(signal);
  stopping = true;
  logger.info("embedded NATS server stopping");
}

/**
 * Run the responder until `signal` aborts, then drain it.
 *
 * @throws {ReservationFileError} when the reservations file is invalid
 */
export async function runResponder(
  config: Config,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const connectOptions = await natsConnectionOptions(
    config,
    "dhcp-nats responder",
  );
  let reloadErrors = 0;
  let lastReloadError: string | undefined;
  const common = {
    servers: config.natsUrl,
    connectOptions,
    subject: config.subject,
    queue: config.queue,
    replyFormat: config.replyFormat,
    logger,
  };
  const kvBucket = config.kvBucket;
  const starting: Promise<FileResponder | KvResponder> = kvBucket !== undefined
    ? startKvResponder({ ...common, bucket: kvBucket })
    : startFileResponder({
      ...common,
      onReload: (error) => {
        if (error) reloadErrors++;
        lastReloadError = error?.message;
      },
      file: config.reservations!,
    });
  // Connecting retries forever while NATS is unreachable: a signal
  // meanwhile stops the role at once (and the responder, should it come).
  const responder = await untilAborted(starting, signal);
  if (responder === undefined) {
    starting.then((r) => r.drain(), () => {});
    logger.info("responder stopping", { nats: "not connected" });
    return;
  }
  const kv = kvBucket !== undefined ? responder as KvResponder : undefined;
  const file = kv === undefined ? responder as FileResponder : undefined;
  logger.info("responder ready", {
    ...(kvBucket !== undefined
      ? { bucket: kvBucket }
      : { file: config.reservations }),
    hosts: responder.store.size,
    subject: config.subject,
    queue: config.queue,
    format: config.replyFormat,
  });
  const watch = watchNatsState(responder.responder.connection);
  let stopping = false;
  try {
    await using _metrics = metricsListener(
      config,
      logger,
      () =>
        responderMetrics({
          stats: () => responder.stats,
          reservations: () => responder.store.size,
          reloads: () => file?.watcher?.reloads ?? 0,
          // With a bucket: the values refused (bad value, key not a MAC).
          reloadErrors: () => kv?.watch.refused ?? reloadErrors,
          lastReloadError: () => lastReloadError,
          nats: () => watch,
        }),
      () => natsHealth(watch, stopping),
    );
    await waitForAbort(signal);
    stopping = true;
    logger.info("responder draining");
    await responder.drain();
  } finally {
    watch.stop();
    await responder.drain();
  }
}

/**
 * Run the DHCP server until `signal` aborts.
 *
 * @throws {Error} when the socket cannot be bound (the message says why)
 */
export async function runDhcpServer(
  config: Config,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const { servers: _servers, ...options } = await natsConnectionOptions(
    config,
    "dhcp-nats dhcp",
  );
  // The URLs are in order of preference (the nearest node first); the
  // others, and those the cluster announces, are where it fails over to.
  const connectOptions = { ...options, noRandomize: true };
  // Filled in below, read by the metrics.
  const live: { server?: DhcpServer } = {};
  let stopping = false;
  const metrics = config.metricsListen === undefined
    ? undefined
    : dhcpServerMetrics({
      counters: () => live.server!.counters,
      nats: () => lookups.state,
    });
  await using lookups = createLookupStack({
    servers: config.natsUrl,
    connectOptions,
    subject: config.subject,
    timeout: config.timeout,
    defaultLeaseTime: config.leaseTime,
    cacheTtl: config.cacheTtl,
    macRateLimit: config.lookupRatePerMac === 0 ? false : {
      perSecond: config.lookupRatePerMac,
      burst: config.lookupBurstPerMac,
    },
    onLookup: metrics?.observeLookup,
    onStateChange: (state, url) => {
      if (state === "connected") {
        logger.info("NATS reconnected", {
          server: url,
        });
      } else logger.warn("NATS connection lost", { state, server: url });
    },
    logger: logger.child({ component: "nats" }),
  });
  // The built-in TFTP/HTTP servers, when asked for; replies point at them
  // unless --tftp-server / --http-ipxe-binary-url say otherwise.
  const listen = `${config.listen.hostname}:${config.listen.port}`;
  await using boot = await startNetbootServices({
    tftp: config.tftpListen,
    http: config.httpListen,
    bootDir: config.bootDir,
    backend: lookups,
    matchNeighbour: config.proxy || config.proxyAll,
    advertiseIp: config.tftpListen || config.httpListen
      ? resolveSettings({
        listen,
        interface: config.interface,
        serverIp: config.serverIp,
      }).serverIp
      : "0.0.0.0",
    logger,
  });
  // The socket is bound before NATS is touched (the stack connects on
  // connect()): a missing privilege fails first, with its own message.
  await using dhcp = await startDhcpServer({
    listen,
    interface: config.interface,
    serverIp: config.serverIp,
    backend: lookups,
    macRateLimiter: lookups.limiter,
    defaultLeaseTime: config.leaseTime,
    maxInFlight: config.maxInFlight,
    proxy: config.proxyAll ? "all" : config.proxy ? "reserved" : "off",
    netboot: {
      enabled: config.netboot,
      tftpServer: config.tftpServer
        ? `${config.tftpServer.hostname}:${config.tftpServer.port}`
        : boot.tftpServer,
      httpIpxeBinaryUrl: config.httpIpxeBinaryUrl ?? boot.httpBaseUrl,
      ipxeScriptUrl: config.ipxeScriptUrl,
      hostScriptUrl: boot.hostScriptUrl,
      userClass: config.userClass,
    },
    logger,
  });
  live.server = dhcp;
  // NATS may be unreachable for a long time (the client retries forever):
  // a signal meanwhile stops the server at once.
  const watch = await untilAborted(lookups.connect(), signal);
  if (watch === undefined) {
    logger.info("DHCP server stopping", { nats: "not connected" });
    return;
  }
  await using _metrics = metrics &&
    metricsListener(
      config,
      logger,
      () => metrics.registry,
      () => natsHealth(watch, stopping),
    );
  await waitForAbort(signal);
  stopping = true;
  logger.info("DHCP server stopping");
  // Answer what is in flight first (bounded), then close.
  const deadline = Date.now() + DHCP_STOP_GRACE_MS;
  while (dhcp.counters.inFlight > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await dhcp.close();
}

/** Run the role `config.role` until `signal` aborts. */
export function runRole(
  config: Config,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  switch (config.role) {
    case "server":
      return runBroker(config, logger, signal);
    case "responder":
      return runResponder(config, logger, signal);
    case "dhcp":
      return runDhcpServer(config, logger, signal);
  }
}
