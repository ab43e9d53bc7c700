/**
 * Start one role from a parsed configuration and keep it running until the
 * signal aborts, then stop it cleanly (answering what is in flight first).
 *
 * @module
 */
import { startBroker } from "../broker/broker.ts";
import type { Logger } from "../log/logger.ts";
import { startFileResponder } from "../responder/file_responder.ts";
import { startDhcpServer } from "../server/server.ts";
import type { Config } from "./config.ts";
import { natsConnectionOptions } from "./nats_options.ts";

/** Where the embedded server listens: the host and port of the first URL. */
export function brokerAddress(natsUrl: readonly string[]): {
  hostname: string;
  port: number;
} {
  const first = natsUrl[0] ?? "nats://127.0.0.1:4222";
  const url = new URL(/^[a-z]+:\/\//.test(first) ? first : `nats://${first}`);
  return {
    hostname: url.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
    port: url.port ? Number(url.port) : 4222,
  };
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
  logger.info("embedded NATS server ready", {
    url: broker.url,
    auth: auth ? Object.keys(auth)[0] : "none",
  });
  await waitForAbort(signal);
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
  const responder = await startFileResponder({
    file: config.reservations!,
    servers: config.natsUrl,
    connectOptions,
    subject: config.subject,
    queue: config.queue,
    replyFormat: config.replyFormat,
    logger,
  });
  logger.info("responder ready", {
    file: config.reservations,
    hosts: responder.store.size,
    subject: config.subject,
    queue: config.queue,
    format: config.replyFormat,
  });
  await waitForAbort(signal);
  logger.info("responder draining");
  await responder.drain();
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
  const connectOptions = await natsConnectionOptions(config, "dhcp-nats dhcp");
  await using _server = await startDhcpServer({
    listen: `${config.listen.hostname}:${config.listen.port}`,
    interface: config.interface,
    serverIp: config.serverIp,
    nats: {
      natsUrl: config.natsUrl,
      connectOptions,
      subject: config.subject,
      timeout: config.timeout,
      cacheTtl: config.cacheTtl,
    },
    defaultLeaseTime: config.leaseTime,
    maxInFlight: config.maxInFlight,
    netboot: {
      enabled: config.netboot,
      tftpServer: config.tftpServer
        ? `${config.tftpServer.hostname}:${config.tftpServer.port}`
        : undefined,
      httpIpxeBinaryUrl: config.httpIpxeBinaryUrl,
      ipxeScriptUrl: config.ipxeScriptUrl,
      userClass: config.userClass,
    },
    logger,
  });
  await waitForAbort(signal);
  logger.info("DHCP server stopping");
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
