/**
 * A small DHCPv4 client for tests, benchmarks and the `probe` command:
 * DISCOVER/OFFER/REQUEST/ACK, INFORM and RELEASE against one server address
 * and port, with retransmits and a timeout. It works on loopback with
 * unprivileged ports: it sends from an ephemeral port, and our server on a
 * port other than 67 answers a request from a port other than 67/68 at its
 * source address (a server on port 67 answers port 68: bind there).
 *
 * @module
 */
import dgram from "node:dgram";
import { MessageType, OptionCode } from "../dhcp/codes.ts";
import {
  decodeMessage,
  type DhcpMessage,
  encodeMessage,
} from "../dhcp/message.ts";
import { DhcpOptions } from "../dhcp/options.ts";
import { ip, parameterList, text, u16, u8 } from "../dhcp/option_values.ts";
import { messageTypeOf } from "../dhcp/modifiers.ts";
import { DhcpNakError, DhcpTimeoutError } from "./errors.ts";
import { type DhcpLease, leaseFromReply } from "./lease.ts";

/** Options of {@linkcode DhcpClient} and the one-shot functions. */
export interface DhcpClientOptions {
  /**
   * The server, `host:port`.
   * @default {"127.0.0.1:67"}
   */
  server?: string;
  /** The client's hardware address, colon hex. */
  mac: string;
  /**
   * Local address to send from, `host:port`; port 0 picks a free one.
   * @default {"0.0.0.0:0"}
   */
  bind?: string;
  /**
   * Give up on one exchange after this many milliseconds.
   * @default {5000}
   */
  timeout?: number;
  /**
   * First retransmit interval in milliseconds; doubles after each attempt.
   * @default {500}
   */
  retransmit?: number;
  /** Host name to send (option 12). */
  hostname?: string;
  /** Client identifier (option 61), raw bytes. */
  clientId?: Uint8Array;
  /**
   * Parameter request list (option 55); an empty list sends no option 55.
   * @default {[1, 3, 6, 12, 15, 28, 42, 119, 121]}
   */
  parameterRequestList?: number[];
  /** Vendor class identifier (option 60). */
  vendorClass?: string;
  /** User class (option 77), sent raw as iPXE does. */
  userClass?: string;
  /** Client architecture (option 93). */
  arch?: number;
  /** Maximum message size (option 57). */
  maxMessageSize?: number;
  /** More options to send, raw bytes per code. */
  extraOptions?: Iterable<readonly [number, Uint8Array]>;
  /**
   * Set the broadcast flag.
   * @default {false}
   */
  broadcastFlag?: boolean;
  /** giaddr to put in requests (pretend to be relayed). */
  gatewayIp?: string;
  /** Cancels the exchange in progress. */
  signal?: AbortSignal;
}

const DEFAULT_PRL = [1, 3, 6, 12, 15, 28, 42, 119, 121];

function splitHostPort(value: string, port: number): [string, number] {
  const i = value.lastIndexOf(":");
  return i === -1
    ? [value, port]
    : [value.slice(0, i), Number(value.slice(i + 1))];
}

