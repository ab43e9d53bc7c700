/**
 * The DHCP server: a socket, a {@linkcode PacketProcessor} with the
 * reservation and netboot handlers, counters, and a clean shutdown.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { messageTypeName } from "../dhcp/codes.ts";
import { messageTypeOf } from "../dhcp/modifiers.ts";
import { type Logger, silentLogger } from "../log/logger.ts";
import { Counters, DropReason, type ServerCounters } from "./counters.ts";
import type { Handler } from "./handler.ts";
import { netbootHandler } from "./netboot_handler.ts";
import {
  type DhcpServerOptions,
  resolveSettings,
  type ServerSettings,
} from "./options.ts";
import { PacketProcessor } from "./processor.ts";
import { reservationHandler } from "./reservation_handler.ts";
import {
  type DhcpSocket,
  openUdpSocket,
  type ReceivedPacket,
} from "./socket.ts";
import { openInterfaceSocket } from "./socket_linux.ts";

/**
 * The default handler chain: reservation, then netboot.
 *
 * @param backend Where reservations come from.
 * @param counters Counters to record lookup outcomes in.
 * @returns The chain.
 */
export function defaultHandlers(
  backend: Backend,
  counters: Counters,
): Handler[] {
  return [
    reservationHandler(backend, { onLookup: (o) => counters.lookup(o) }),
    netbootHandler(),
  ];
}

/**
 * A running DHCP server. Start it with {@linkcode DhcpServer.start} (or
 * {@linkcode startDhcpServer}); stop it with `close()` or `await using`.
 *
 * @example Serve reservations from memory on an unprivileged loopback port
 * ```ts
 * import { DhcpServer } from "./server.ts";
 * import { MemoryBackend } from "../backend/memory_backend.ts";
 * await using server = await DhcpServer.start({
 *   listen: "127.0.0.1:0",
 *   backend: new MemoryBackend([{ macAddress: "52:54:00:12:34:56", ipAddress: "10.0.0.5" }]),
 * });
 * if (server.address.port === 0) throw new Error();
 * ```
 */
export class DhcpServer implements AsyncDisposable {
  /** The resolved settings. */
  readonly settings: ServerSettings;
  #socket: DhcpSocket;
  #processor: PacketProcessor;
  #counters: Counters;
  #logger: Logger;
  #pending = new Set<Promise<void>>();
  #closing = false;
  #closed?: Promise<void>;
  #onAbort?: () => void;
  #signal?: AbortSignal;

  private constructor(
    settings: ServerSettings,
    socket: DhcpSocket,
    processor: PacketProcessor,
    counters: Counters,
    logger: Logger,
  ) {
    this.settings = settings;
    this.#socket = socket;
    this.#processor = processor;
    this.#counters = counters;
    this.#logger = logger;
  }

