/**
 * The client-protocol parser: a byte-at-a-time state machine with no I/O.
 * Feed it chunks split anywhere; it calls a {@linkcode ParserHandler} for
 * each complete operation and stops at the first error.
 *
 * @module
 */

import { latin1, parseSize, release, splitArgs } from "./bytes.ts";

/** What a parse error means for the connection. */
export const ParseErrorKind = {
  /** Unknown operation or a bad payload end: `-ERR 'Unknown Protocol Operation'`. */
  UnknownOperation: "unknown-operation",
  /** Wrong arguments (count, size): closed without an `-ERR`, as nats-server does. */
  BadArguments: "bad-arguments",
  /** Payload size above the limit: `-ERR 'Maximum Payload Violation'`. */
  MaxPayload: "max-payload",
  /** Control line above the limit: `-ERR 'maximum control line exceeded'`. */
  MaxControlLine: "max-control-line",
  /** HPUB on a connection that did not ask for headers: closed silently. */
  HeadersNotSupported: "headers-not-supported",
} as const;

/** One of the kinds of {@linkcode ParseErrorKind}. */
export type ParseErrorKind = typeof ParseErrorKind[keyof typeof ParseErrorKind];

/**
 * Receives parsed operations. Byte arrays are views into parser buffers and
 * are valid only during the call: copy what you keep.
 */
export interface ParserHandler {
  /** CONNECT with its JSON text. */
  connect(json: string): void;
  /** PING. */
  ping(): void;
  /** PONG. */
  pong(): void;
  /**
   * PUB or HPUB with its complete payload.
   * @param headerSize bytes of headers at the start of `payload`, -1 for PUB
   */
  pub(
    subject: Uint8Array,
    reply: Uint8Array | undefined,
    headerSize: number,
    payload: Uint8Array,
  ): void;
  /** SUB. */
  sub(subject: Uint8Array, queue: Uint8Array | undefined, sid: string): void;
  /**
   * UNSUB.
   * @param max undefined without a limit, -1 for an unparsable limit
   */
  unsub(sid: string, max: number | undefined): void;
  /** A parse error; the parser accepts nothing more after it. */
  error(kind: ParseErrorKind, detail: string): void;
}

/** Options of {@linkcode Parser}. */
export interface ParserOptions {
  /**
   * Longest control-line argument in bytes.
   * @default {4096}
   */
  maxControlLine?: number;
  /**
   * Largest PUB/HPUB payload in bytes.
   * @default {1048576}
   */
  maxPayload?: number;
}

const OPS = ["CONNECT", "PUB", "HPUB", "SUB", "UNSUB", "PING", "PONG"] as const;
const OP_CODES = OPS.map((op) => [...op].map((c) => c.charCodeAt(0)));
const OP = { CONNECT: 0, PUB: 1, HPUB: 2, SUB: 3, UNSUB: 4, PING: 5, PONG: 6 };

const S_OP = 0; // reading the operation name
const S_OP_SPACE = 1; // the separator after the name
const S_SKIP_LINE = 2; // PING/PONG: ignore to end of line
const S_ARG = 3; // reading arguments to end of line
const S_PAYLOAD = 4; // reading payload bytes
const S_END_R = 5; // expecting CR after payload
const S_END_N = 6; // expecting LF after payload
const S_DEAD = 7; // after an error

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const TAB = 0x09;

/**
 * Parses the NATS client protocol (CONNECT, PUB, HPUB, SUB, UNSUB, PING,
 * PONG; operation names in any case).
 *
 * @example
 * ```ts
 * import { Parser, type ParserHandler } from "./parser.ts";
 * const seen: string[] = [];
 * const handler = {
 *   connect: () => {}, ping: () => seen.push("PING"), pong: () => {},
 *   pub: (_s: Uint8Array, _r: unknown, _h: number, p: Uint8Array) =>
 *     seen.push(new TextDecoder().decode(p)),
 *   sub: () => {}, unsub: () => {}, error: () => {},
 * } satisfies ParserHandler;
 * const parser = new Parser(handler);
 * const bytes = new TextEncoder().encode("PUB a 2\r\nhi\r\nPING\r\n");
 * for (const b of bytes) parser.feed(Uint8Array.of(b));
 * if (seen.join() !== "hi,PING") throw new Error();
 * ```
 */