function randomXid(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

/**
 * A DHCP client bound to one local UDP port.
 *
 * @example
 * ```ts ignore
 * await using client = await DhcpClient.open({ server: "127.0.0.1:1067", mac: "52:54:00:12:34:56" });
 * const lease = await client.dora();
 * ```
 */
export class DhcpClient implements AsyncDisposable {
  readonly #options: DhcpClientOptions;
  readonly #socket: dgram.Socket;
  readonly #serverHost: string;
  readonly #serverPort: number;
  #waiters = new Set<(reply: DhcpMessage) => void>();
  #closed?: Promise<void>;

  private constructor(options: DhcpClientOptions, socket: dgram.Socket) {
    this.#options = options;
    this.#socket = socket;
    [this.#serverHost, this.#serverPort] = splitHostPort(
      options.server ?? "127.0.0.1:67",
      67,
    );
    socket.on("message", (msg) => {
      let reply: DhcpMessage;
      try {
        reply = decodeMessage(
          new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength),
        );
      } catch {
        return; // not for us, or garbage
      }
      for (const waiter of this.#waiters) waiter(reply);
    });
  }

  /**
   * Open a client socket.
   *
   * @param options Server, MAC and request options.
   * @returns The client.
   * @throws {Error} When the local port cannot be bound.
   */
  static async open(options: DhcpClientOptions): Promise<DhcpClient> {
    const [host, port] = splitHostPort(options.bind ?? "0.0.0.0:0", 0);
    // SO_REUSEADDR only for a fixed port (68 beside a system client, say):
    // with port 0 it lets Linux hand two clients the same ephemeral port.
    const socket = dgram.createSocket({ type: "udp4", reuseAddr: port !== 0 });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(port, host, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    socket.setBroadcast(true);
    return new DhcpClient(options, socket);
  }

  /** The local address and port. */
  get local(): { address: string; port: number } {
    const a = this.#socket.address();
    return { address: a.address, port: a.port };
  }

  /**
   * Build a request of the given type with this client's options.
   *
   * @param type The message type.
   * @param xid Transaction id.
   * @returns The message, ready to change or send.
   */
  buildRequest(type: MessageType, xid: number = randomXid()): DhcpMessage {
    const o = this.#options;
    const options = new DhcpOptions().setAs(OptionCode.MessageType, u8, type);
    if (o.clientId) options.set(OptionCode.ClientIdentifier, o.clientId);
    if (o.hostname) options.setAs(OptionCode.HostName, text, o.hostname);
    if (o.maxMessageSize) {
      options.setAs(OptionCode.MaximumMessageSize, u16, o.maxMessageSize);
    }
    if (o.vendorClass) {
      options.setAs(OptionCode.VendorClassIdentifier, text, o.vendorClass);
    }
    if (o.userClass) options.setAs(OptionCode.UserClass, text, o.userClass);
    if (o.arch !== undefined) {
      options.setAs(OptionCode.ClientSystemArchitecture, u16, o.arch);
    }
    const prl = o.parameterRequestList ?? DEFAULT_PRL;
    if (prl.length > 0 && type !== MessageType.Release) {
      options.setAs(OptionCode.ParameterRequestList, parameterList, prl);
    }
    for (const [code, value] of o.extraOptions ?? []) options.set(code, value);
    return {
      op: 1,
      hardwareType: 1,
      hardwareLength: 6,
      hops: 0,
      transactionId: xid,
      seconds: 0,
      flags: o.broadcastFlag ? 0x8000 : 0,
      clientIp: "0.0.0.0",
      yourIp: "0.0.0.0",
      serverIp: "0.0.0.0",
      gatewayIp: o.gatewayIp ?? "0.0.0.0",
      clientHardwareAddress: o.mac.toLowerCase(),
      serverName: "",
      bootFileName: "",
      options,
    };
  }

  /**
   * Send a message and wait for a reply with its xid and one of `accept`
   * types, retransmitting with doubling intervals until the timeout.
   *
   * @param message The request.
   * @param accept Reply message types to accept.
   * @returns The reply.
   * @throws {DhcpTimeoutError} When no reply comes in time.
   */
  async exchange(message: DhcpMessage, accept: number[]): Promise<DhcpMessage> {
    const timeout = this.#options.timeout ?? 5000;
    let interval = this.#options.retransmit ?? 500;
    const bytes = encodeMessage(message);
    const signal = this.#options.signal;
    signal?.throwIfAborted();
    let attempts = 0;
    let waiter: ((reply: DhcpMessage) => void) | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    try {
      return await new Promise<DhcpMessage>((resolve, reject) => {
        const deadline = Date.now() + timeout;
        waiter = (reply) => {
          const type = messageTypeOf(reply);
          if (
            reply.op === 2 && reply.transactionId === message.transactionId &&
            reply.clientHardwareAddress === message.clientHardwareAddress &&
            type !== undefined && accept.includes(type)
          ) resolve(reply);
        };
        this.#waiters.add(waiter);
        onAbort = () => reject(signal!.reason);
        signal?.addEventListener("abort", onAbort, { once: true });
        const send = () => {
          const left = deadline - Date.now();
          if (left <= 0) {
            const name = Object.entries(MessageType).find(([, v]) =>
              v === messageTypeOf(message)
            )?.[0].toUpperCase() ?? "request";
            reject(
              new DhcpTimeoutError(
                name,
                this.#options.server ?? "127.0.0.1:67",
                timeout,
                attempts,
              ),
            );
            return;
          }
          attempts++;
          this.#socket.send(bytes, this.#serverPort, this.#serverHost);
          timer = setTimeout(send, Math.min(interval, left));
          interval *= 2;
        };
        send();
      });
    } finally {
      if (waiter) this.#waiters.delete(waiter);
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * DISCOVER and wait for an OFFER.
   *
   * @returns The OFFER.
   * @throws {DhcpTimeoutError} When none comes.
   */
  discover(): Promise<DhcpMessage> {
    return this.exchange(this.buildRequest(MessageType.Discover), [
      MessageType.Offer,
    ]);
  }

  /**
   * REQUEST an address (SELECTING when `serverId` is given, else INIT-REBOOT)
   * and wait for ACK or NAK.
   *
   * @param requestedIp Option 50.
   * @param serverId Option 54, the server chosen.
   * @param xid Transaction id (the OFFER's, when selecting).
   * @returns The lease.
   * @throws {DhcpNakError} On NAK.
   * @throws {DhcpTimeoutError} When no answer comes.
   */
  request(
    requestedIp: string,
    serverId?: string,
    xid?: number,
  ): Promise<DhcpLease> {
    const message = this.buildRequest(MessageType.Request, xid);
    message.options.setAs(OptionCode.RequestedIpAddress, ip, requestedIp);
    if (serverId) {
      message.options.setAs(OptionCode.ServerIdentifier, ip, serverId);
    }
    return this.#ackOrNak(message);
  }

  /**
   * REQUEST in RENEWING state: ciaddr set, no option 50 or 54.
   *
   * @param clientIp The address held.
   * @returns The renewed lease.
   * @throws {DhcpNakError} On NAK.
   * @throws {DhcpTimeoutError} When no answer comes.
   */
  renew(clientIp: string): Promise<DhcpLease> {
    const message = this.buildRequest(MessageType.Request);
    message.clientIp = clientIp;
    return this.#ackOrNak(message);
  }

  async #ackOrNak(message: DhcpMessage): Promise<DhcpLease> {
    const reply = await this.exchange(message, [
      MessageType.Ack,
      MessageType.Nak,
    ]);
    if (messageTypeOf(reply) === MessageType.Nak) {
      let text56: string | undefined;
      try {
        text56 = reply.options.getAs(OptionCode.Message, text);
      } catch { /* no message */ }
      throw new DhcpNakError(reply, text56);
    }
    return leaseFromReply(reply);
  }

  /**
   * DISCOVER, OFFER, REQUEST, ACK.
   *
   * @returns The lease.
   * @throws {DhcpNakError} On NAK.
   * @throws {DhcpTimeoutError} When a step gets no answer.
   */
  async dora(): Promise<DhcpLease> {
    const offer = await this.discover();
    const serverId = offer.options.get(OptionCode.ServerIdentifier);
    return await this.request(
      offer.yourIp,
      serverId ? ip.decode(serverId) : undefined,
      offer.transactionId,
    );
  }

  /**
   * INFORM: ask for configuration for an address already held.
   *
   * @param clientIp ciaddr.
   * @returns The configuration (address `0.0.0.0`, no lease time).
   * @throws {DhcpTimeoutError} When no ACK comes.
   */
  async inform(clientIp: string): Promise<DhcpLease> {
    const message = this.buildRequest(MessageType.Inform);
    message.clientIp = clientIp;
    return leaseFromReply(await this.exchange(message, [MessageType.Ack]));
  }

  /**
   * RELEASE an address (no answer expected).
   *
   * @param clientIp The address.
   * @param serverId The server's identifier (option 54).
   */
  async release(clientIp: string, serverId: string): Promise<void> {
    const message = this.buildRequest(MessageType.Release);
    message.clientIp = clientIp;
    message.options.setAs(OptionCode.ServerIdentifier, ip, serverId);
    await this.sendRaw(encodeMessage(message));
  }

  /**
   * Send raw bytes to the server (for tests of malformed input).
   *
   * @param bytes The datagram.
   */
  async sendRaw(bytes: Uint8Array): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.#socket.send(
        bytes,
        this.#serverPort,
        this.#serverHost,
        (e) => e ? reject(e) : resolve(),
      )
    );
  }

  /** Close the socket. Idempotent. */
  close(): Promise<void> {
    return this.#closed ??= new Promise<void>((resolve) =>
      this.#socket.close(() => resolve())
    );
  }

  /** Same as {@linkcode DhcpClient.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Get a lease: DISCOVER, OFFER, REQUEST, ACK.
 *
 * @param options Server, MAC and request options.
 * @returns The lease.
 * @throws {DhcpNakError} On NAK.
 * @throws {DhcpTimeoutError} When a step gets no answer.
 * @example
 * ```ts ignore
 * const lease = await dora({ server: "127.0.0.1:1067", mac: "52:54:00:12:34:56" });
 * console.log(lease.address, lease.leaseTime);
 * ```
 */
export async function dora(options: DhcpClientOptions): Promise<DhcpLease> {
  await using client = await DhcpClient.open(options);
  return await client.dora();
}

/**
 * Ask for configuration without a lease (DHCPINFORM).
 *
 * @param options Server, MAC and request options, and ciaddr.
 * @returns The configuration.
 * @throws {DhcpTimeoutError} When no ACK comes.
 */
export async function inform(
  options: DhcpClientOptions & { clientIp: string },
): Promise<DhcpLease> {
  await using client = await DhcpClient.open(options);
  return await client.inform(options.clientIp);
}

/**
 * Release an address (DHCPRELEASE; the server sends no answer).
 *
 * @param options Server, MAC, the address and the server identifier.
 */
export async function release(
  options: DhcpClientOptions & { clientIp: string; serverId: string },
): Promise<void> {
  await using client = await DhcpClient.open(options);
  await client.release(options.clientIp, options.serverId);
}
