/**
 * One client connection: reads and parses its bytes, applies CONNECT,
 * SUB and UNSUB, hands PUBs to the broker, and batches outbound data into
 * one socket write per tick.
 *
 * @module
 */

import type { Logger } from "../log/logger.ts";
import { CloseReason, ProtocolErrorText } from "./errors.ts";
import type { ResolvedBrokerOptions } from "./options.ts";
import { OutBuffer } from "./out_buffer.ts";
import {
  latin1,
  ParseErrorKind,
  Parser,
  type ParserHandler,
} from "./parser.ts";
import {
  isValidPublishSubject,
  isValidQueueName,
  isValidSubject,
} from "./subject.ts";
import type { SublistEntry } from "./sublist.ts";

/** A client's subscription. */
export interface Subscription extends SublistEntry {
  /** The owning client. */
  readonly client: Client;
  /** The client's subscription id. */
  readonly sid: string;
  /** Messages delivered so far. */
  delivered: number;
  /** Auto-unsubscribe after this many messages; 0 for none. */
  max: number;
}

/** What a client needs from its broker. */
export interface BrokerContext {
  /** Resolved options. */
  readonly options: ResolvedBrokerOptions;
  /** Per-broker counters, updated by clients. */
  readonly counters: {
    msgsIn: number;
    msgsOut: number;
    bytesIn: number;
    bytesOut: number;
    slowConsumers: number;
  };
  /** Route a published message. */
  route(
    from: Client,
    subject: Uint8Array,
    reply: Uint8Array | undefined,
    headerSize: number,
    payload: Uint8Array,
  ): void;
  /** Index a new subscription. */
  addSubscription(sub: Subscription): void;
  /** Drop a subscription from the index. */
  removeSubscription(sub: Subscription): void;
  /** The client has closed. */
  clientClosed(client: Client, reason: CloseReason): void;
}

const CRLF = "\r\n";
const NO_RESPONDERS_HEADER = "NATS/1.0 503\r\n\r\n";

function safeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  }
  return diff === 0;
}

/** A connected client. Created by the broker for each accepted socket. */
export class Client implements ParserHandler {
  /** The client id announced in INFO. */
  readonly id: number;
  /** Remote address, `ip:port`. */
  readonly address: string;
  /** Subscriptions by sid. */
  readonly subs = new Map<string, Subscription>();
  /** CONNECT `verbose` (nats-server's default before CONNECT is true). */
  verbose = true;
  /** CONNECT `pedantic`. */
  pedantic = true;
  /** CONNECT `echo`. */
  echo = true;
  /** CONNECT `headers`. */
  headers = false;
  /** CONNECT `no_responders`. */
  noResponders = false;
  /** CONNECT `name`. */
  name = "";
  /** Resolves when the connection is closed and its loops have ended. */
  readonly done: Promise<void>;

  #conn: Deno.TcpConn;
  #ctx: BrokerContext;
  #log: Logger;
  #parser: Parser;
  #out = new OutBuffer();
  #spare = new OutBuffer();
  #inFlight = 0;
  #writing = false;
  #flushScheduled = false;
  #closing: CloseReason | undefined;
  #closed = false;
  #authed: boolean;
  #pingsOut = 0;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #authTimer: ReturnType<typeof setTimeout> | undefined;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;