export class Parser {
  /** Whether HPUB is allowed (set after CONNECT with `headers: true`). */
  headers = false;
  #handler: ParserHandler;
  #maxControlLine: number;
  #maxPayload: number;
  #state = S_OP;
  #op = 0;
  #opPos = 0;
  #arg: Uint8Array;
  #argLen = 0;
  #subject: Uint8Array = new Uint8Array(0);
  #reply: Uint8Array | undefined;
  #headerSize = -1;
  #payload: Uint8Array = new Uint8Array(0);
  #payloadLen = 0;
  #payloadPos = 0;
  #payloadIsView = false;
  #spill: Uint8Array<ArrayBuffer> = EMPTY_BYTES;

  /**
   * @param handler receives the operations
   * @param options size limits
   */
  constructor(handler: ParserHandler, options: ParserOptions = {}) {
    this.#handler = handler;
    this.#maxControlLine = options.maxControlLine ?? 4096;
    this.#maxPayload = options.maxPayload ?? 1048576;
    // Grown on demand (#growArg) up to the control-line limit.
    this.#arg = new Uint8Array(Math.min(this.#maxControlLine + 2, 256));
  }

  /** Stop parsing: later input is ignored (used when closing a connection). */
  stop(): void {
    this.#state = S_DEAD;
  }

  /** Whether a parse error stopped the parser. */
  get failed(): boolean {
    return this.#state === S_DEAD;
  }

