/**
 * The built-in TFTP server: read-only, serving a boot directory. Each read
 * request gets its own transfer (own UDP port); write requests, netascii and
 * mail modes, and any path outside the directory are refused with a TFTP
 * error and a log line.
 *
 * @module
 */

import type { Logger } from "../../log/logger.ts";
import { silentLogger } from "../../log/logger.ts";
import { BootDir } from "../boot_dir.ts";
import { negotiate } from "./negotiate.ts";
import {
  decodeClientPacket,
  encodeError,
  ErrorCode,
  Opcode,
  type TftpRequest,
} from "./packet.ts";
import { runTransfer } from "./transfer.ts";
import { sockaddrIn } from "../../sys/sockaddr.ts";
import { UdpPoller } from "./_udp_poller.ts";

/** Options of {@linkcode startTftpServer}. */
export interface TftpServerOptions {
  /** Address to listen on. */
  hostname: string;
  /**
   * UDP port (0: any free port).
   * @default {69}
   */
  port?: number;
  /** The boot directory served. */
  dir: string;
  /**
   * Transfers at once; a read request over the cap gets error 0 "server busy".
   * @default {64}
   */
  maxTransfers?: number;
  /**
   * Largest block size granted (blksize option).
   * @default {65464}
   */
  maxBlockSize?: number;
  /**
   * Largest window granted, in blocks (windowsize option).
   * @default {64}
   */
  maxWindowSize?: number;
  /**
   * Largest window granted, in bytes: the memory one transfer may hold.
   * @default {1048576}
   */
  maxWindowBytes?: number;
  /**
   * First retransmission timeout in milliseconds, doubled per retry (the
   * client's timeout option replaces it).
   * @default {1000}
   */
  retransmitMs?: number;
  /**
   * Retransmission timeout ceiling in milliseconds.
   * @default {8000}
   */
  maxRetransmitMs?: number;
  /**
   * Retransmissions without progress before a transfer is given up.
   * @default {5}
   */
  maxRetries?: number;
  /**
   * Logger.
   * @default {silentLogger}
   */
  logger?: Logger;
}

/** A running TFTP server. */
export interface TftpServer extends AsyncDisposable {
  /** The bound address. */
  readonly hostname: string;
  /** The bound port. */
  readonly port: number;
  /** Transfers running now. */
  readonly activeTransfers: number;
  /** Stop listening and end every transfer. Idempotent. */
  close(): Promise<void>;
}

function refusalCode(refusal: "not-found" | "forbidden"): number {
  return refusal === "not-found"
    ? ErrorCode.FileNotFound
    : ErrorCode.AccessViolation;
}

/**
 * Start the TFTP server.
 *
 * @param options Where to listen, what to serve, the limits.
 * @returns The running server.
 * @throws {Error} When the port cannot be bound (the message says why).
 * @example
 * ```ts ignore
 * import { startTftpServer } from "./server.ts";
 * await using tftp = await startTftpServer({ hostname: "127.0.0.1", port: 0, dir: "/usr/lib/ipxe" });
 * console.log(tftp.port);
 * ```
 */