  /**
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
    this.#log = ctx.options.logger.child({ cid: id, client: this.address });
    const o = ctx.options;
    this.#parser = new Parser(this, {
      maxControlLine: o.maxControlLine,
      maxPayload: o.maxPayload,
    });
    this.#authed = o.auth === undefined;
    try {
      conn.setNoDelay(true);
    } catch { /* not a TCP socket */ }
    this.#out.ascii(`INFO ${info} ${CRLF}`);
    this.#schedule();
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
    return this.#out.length + this.#inFlight;
  }

  async #readLoop(): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    try {
      while (!this.#closed && this.#closing === undefined) {
        const n = await this.#conn.read(buf);
        if (n === null) {
          this.#finish(CloseReason.ClientClosed);
          break;
        }
        this.#parser.feed(buf.subarray(0, n));
      }
    } catch (err) {
      if (!this.#closed && this.#closing === undefined) {
        this.#log.debug("Client read failed", { error: err });
        this.#finish(CloseReason.IoError);
      }
    }
    await this.#closedPromise;
  }

  #resolveClosed!: () => void;
  #closedPromise = new Promise<void>((r) => this.#resolveClosed = r);

  // ---- outbound -------------------------------------------------------

  #schedule(): void {
    if (this.#flushScheduled || this.#writing || this.#closed) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.#flush());
  }

  async #flush(): Promise<void> {
    this.#flushScheduled = false;
    if (this.#writing || this.#closed) return;
    this.#writing = true;
    try {
      while (this.#out.length > 0 && !this.#closed) {
        const buf = this.#out;
        this.#out = this.#spare;
        this.#spare = buf;
        let data = buf.view();
        this.#inFlight = data.length;
        while (data.length > 0) {
          const n = await this.#conn.write(data);
          data = data.subarray(n);
          this.#inFlight = data.length;
        }
        buf.reset();
      }
    } catch (err) {
      if (!this.#closed) this.#log.debug("Client write failed", { error: err });
      this.#inFlight = 0;
      this.#finish(this.#closing ?? CloseReason.IoError);
      return;
    } finally {
      this.#writing = false;
    }
    if (this.#closing !== undefined) this.#finish(this.#closing);
  }

  #afterWrite(): void {
    if (this.#out.length + this.#inFlight > this.#ctx.options.maxPending) {
      this.#ctx.counters.slowConsumers++;
      this.#log.warn("Slow consumer detected, closing connection", {
        pending: this.pending,
      });
      this.#finish(CloseReason.SlowConsumer);
      return;
    }
    this.#schedule();
  }

  #send(line: string): void {
    if (this.#closed || this.#closing !== undefined) return;
    this.#out.ascii(line);
    this.#afterWrite();
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
    if (this.#closed || this.#closing !== undefined) return;
    const out = this.#out;
    if (headerSize > 0 && this.headers) {
      out.ascii("HMSG ");
      out.bytes(subject);
      out.ascii(" " + sub.sid + " ");
      if (reply) {
        out.bytes(reply);
        out.ascii(" ");
      }
      out.ascii(headerSize + " " + payload.length + CRLF);
    } else {
      if (headerSize > 0) payload = payload.subarray(headerSize);
      out.ascii("MSG ");
      out.bytes(subject);
      out.ascii(" " + sub.sid + " ");
      if (reply) {
        out.bytes(reply);
        out.ascii(" ");
      }
      out.ascii(payload.length + CRLF);
    }
    out.bytes(payload);
    out.ascii(CRLF);
    const counters = this.#ctx.counters;
    counters.msgsOut++;
    counters.bytesOut += payload.length;
    sub.delivered++;
    if (sub.max > 0 && sub.delivered >= sub.max) this.#removeSub(sub);
    this.#afterWrite();
  }

  /**
   * Queue the no-responders status (`NATS/1.0 503`) for `sub`.
   *
   * @param sub this client's subscription matching the reply subject
   * @param reply the reply subject of the request
   */
  deliverNoResponders(sub: Subscription, reply: Uint8Array): void {
    if (this.#closed || this.#closing !== undefined) return;
    this.#out.ascii("HMSG ");
    this.#out.bytes(reply);
    this.#out.ascii(` ${sub.sid} 16 16${CRLF}${NO_RESPONDERS_HEADER}${CRLF}`);
    this.#afterWrite();
  }

  // ---- closing --------------------------------------------------------

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
    if (this.#closed || this.#closing !== undefined) return;
    this.#closing = reason;
    this.#parser.stop();
    this.#dropSubs();
    if (!this.#writing && this.#out.length === 0) {
      this.#finish(reason);
      return;
    }
    this.#closeTimer = setTimeout(() => this.#finish(reason), 1000);
    this.#schedule();
  }

  #finish(reason: CloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#parser.stop();
    clearInterval(this.#pingTimer);
    clearTimeout(this.#authTimer);
    clearTimeout(this.#closeTimer);
    this.#dropSubs();
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    this.#ctx.clientClosed(this, reason);
    this.#resolveClosed();
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
    this.#send("PING\r\n");
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
    if (this.verbose) this.#send("+OK\r\n");
  }

  // ---- ParserHandler --------------------------------------------------

  /** @inheritdoc */
  connect(json: string): void {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(json);
      if (typeof o !== "object" || o === null || Array.isArray(o)) {
        throw new TypeError("not an object");
      }
    } catch (err) {
      this.#log.warn("Client sent an invalid CONNECT", { error: err });
      this.closeAfterFlush(CloseReason.ProtocolViolation);
      return;
    }
    const flag = (key: string, current: boolean) =>
      typeof o[key] === "boolean" ? o[key] as boolean : current;
    this.verbose = flag("verbose", this.verbose);
    this.pedantic = flag("pedantic", this.pedantic);
    this.echo = flag("echo", this.echo);
    this.headers = flag("headers", this.headers);
    this.noResponders = flag("no_responders", this.noResponders);
    if (typeof o.name === "string") this.name = o.name;
    const auth = this.#ctx.options.auth;
    if (auth && !this.#authed) {
      const ok = "token" in auth
        ? typeof o.auth_token === "string" &&
          safeEqual(o.auth_token, auth.token)
        : typeof o.user === "string" && typeof o.pass === "string" &&
          safeEqual(o.user, auth.user) && safeEqual(o.pass, auth.pass);
      if (!ok) {
        this.#log.warn("Client authentication failed");
        this.closeWithError(
          ProtocolErrorText.Authorization,
          CloseReason.AuthenticationFailure,
        );
        return;
      }
      this.#authed = true;
      clearTimeout(this.#authTimer);
    }
    if (this.noResponders && !this.headers) {
      this.closeWithError(
        ProtocolErrorText.NoRespondersNeedHeaders,
        CloseReason.ProtocolViolation,
      );
      return;
    }
    this.#parser.headers = this.headers;
    this.#log.debug("Client connected", {
      name: this.name,
      lang: o.lang,
      version: o.version,
    });
    this.#ok();
  }

  /** @inheritdoc */
  ping(): void {
    if (this.#requireAuth()) this.#send("PONG\r\n");
  }

  /** @inheritdoc */
  pong(): void {
    if (this.#requireAuth()) this.#pingsOut = 0;
  }

  /** @inheritdoc */
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
    if (this.pedantic && !isValidPublishSubject(latin1(subject))) {
      this.#send(`-ERR '${ProtocolErrorText.InvalidPublishSubject}'${CRLF}`);
    }
    this.#ok();
    this.#ctx.route(this, subject, reply, headerSize, payload);
  }

  /** @inheritdoc */
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

  /** @inheritdoc */
  unsub(sid: string, max: number | undefined): void {
    if (!this.#requireAuth()) return;
    const sub = this.subs.get(sid);
    if (sub) {
      if (max !== undefined && max > 0 && max > sub.delivered) sub.max = max;
      else this.#removeSub(sub);
    }
    this.#ok();
  }

  /** @inheritdoc */
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