  /**
   * Start a server.
   *
   * @param options See {@linkcode DhcpServerOptions}.
   * @returns The running server.
   * @throws {TypeError} On invalid options, or without a backend.
   * @throws {Error} When the socket cannot be bound (the message says why and what to do).
   */
  static async start(options: DhcpServerOptions): Promise<DhcpServer> {
    const settings = resolveSettings(options);
    const backend = options.backend;
    if (typeof backend?.lookup !== "function") {
      throw new TypeError(
        "Invalid backend: it must have a lookup method (over NATS: createLookupStack)",
      );
    }
    const logger = (options.logger ?? silentLogger).child({
      component: "dhcp",
    });
    const counters = new Counters();
    // Bind first: a missing privilege or interface fails before the caller
    // connects the backend.
    const ref: { server?: DhcpServer } = {};
    const onPacket = (packet: ReceivedPacket) => {
      if (ref.server) ref.server.#receive(packet);
    };
    const onError = (error: Error) =>
      logger.error("socket error", { reason: error.message });
    // A looping client is refused from its chaddr bytes in the receive
    // buffer, before any copy or decode.
    const limiter = options.macRateLimiter;
    const refuse = limiter === undefined
      ? undefined
      : (buffer: Uint8Array, offset: number, length: number) => {
        if (!limiter.refuses(buffer, offset, length)) return false;
        counters.drop(DropReason.rateLimited);
        return true;
      };
    const socket: DhcpSocket = settings.interface === undefined
      ? await openUdpSocket({
        host: settings.listenHost,
        port: settings.listenPort,
        onPacket,
        onError,
        refuse,
      })
      : await openInterfaceSocket({
        interface: settings.interface,
        host: settings.listenHost,
        port: settings.listenPort,
        onPacket,
        onError,
        refuse,
      });
    const processor = new PacketProcessor({
      settings,
      handlers: defaultHandlers(backend, counters),
      logger,
      counters,
    });
    const server = new DhcpServer(
      settings,
      socket,
      processor,
      counters,
      logger,
    );
    ref.server = server;
    if (options.signal) {
      server.#signal = options.signal;
      server.#onAbort = () => void server.close();
      if (options.signal.aborted) await server.close();
      else {options.signal.addEventListener("abort", server.#onAbort, {
          once: true,
        });}
    }
    logger.info("DHCP server listening", {
      listen: `${socket.local.address}:${socket.local.port}`,
      interface: settings.interface,
      serverIp: settings.serverIp,
      netboot: settings.netboot.enabled,
    });
    return server;
  }

  /** The bound address and port (the real port when 0 was asked). */
  get address(): { address: string; port: number } {
    return this.#socket.local;
  }

  /** A snapshot of the counters. */
  get counters(): ServerCounters {
    return this.#counters.snapshot();
  }

  #receive(packet: ReceivedPacket): void {
    if (this.#closing) {
      this.#counters.drop(DropReason.closing);
      return;
    }
    const task = this.#handle(packet).catch((error) => {
      // Whatever a packet does, it must not end the process.
      this.#counters.drop(DropReason.internalError);
      try {
        this.#logger.error("packet failed, no reply", {
          from: `${packet.address}:${packet.port}`,
          reason: error instanceof Error ? error.message : String(error),
        });
      } catch { /* the log is what failed: the counter still says it */ }
    });
    this.#pending.add(task);
    task.finally(() => this.#pending.delete(task));
  }

  async #handle(packet: ReceivedPacket): Promise<void> {
    const out = await this.#processor.process(packet.data, packet);
    if (out === undefined || this.#closing) return;
    const { address, port } = out.destination;
    try {
      await this.#socket.send(out.bytes, address, port);
      const type = messageTypeOf(out.reply);
      this.#counters.packetOut(
        type === undefined ? "BOOTREPLY" : messageTypeName(type).toUpperCase(),
      );
    } catch (error) {
      this.#counters.drop(DropReason.sendError);
      this.#logger.warn("cannot send the reply", {
        to: `${address}:${port}`,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** Stop: no new packets, abort lookups in flight, close the socket. Idempotent. */
  close(): Promise<void> {
    return this.#closed ??= (async () => {
      this.#closing = true;
      if (this.#onAbort) {
        this.#signal?.removeEventListener("abort", this.#onAbort);
      }
      this.#processor.abort();
      await Promise.allSettled([...this.#pending]);
      await this.#socket.close();
      this.#logger.info("DHCP server stopped");
    })();
  }

  /** Same as {@linkcode DhcpServer.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Start a DHCP server; same as {@linkcode DhcpServer.start}.
 *
 * @param options See {@linkcode DhcpServerOptions}.
 * @returns The running server.
 * @throws {TypeError} On invalid options.
 * @throws {Error} When the socket cannot be bound.
 * @example
 * ```ts ignore
 * await using lookups = createLookupStack({ servers: "nats://127.0.0.1:4222" });
 * await using server = await startDhcpServer({ interface: "eth0", backend: lookups });
 * await lookups.connect();
 * ```
 */
export function startDhcpServer(
  options: DhcpServerOptions,
): Promise<DhcpServer> {
  return DhcpServer.start(options);
}