  /**
   * Parse the next chunk. Returns after the chunk is consumed or at the
   * first error (reported through the handler).
   *
   * @param chunk bytes from the connection, split anywhere
   */
  feed(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      const state = this.#state;
      if (state === S_PAYLOAD) {
        const want = this.#payloadLen - this.#payloadPos;
        const take = Math.min(want, n - i);
        if (this.#payloadPos === 0 && take === want) {
          // The whole payload is in this chunk: no copy (unless its CRLF
          // is not, see the end of feed()).
          this.#payload = chunk.subarray(i, i + take);
          this.#payloadIsView = true;
        } else {
          if (this.#payloadPos === 0) {
            this.#payload = this.#spillFor(this.#payloadLen);
          }
          this.#payload.set(chunk.subarray(i, i + take), this.#payloadPos);
        }
        this.#payloadPos += take;
        i += take;
        if (this.#payloadPos === this.#payloadLen) this.#state = S_END_R;
        continue;
      }
      const b = chunk[i++];
      switch (state) {
        case S_OP:
          this.#opByte(b);
          break;
        case S_OP_SPACE:
          if (b === SP || b === TAB) {
            this.#state = S_ARG;
            this.#argLen = 0;
          } else this.#fail(ParseErrorKind.UnknownOperation, "missing space");
          break;
        case S_SKIP_LINE:
          if (b === LF) {
            this.#state = S_OP;
            this.#opPos = 0;
            if (this.#op === OP.PING) this.#handler.ping();
            else this.#handler.pong();
          }
          break;
        case S_ARG:
          if (b === LF) this.#endArgs();
          else {
            if (this.#argLen >= this.#maxControlLine) {
              this.#fail(
                ParseErrorKind.MaxControlLine,
                "control line too long",
              );
              break;
            }
            if (this.#argLen === this.#arg.length) this.#growArg();
            this.#arg[this.#argLen++] = b;
          }
          break;
        case S_END_R:
          if (b === CR) this.#state = S_END_N;
          else {this.#fail(
              ParseErrorKind.UnknownOperation,
              "payload not followed by CRLF",
            );}
          break;
        case S_END_N:
          if (b === LF) this.#deliver();
          else {this.#fail(
              ParseErrorKind.UnknownOperation,
              "payload not followed by CRLF",
            );}
          break;
        default:
          return;
      }
      if (this.#state === S_DEAD) return;
    }
    // The caller reuses the chunk's memory for its next read.
    if (this.#payloadIsView) {
      const view = this.#payload;
      this.#payload = this.#spillFor(view.length);
      this.#payload.set(view);
      this.#payloadIsView = false;
    }
    // Between messages a large spill buffer is not worth keeping.
    if (this.#state === S_OP && this.#spill.length > KEEP_SPILL) {
      release(this.#spill);
      this.#spill = EMPTY_BYTES;
    }
  }

  /**
   * Room for a payload split across chunks: the spill buffer, reused from
   * one message to the next (payloads are valid only during the handler's
   * call), grown on demand.
   */
  #spillFor(size: number): Uint8Array {
    if (this.#spill.length < size) {
      release(this.#spill);
      this.#spill = new Uint8Array(
        Math.min(Math.max(size, this.#spill.length * 2), this.#maxPayload),
      );
    }
    return this.#spill.subarray(0, size);
  }

  #opByte(b: number): void {
    const c = b >= 0x61 && b <= 0x7a ? b - 0x20 : b; // upper case
    let codes = OP_CODES[this.#op];
    if (this.#opPos === 0 || codes[this.#opPos] !== c) {
      // Find an operation with the same prefix and this byte next.
      const found = OP_CODES.findIndex((cand, idx) =>
        cand[this.#opPos] === c &&
        (this.#opPos === 0 ||
          OPS[idx].startsWith(OPS[this.#op].slice(0, this.#opPos)))
      );
      if (found < 0) {
        this.#fail(ParseErrorKind.UnknownOperation, "unknown operation");
        return;
      }
      this.#op = found;
      codes = OP_CODES[found];
    }
    this.#opPos++;
    if (this.#opPos === codes.length) {
      this.#state = this.#op === OP.PING || this.#op === OP.PONG
        ? S_SKIP_LINE
        : S_OP_SPACE;
    }
  }

  #growArg(): void {
    const bigger = new Uint8Array(
      Math.min(this.#arg.length * 2, this.#maxControlLine + 2),
    );
    bigger.set(this.#arg);
    this.#arg = bigger;
  }

  #fail(kind: ParseErrorKind, detail: string): void {
    this.#state = S_DEAD;
    this.#handler.error(kind, detail);
  }

  #endArgs(): void {
    let len = this.#argLen;
    if (len > 0 && this.#arg[len - 1] === CR) len--;
    const arg = this.#arg.subarray(0, len);
    this.#state = S_OP;
    this.#opPos = 0;
    const op = this.#op;
    if (op === OP.CONNECT) {
      this.#handler.connect(utf8.decode(arg));
      return;
    }
    const args = splitArgs(arg);
    switch (op) {
      case OP.PUB:
      case OP.HPUB:
        this.#pubArgs(args, op === OP.HPUB, arg);
        return;
      case OP.SUB:
        if (args.length !== 2 && args.length !== 3) {
          this.#fail(
            ParseErrorKind.BadArguments,
            `processSub parse error: "${latin1(arg)}"`,
          );
          return;
        }
        this.#handler.sub(
          args[0],
          args.length === 3 ? args[1] : undefined,
          latin1(args[args.length - 1]),
        );
        return;
      case OP.UNSUB:
        if (args.length !== 1 && args.length !== 2) {
          this.#fail(
            ParseErrorKind.BadArguments,
            `processUnsub parse error: "${latin1(arg)}"`,
          );
          return;
        }
        this.#handler.unsub(
          latin1(args[0]),
          args.length === 2 ? parseSize(args[1]) : undefined,
        );
        return;
    }
  }

  #pubArgs(args: Uint8Array[], hpub: boolean, arg: Uint8Array): void {
    const min = hpub ? 3 : 2;
    if (args.length !== min && args.length !== min + 1) {
      this.#fail(
        ParseErrorKind.BadArguments,
        `processPub parse error: "${latin1(arg)}"`,
      );
      return;
    }
    if (hpub && !this.headers) {
      this.#fail(
        ParseErrorKind.HeadersNotSupported,
        "message headers not supported",
      );
      return;
    }
    const size = parseSize(args[args.length - 1]);
    const headerSize = hpub ? parseSize(args[args.length - 2]) : -1;
    if (size < 0 || (hpub && (headerSize < 0 || headerSize > size))) {
      this.#fail(
        ParseErrorKind.BadArguments,
        `processPub bad or missing size: "${latin1(arg)}"`,
      );
      return;
    }
    if (size > this.#maxPayload) {
      this.#fail(
        ParseErrorKind.MaxPayload,
        `maximum payload exceeded: ${size} vs ${this.#maxPayload}`,
      );
      return;
    }
    // Keep subject and reply: the arg buffer is reused by the next line.
    this.#subject = args[0].slice();
    this.#reply = args.length === min + 1 ? args[1].slice() : undefined;
    this.#headerSize = headerSize;
    this.#payloadLen = size;
    this.#payloadPos = 0;
    this.#state = size === 0 ? S_END_R : S_PAYLOAD;
    if (size === 0) {
      this.#payload = new Uint8Array(0);
    }
  }

  #deliver(): void {
    this.#state = S_OP;
    this.#opPos = 0;
    const payload = this.#payload;
    this.#payload = EMPTY_BYTES;
    this.#payloadIsView = false;
    this.#handler.pub(this.#subject, this.#reply, this.#headerSize, payload);
  }
}

const EMPTY_BYTES = new Uint8Array(0);
/** A spill buffer up to this size is kept between messages, in bytes. */
const KEEP_SPILL = 4096;
const utf8 = new TextDecoder();
