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
  type ProxyMode,
  resolveSettings,
  type ServerSettings,
} from "./options.ts";
import {
  proxyHandlers,
  type ProxyPort,
  pxeSourceAccepted,
} from "./proxy_handler.ts";
import { PacketProcessor } from "./processor.ts";
import { RateLimiter } from "./rate_limit.ts";
import { reservationHandler } from "./reservation_handler.ts";
import { openServerSocket } from "./open_socket.ts";
import type {
  DhcpSocket,
  OpenSocketOptions,
  ReceivedPacket,
} from "./socket.ts";

/**
 * The default handler chain: reservation, then netboot; in proxyDHCP mode
 * the proxy chain of the socket (see {@linkcode proxyHandlers}).
 *
 * @param backend Where reservations come from.
 * @param counters Counters to record lookup outcomes in.
 * @param proxy proxyDHCP mode and socket.
 * @returns The chain.
 */
export function defaultHandlers(
  backend: Backend,
  counters: Counters,
  proxy: { mode: ProxyMode; via?: ProxyPort } = { mode: "off" },
): Handler[] {
  if (proxy.mode !== "off") {
    return proxyHandlers(backend, counters, {
      mode: proxy.mode,
      via: proxy.via ?? "dhcp",
    });
  }
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
  /** proxyDHCP mode: the PXE boot server socket (4011) and its chain. */
  #pxe?: Listener;
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
    // Same budget as malformed packets: the batch socket reports each
    // datagram over its 4096-byte slot here, and a flood of them must not
    // flood the log.
    const errorLog = new RateLimiter(settings.malformedLogPerSecond);
    const onError = (error: Error) => {
      if (!errorLog.allow()) return;
      const suppressed = errorLog.takeSuppressed();
      logger.error("socket error", {
        reason: error.message,
        ...(suppressed ? { suppressed } : {}),
      });
    };
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
    const { socket, kind } = await openSocket(settings, settings.listenPort, {
      onPacket: (packet) => {
        if (ref.server) ref.server.#receive(packet);
      },
      onError,
      refuse,
    }, logger);
    let pxeSocket: DhcpSocket | undefined;
    if (settings.proxy !== "off") {
      try {
        ({ socket: pxeSocket } = await openSocket(
          settings,
          settings.proxyPort,
          {
            onPacket: (packet) => {
              if (!pxeSourceAccepted(settings.proxyPort, packet.port)) {
                counters.drop(DropReason.unsupported);
              } else if (ref.server) {
                ref.server.#receive(packet, ref.server.#pxe);
              }
            },
            onError,
            refuse,
          },
          logger,
        ));
      } catch (error) {
        await socket.close();
        throw error;
      }
    }
    const processor = new PacketProcessor({
      settings,
      handlers: defaultHandlers(backend, counters, {
        mode: settings.proxy,
        via: "dhcp",
      }),
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
    if (pxeSocket !== undefined) {
      const pxeSettings = { ...settings, listenPort: pxeSocket.local.port };
      server.#pxe = {
        socket: pxeSocket,
        processor: new PacketProcessor({
          settings: pxeSettings,
          handlers: defaultHandlers(backend, counters, {
            mode: settings.proxy,
            via: "pxe",
          }),
          logger,
          counters,
        }),
      };
    }
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
      socket: kind,
      serverIp: settings.serverIp,
      netboot: settings.netboot.enabled,
      ...(server.#pxe && {
        proxy: settings.proxy,
        pxePort: server.#pxe.socket.local.port,
      }),
    });
    return server;
  }

  /** The bound address and port (the real port when 0 was asked). */
  get address(): { address: string; port: number } {
    return this.#socket.local;
  }

  /** The PXE boot server port (4011) in proxyDHCP mode, else `undefined`. */
  get proxyAddress(): { address: string; port: number } | undefined {
    return this.#pxe?.socket.local;
  }

  /** A snapshot of the counters. */
  get counters(): ServerCounters {
    return this.#counters.snapshot();
  }

  #receive(packet: ReceivedPacket, listener?: Listener): void {
    if (this.#closing) {
      this.#counters.drop(DropReason.closing);
      return;
    }
    const task = this.#handle(packet, listener).catch((error) => {
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

  async #handle(packet: ReceivedPacket, listener?: Listener): Promise<void> {
    // Replies leave by the socket the request came in on: iPXE takes a
    // 4011 answer only from port 4011.
    const { socket, processor } = listener ??
      { socket: this.#socket, processor: this.#processor };
    const out = await processor.process(packet.data, packet);
    if (out === undefined || this.#closing) return;
    const { address, port } = out.destination;
    try {
      await socket.send(out.bytes, address, port);
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
      this.#pxe?.processor.abort();
      await Promise.allSettled([...this.#pending]);
      await this.#socket.close();
      await this.#pxe?.socket.close();
      this.#logger.info("DHCP server stopped");
    })();
  }

  /** Same as {@linkcode DhcpServer.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** One bound socket and the processor of what arrives on it. */
interface Listener {
  socket: DhcpSocket;
  processor: PacketProcessor;
}

/**
 * Bind the server's UDP socket on `port`: on the interface when one is set,
 * else the batch socket where it can be used (see {@linkcode openServerSocket}).
 */
function openSocket(
  settings: ServerSettings,
  port: number,
  callbacks: Pick<OpenSocketOptions, "onPacket" | "onError" | "refuse">,
  logger: Logger,
): ReturnType<typeof openServerSocket> {
  return openServerSocket({
    interface: settings.interface,
    host: settings.listenHost,
    port,
    ...callbacks,
  }, logger);
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
