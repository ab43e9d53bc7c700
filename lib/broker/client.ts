/**
 * One client connection: reads and parses its bytes, applies CONNECT,
 * SUB and UNSUB, hands PUBs to the broker, and queues outbound data on a
 * {@linkcode ConnWriter}.
 *
 * @module
 */

import type { Logger } from "../log/logger.ts";
import {
  type ConnectOptions,
  DEFAULT_CONNECT_OPTIONS,
  parseConnect,
} from "./connect_options.ts";
import { CloseReason, ProtocolErrorText } from "./errors.ts";
import type { BrokerContext, Connection, Subscription } from "./context.ts";
import { appendMsg } from "./out_buffer.ts";
import { latin1, release } from "./bytes.ts";
import { ParseErrorKind, Parser, type ParserHandler } from "./parser.ts";
import {
  isValidPublishSubject,
  isValidQueueName,
  isValidSubject,
} from "./subject.ts";
import { ConnWriter } from "./writer.ts";

const CRLF = "\r\n";
/** First (and smallest) size of a connection's read buffer, in bytes. */
const READ_MIN = 512;
/** Largest read buffer, in bytes. */
const READ_MAX = 64 * 1024;

/** A connected client. Created by the broker for each accepted socket. */
export class Client implements ParserHandler, Connection {
  /** The client id announced in INFO. */
  readonly id: number;
  /** Remote address, `ip:port`. */
  readonly address: string;
  /** Subscriptions by sid. */
  readonly subs = new Map<string, Subscription>();
  /** Options from CONNECT (nats-server's defaults before it). */
  opts: Readonly<ConnectOptions> = DEFAULT_CONNECT_OPTIONS;
  /** Resolves when the connection is closed and its read loop has ended. */
  readonly done: Promise<void>;

  #conn: Deno.TcpConn;
  #ctx: BrokerContext;
  #log: Logger;
  #parser: Parser;
  #readBuffer: Uint8Array<ArrayBuffer> = new Uint8Array(READ_MIN);
  /** Size of the last read if it used under a quarter of the buffer, or -1. */
  #shortRead = -1;
  #writer: ConnWriter;
  #closing: CloseReason | undefined;
  #closed = false;
  #authed: boolean;
  #pingsOut = 0;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #authTimer: ReturnType<typeof setTimeout> | undefined;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #resolveDone!: () => void;
  #finished = new Promise<void>((r) => this.#resolveDone = r);