export async function startTftpServer(
  options: TftpServerOptions,
): Promise<TftpServer> {
  const logger = options.logger ?? silentLogger;
  const dir = new BootDir(options.dir);
  const maxTransfers = options.maxTransfers ?? 64;
  const limits = {
    maxBlockSize: options.maxBlockSize ?? 65464,
    maxWindowSize: options.maxWindowSize ?? 64,
    maxWindowBytes: options.maxWindowBytes ?? 1 << 20,
  };
  const retransmit = {
    initialMs: options.retransmitMs ?? 1000,
    maxMs: options.maxRetransmitMs ?? 8000,
    maxRetries: options.maxRetries ?? 5,
  };
  const stop = new AbortController();
  const active = new Map<string, Promise<void>>();
  const poller = new UdpPoller();
  const port = options.port ?? 69;

  const refuse = (
    to: { address: string; port: number },
    code: number,
    message: string,
    fields: Record<string, unknown>,
  ) => {
    logger.warn("tftp request refused", {
      client: `${to.address}:${to.port}`,
      error: message,
      ...fields,
    });
    socket.send(encodeError(code, message), sockaddrIn(to.address, to.port));
  };

  const start = async (
    request: TftpRequest,
    from: { address: string; port: number },
  ) => {
    const client = `${from.address}:${from.port}`;
    const opened = await dir.open(request.filename);
    if ("refusal" in opened) {
      refuse(
        from,
        refusalCode(opened.refusal),
        opened.refusal === "not-found" ? "File not found" : "Access violation",
        { file: request.filename, reason: opened.reason },
      );
      return;
    }
    const negotiated = negotiate(request.options, opened.size, limits);
    const began = performance.now();
    const result = await runTransfer({
      address: from.address,
      port: from.port,
      localHost: options.hostname,
      poller,
      file: opened.file,
      negotiated,
      retransmit,
      signal: stop.signal,
    });
    const fields = {
      client,
      file: request.filename,
      status: result.status,
      bytes: result.bytes,
      size: opened.size,
      blksize: negotiated.blockSize,
      windowsize: negotiated.windowSize,
      retransmits: result.retransmits,
      ms: Math.round(performance.now() - began),
      ...(result.clientError && { clientError: result.clientError }),
    };
    if (result.status === "done") logger.info("tftp transfer", fields);
    else if (result.afterOptionAck && result.status === "aborted") {
      // EDK2 asks for tsize only, then ends the transfer with error 8.
      logger.debug("tftp size probe", fields);
    } else logger.warn("tftp transfer ended early", fields);
  };

  const onRequest = (msg: Uint8Array, address: string, fromPort: number) => {
    const from = { address, port: fromPort };
    if (stop.signal.aborted) return;
    let packet;
    try {
      packet = decodeClientPacket(msg);
    } catch (error) {
      refuse(from, ErrorCode.IllegalOperation, "Illegal TFTP operation", {
        reason: (error as Error).message,
      });
      return;
    }
    if (packet.opcode === Opcode.WriteRequest) {
      refuse(from, ErrorCode.AccessViolation, "Write requests are refused", {
        file: packet.filename,
      });
      return;
    }
    if (packet.opcode !== Opcode.ReadRequest) return; // stray ACK/ERROR
    if (packet.mode !== "octet") {
      refuse(
        from,
        ErrorCode.IllegalOperation,
        `Mode ${packet.mode} is not supported, use octet`,
        { file: packet.filename },
      );
      return;
    }
    const key = `${from.address}:${from.port}`;
    if (active.has(key)) return; // a retransmitted request: already serving it
    if (active.size >= maxTransfers) {
      refuse(from, ErrorCode.NotDefined, "Server busy, try again later", {
        file: packet.filename,
        maxTransfers,
      });
      return;
    }
    const running = start(packet, from)
      .catch((error) =>
        logger.warn("tftp transfer failed", { client: key, error })
      )
      .finally(() => active.delete(key));
    active.set(key, running);
  };
  let socket: ReturnType<UdpPoller["open"]>;
  try {
    socket = poller.open(options.hostname, port, onRequest);
  } catch (error) {
    await poller.close();
    throw new Error(
      `Cannot bind TFTP ${options.hostname}:${port}: ${
        (error as Error).message
      }${
        port < 1024
          ? " (ports under 1024 need root or CAP_NET_BIND_SERVICE)"
          : ""
      }`,
      { cause: error },
    );
  }

  let closed: Promise<void> | undefined;
  const close = () =>
    closed ??= (async () => {
      stop.abort();
      socket.close();
      await Promise.allSettled([...active.values()]);
      await poller.close();
    })();
  return {
    hostname: socket.address,
    port: socket.port,
    get activeTransfers() {
      return active.size;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