  /**
   * Start serving an accepted socket: send INFO, start the timers and the
   * read loop.
   *
   * @param conn the accepted socket
   * @param id client id
   * @param ctx the broker
   * @param info INFO JSON for this client
   */
  constructor(
    conn: Deno.TcpConn,
    id: number,
    ctx: BrokerContext,
    info: string,
  ) {
    this.#conn = conn;
    this.id = id;
    this.#ctx = ctx;
    const addr = conn.remoteAddr as Deno.NetAddr;
    this.address = `${addr.hostname}:${addr.port}`;
    const o = ctx.options;
    this.#log = o.logger.child({ cid: id, client: this.address });
    this.#parser = new Parser(this, {
      maxControlLine: o.maxControlLine,
      maxPayload: o.maxPayload,
    });
    this.#writer = new ConnWriter(conn, {
      onError: (err) => {
        if (!this.#closed) {
          this.#log.debug("Client write failed", { error: err });
        }
        this.#finish(this.#closing ?? CloseReason.IoError);
      },
      onIdle: () => {
        if (this.#closing !== undefined) this.#finish(this.#closing);
      },
      onRelease: (bytes) => ctx.released(bytes),
    });
    this.#authed = o.auth === undefined;
    try {
      conn.setNoDelay(true);
    } catch { /* not supported on this socket */ }
    this.#send(`INFO ${info} ${CRLF}`);
    this.#pingTimer = setInterval(() => this.#sendPing(), o.pingInterval);
    if (!this.#authed) {
      this.#authTimer = setTimeout(() => {
        this.#log.warn("Client did not authenticate in time");
        this.closeWithError(
          ProtocolErrorText.AuthTimeout,
          CloseReason.AuthenticationTimeout,
        );
      }, o.authTimeout);
    }
    this.done = this.#readLoop();
  }

  /** Bytes queued for this client and not yet written. */
  get pending(): number {
    return this.#writer.pending;
  }

  /** Bytes of memory held by this connection's read and write buffers. */
  get buffered(): number {
    return this.#readBuffer.length + this.#writer.capacity;
  }

  /**
   * The buffer for the next read after one of `n` bytes: twice as large
   * when that read filled it (up to 64 KiB); after two reads in a row that
   * used less than a quarter of it, the smallest power of two at least
   * twice the larger of them (at least 512 bytes), so a drained connection
   * is back to its idle size after two small reads.
   */
  #resizeReadBuffer(n: number): void {
    const size = this.#readBuffer.length;
    let next = size;
    if (n === size) next = Math.min(size * 2, READ_MAX);
    else if (n < size / 4 && size > READ_MIN) {
      if (this.#shortRead >= 0) {
        const want = 2 * Math.max(n, this.#shortRead);
        next = READ_MIN;
        while (next < want) next *= 2;
      } else {
        this.#shortRead = n;
        return;
      }
    }
    this.#shortRead = -1;
    if (next === size) return;
    this.#releaseReadBuffer();
    this.#readBuffer = new Uint8Array(next);
  }

  async #readLoop(): Promise<void> {
    try {
      while (!this.#closed && this.#closing === undefined) {
        const buf = this.#readBuffer;
        const n = await this.#conn.read(buf);
        if (n === null) {
          this.#finish(CloseReason.ClientClosed);
          break;
        }
        try {
          this.#parser.feed(buf.subarray(0, n));
        } catch (err) {
          // A bug of ours must cost this connection only, never the broker.
          this.#log.error("Broker failed on client input, closing", {
            error: err,
          });
          this.#finish(CloseReason.ProtocolViolation);
        }
        this.#resizeReadBuffer(n);
      }
    } catch (err) {
      if (!this.#closed && this.#closing === undefined) {
        this.#log.debug("Client read failed", { error: err });
        this.#finish(CloseReason.IoError);
      }
    }
    await this.#finished;
    this.#releaseReadBuffer();
  }

  #releaseReadBuffer(): void {
    const size = this.#readBuffer.length;
    release(this.#readBuffer);
    this.#ctx.released(size);
  }

  get #open(): boolean {
    return !this.#closed && this.#closing === undefined;
  }

  #queued(): void {
    if (this.#writer.pending > this.#ctx.options.maxPending) {
      this.#ctx.counters.slowConsumers++;
      this.#log.warn("Slow consumer detected, closing connection", {
        pending: this.#writer.pending,
        buffered: this.#writer.capacity,
      });
      this.#finish(CloseReason.SlowConsumer);
      return;
    }
    this.#writer.schedule();
  }

  #send(line: string): void {
    if (!this.#open) return;
    this.#writer.out.ascii(line);
    this.#queued();
  }

  /**
   * Queue a message for `sub` (MSG, or HMSG when it has headers and the
   * client takes them). Auto-unsubscribes when the max is reached.
   *
   * @param sub the receiving subscription
   * @param subject subject bytes
   * @param reply reply-subject bytes
   * @param headerSize header bytes at the start of `payload`, -1 for none
   * @param payload headers and body
   */
  deliver(
    sub: Subscription,
    subject: Uint8Array,
    reply: Uint8Array | undefined,
    headerSize: number,
    payload: Uint8Array,
  ): void {
    if (!this.#open) return;
    const size = appendMsg(
      this.#writer.out,
      subject,
      sub.sid,
      reply,
      headerSize,
      payload,
      this.opts.headers,
    );
    const counters = this.#ctx.counters;
    counters.msgsOut++;
    counters.bytesOut += size;
    sub.delivered++;
    if (sub.max > 0 && sub.delivered >= sub.max) this.#removeSub(sub);
    this.#queued();
  }

  /**
   * Queue the no-responders status (`NATS/1.0 503`) for `sub`.
   *
   * @param sub this client's subscription matching the reply subject
   * @param reply the reply subject of the request
   */
  deliverNoResponders(sub: Subscription, reply: Uint8Array): void {
    if (!this.#open) return;
    const out = this.#writer.out;
    out.ascii("HMSG ");
    out.bytes(reply);
    out.ascii(` ${sub.sid} 16 16${CRLF}NATS/1.0 503${CRLF}${CRLF}${CRLF}`);
    this.#queued();
  }

  /**
   * Send `-ERR 'text'`, then close once it is written.
   *
   * @param text the error text
   * @param reason why, for the log
   */
  closeWithError(text: ProtocolErrorText, reason: CloseReason): void {
    this.#send(`-ERR '${text}'${CRLF}`);
    this.closeAfterFlush(reason);
  }

  /**
   * Stop reading, drop subscriptions, and close once pending data is
   * written (at most one second later).
   *
   * @param reason why, for the log
   */
  closeAfterFlush(reason: CloseReason): void {
    if (!this.#open) return;
    this.#closing = reason;
    this.#parser.stop();
    this.#dropSubs();
    if (!this.#writer.busy) {
      this.#finish(reason);
      return;
    }
    this.#closeTimer = setTimeout(() => this.#finish(reason), 1000);
  }

  #finish(reason: CloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#parser.stop();
    this.#writer.stop();
    clearInterval(this.#pingTimer);
    clearTimeout(this.#authTimer);
    clearTimeout(this.#closeTimer);
    this.#dropSubs();
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    this.#ctx.clientClosed(this, reason);
    this.#resolveDone();
  }

  #dropSubs(): void {
    for (const sub of this.subs.values()) this.#ctx.removeSubscription(sub);
    this.subs.clear();
  }

  #removeSub(sub: Subscription): void {
    if (this.subs.get(sub.sid) === sub) this.subs.delete(sub.sid);
    this.#ctx.removeSubscription(sub);
  }

  #sendPing(): void {
    if (this.#pingsOut + 1 > this.#ctx.options.maxPingsOut) {
      this.#log.info("Stale client connection, closing");
      this.closeWithError(
        ProtocolErrorText.StaleConnection,
        CloseReason.StaleConnection,
      );
      return;
    }
    this.#pingsOut++;
    this.#send(`PING${CRLF}`);
  }

  #requireAuth(): boolean {
    if (this.#authed) return true;
    this.#log.warn("Client sent an operation before authenticating");
    this.closeWithError(
      ProtocolErrorText.Authorization,
      CloseReason.AuthenticationFailure,
    );
    return false;
  }

  #ok(): void {
    if (this.opts.verbose) this.#send(`+OK${CRLF}`);
  }

  /** CONNECT: apply options, check credentials. */
  connect(json: string): void {
    let parsed;
    try {
      parsed = parseConnect(
        json,
        this.opts,
        this.#authed ? undefined : this.#ctx.options.auth,
      );
    } catch (err) {
      this.#log.warn("Client sent an invalid CONNECT", { error: err });
      this.closeAfterFlush(CloseReason.ProtocolViolation);
      return;
    }
    if (!parsed.authorized) {
      this.#log.warn("Client authentication failed");
      this.closeWithError(
        ProtocolErrorText.Authorization,
        CloseReason.AuthenticationFailure,
      );
      return;
    }
    this.#authed = true;
    clearTimeout(this.#authTimer);
    const opts = this.opts = parsed.options;
    if (opts.noResponders && !opts.headers) {
      this.closeWithError(
        ProtocolErrorText.NoRespondersNeedHeaders,
        CloseReason.ProtocolViolation,
      );
      return;
    }
    this.#parser.headers = opts.headers;
    this.#log.debug("Client connected", {
      name: opts.name,
      lang: opts.lang,
      version: opts.version,
    });
    this.#ok();
  }

  /** PING: answer PONG. */
  ping(): void {
    if (this.#requireAuth()) this.#send(`PONG${CRLF}`);
  }

  /** PONG: the client is alive. */
  pong(): void {
    if (this.#requireAuth()) this.#pingsOut = 0;
  }

  /** PUB/HPUB: check, acknowledge, and route. */
  pub(
    subject: Uint8Array,
    reply: Uint8Array | undefined,
    headerSize: number,
    payload: Uint8Array,
  ): void {
    if (!this.#requireAuth()) return;
    const counters = this.#ctx.counters;
    counters.msgsIn++;
    counters.bytesIn += payload.length;
    if (this.opts.pedantic && !isValidPublishSubject(latin1(subject))) {
      this.#send(`-ERR '${ProtocolErrorText.InvalidPublishSubject}'${CRLF}`);
    }
    this.#ok();
    this.#ctx.route(this, subject, reply, headerSize, payload);
  }

  /** SUB: validate and index; a known sid is ignored. */
  sub(
    subjectBytes: Uint8Array,
    queueBytes: Uint8Array | undefined,
    sid: string,
  ): void {
    if (!this.#requireAuth()) return;
    const subject = latin1(subjectBytes);
    const queue = queueBytes ? latin1(queueBytes) : undefined;
    if (
      !isValidSubject(subject) ||
      (queue !== undefined && !isValidQueueName(queue))
    ) {
      this.#send(`-ERR '${ProtocolErrorText.InvalidSubject}'${CRLF}`);
      return;
    }
    if (!this.subs.has(sid)) {
      const sub: Subscription = {
        client: this,
        subject,
        queue,
        sid,
        delivered: 0,
        max: 0,
      };
      this.subs.set(sid, sub);
      this.#ctx.addSubscription(sub);
    }
    this.#ok();
  }

  /** UNSUB: remove now, or after `max` deliveries in all. */
  unsub(sid: string, max: number | undefined): void {
    if (!this.#requireAuth()) return;
    const sub = this.subs.get(sid);
    if (sub) {
      if (max !== undefined && max > 0 && max > sub.delivered) sub.max = max;
      else this.#removeSub(sub);
    }
    this.#ok();
  }

  /** A parse error: `-ERR` (or not, as nats-server does) and close. */
  error(kind: ParseErrorKind, detail: string): void {
    this.#log.warn("Client protocol error", { error: detail });
    switch (kind) {
      case ParseErrorKind.UnknownOperation:
        return this.closeWithError(
          ProtocolErrorText.UnknownOperation,
          CloseReason.ProtocolViolation,
        );
      case ParseErrorKind.MaxPayload:
        return this.closeWithError(
          ProtocolErrorText.MaxPayload,
          CloseReason.MaxPayload,
        );
      case ParseErrorKind.MaxControlLine:
        return this.closeWithError(
          ProtocolErrorText.MaxControlLine,
          CloseReason.MaxControlLine,
        );
      default:
        return this.closeAfterFlush(CloseReason.ProtocolViolation);
    }
  }
}
