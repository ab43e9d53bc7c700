/**
 * The option store of a DHCP message: raw bytes per option code, RFC 3396
 * concatenated, in the order the codes first appeared or were set.
 *
 * @module
 */

import { allocBytes } from "../bytes/alloc.ts";
import { optionName } from "./codes.ts";
import { DhcpDecodeError } from "./errors.ts";
import type { OptionValueCodec } from "./option_values.ts";
import { VALUE_PREFIX } from "./_value_error.ts";

/**
 * Where a decoded message came from, kept so an unmodified message
 * re-encodes byte for byte. Internal to the codec.
 */
export interface PacketSource {
  /** The whole packet (the caller's buffer, not copied). */
  packet: Uint8Array;
  /** Option fragments in packet order: code, value offset, length, ... */
  index: number[];
  /** Offset just past the End option of the options field (or its end). */
  optionsEnd: number;
  /** Option overload (52) value: 1 file, 2 sname, 3 both. */
  overload: number;
}

let sourceOf: (options: DhcpOptions) => PacketSource | undefined;
let pristineOf: (options: DhcpOptions) => boolean;
let attach: (options: DhcpOptions, source: PacketSource) => void;

/**
 * DHCP options as raw bytes per code, insertion order kept.
 *
 * A decoded message indexes the packet and builds values on first access.
 * Values returned by {@linkcode DhcpOptions.get} are views: treat them as
 * read-only and use {@linkcode DhcpOptions.set} to change an option.
 *
 * @example
 * ```ts
 * import { DhcpOptions } from "./options.ts";
 * import { ip, u8 } from "./option_values.ts";
 * const options = new DhcpOptions().setAs(53, u8, 2).setAs(54, ip, "192.168.1.1");
 * options.getAs(54, ip); // "192.168.1.1"
 * options.codes(); // [53, 54]
 * ```
 */
export class DhcpOptions {
  // Parallel arrays (faster than a Map at these sizes): codes in order and
  // their values. A value is a Uint8Array or, for a decoded single-fragment
  // option, the position of its entry in the source index (a view is made
  // on access).
  #codes: number[] | undefined;
  #vals: (Uint8Array | number)[] = [];
  #source: PacketSource | undefined;
  #pristine = false;

  static {
    sourceOf = (options) => options.#source;
    pristineOf = (options) => options.#pristine;
    attach = (options, source) => {
      options.#source = source;
      options.#codes = undefined;
      options.#vals = [];
      options.#pristine = true;
    };
  }

  /**
   * Creates a store, empty or from `[code, bytes]` pairs.
   *
   * @param entries Initial options as `[code, bytes]` pairs.
   * @throws {RangeError} For a code outside 1..254.
   */
  constructor(entries?: Iterable<readonly [number, Uint8Array]>) {
    if (entries) {
      this.#codes = [];
      for (const [code, value] of entries) this.set(code, value);
    }
  }

  // Values are Uint8Arrays, or for a decoded single-fragment option the
  // position of its entry in the source index, turned into a view on access.
  #ensure(): number[] {
    if (this.#codes) return this.#codes;
    const codes: number[] = [];
    const vals: (Uint8Array | number)[] = [];
    const source = this.#source;
    if (source) {
      const { index } = source;
      for (let i = 0; i < index.length; i += 3) {
        const code = index[i];
        const at = codes.indexOf(code);
        if (at === -1) {
          codes.push(code);
          vals.push(i);
        } else {
          const head = this.#view(vals[at]);
          const tail = this.#view(i);
          const joined = allocBytes(head.length + tail.length);
          joined.set(head);
          joined.set(tail, head.length);
          vals[at] = joined;
        }
      }
    }
    this.#codes = codes;
    this.#vals = vals;
    return codes;
  }

  #view(value: Uint8Array | number): Uint8Array {
    if (typeof value !== "number") return value;
    const { packet, index } = this.#source!;
    const start = index[value + 1];
    return packet.subarray(start, start + index[value + 2]);
  }

  /**
   * The raw value of an option, RFC 3396 fragments concatenated.
   *
   * @param code Option code.
   * @returns The bytes, or `undefined` when the option is absent.
   */
  get(code: number): Uint8Array | undefined {
    const at = this.#ensure().indexOf(code);
    if (at === -1) return undefined;
    const value = this.#vals[at];
    if (typeof value !== "number") return value;
    const view = this.#view(value);
    this.#vals[at] = view;
    return view;
  }

  /**
   * Sets an option's raw value; an existing option keeps its position.
   *
   * @param code Option code, 1 to 254.
   * @param value The bytes (kept, not copied); longer than 255 is fine.
   * @returns This store.
   * @throws {RangeError} For a code outside 1..254.
   * @throws {TypeError} When `value` is not a Uint8Array.
   */
  set(code: number, value: Uint8Array): this {
    if (!Number.isInteger(code) || code < 1 || code > 254) {
      throw new RangeError(
        `Cannot set DHCP option ${code}: codes run from 1 to 254`,
      );
    }
    if (!(value instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot set DHCP option ${code}: the value must be a Uint8Array`,
      );
    }
    const codes = this.#ensure();
    const at = codes.indexOf(code);
    if (at === -1) {
      codes.push(code);
      this.#vals.push(value);
    } else {
      this.#vals[at] = value;
    }
    this.#pristine = false;
    return this;
  }

  /**
   * Whether an option is present.
   *
   * @param code Option code.
   * @returns Whether the option is present.
   */
  has(code: number): boolean {
    return this.#ensure().indexOf(code) !== -1;
  }

  /**
   * Removes an option.
   *
   * @param code Option code.
   * @returns Whether the option was present.
   */
  delete(code: number): boolean {
    const codes = this.#ensure();
    const at = codes.indexOf(code);
    if (at === -1) return false;
    codes.splice(at, 1);
    this.#vals.splice(at, 1);
    this.#pristine = false;
    return true;
  }

  /**
   * The option codes present.
   *
   * @returns The codes in order of first appearance or insertion.
   */
  codes(): number[] {
    return this.#ensure().slice();
  }

  /** How many options are present. */
  get size(): number {
    return this.#ensure().length;
  }

  /**
   * Decodes an option with a typed codec.
   *
   * @param code Option code.
   * @param codec For example `ip` or `domainList`.
   * @returns The value, or `undefined` when the option is absent.
   * @throws {DhcpDecodeError} When the bytes are not a valid value; the
   * offset is the option's offset in the packet when it came from one.
   */
  getAs<T>(code: number, codec: OptionValueCodec<T>): T | undefined {
    const value = this.get(code);
    if (value === undefined) return undefined;
    try {
      return codec.decode(value);
    } catch (error) {
      const reason = error instanceof DhcpDecodeError
        ? `${error.reason} (value offset ${error.offset})`
        : String(error instanceof Error ? error.message : error);
      const at = this.#offsetOf(code);
      throw new DhcpDecodeError(
        `option ${code} (${optionName(code)}) is invalid: ${reason}`,
        at ?? (error instanceof DhcpDecodeError ? error.offset : 0),
        at === undefined
          ? { prefix: VALUE_PREFIX, cause: error }
          : { cause: error },
      );
    }
  }

  /**
   * Encodes a value with a typed codec and sets it.
   *
   * @param code Option code, 1 to 254.
   * @param codec For example `ip` or `domainList`.
   * @param value The value.
   * @returns This store.
   * @throws {TypeError | RangeError} When the codec cannot encode the value.
   */
  setAs<T>(code: number, codec: OptionValueCodec<T>, value: T): this {
    return this.set(code, codec.encode(value));
  }

  /**
   * Copies the store; changes to the copy do not affect this one.
   *
   * @returns The copy (values are shared: treat them as read-only).
   */
  clone(): DhcpOptions {
    const copy = new DhcpOptions();
    if (this.#pristine && this.#source) {
      attach(copy, this.#source);
    } else {
      copy.#source = this.#source;
      copy.#codes = this.#ensure().slice();
      copy.#vals = this.#vals.slice();
    }
    return copy;
  }

  /** Packet offset of the first fragment of `code`, if decoded and unmodified. */
  #offsetOf(code: number): number | undefined {
    if (!this.#pristine || !this.#source) return undefined;
    const { index } = this.#source;
    for (let i = 0; i < index.length; i += 3) {
      if (index[i] === code) return index[i + 1] - 2;
    }
    return undefined;
  }
}

/**
 * Internal: attaches a decoded packet to a new store.
 *
 * @param source The packet and its option index.
 * @returns The store.
 */
export function optionsFromPacket(source: PacketSource): DhcpOptions {
  const options = new DhcpOptions();
  attach(options, source);
  return options;
}

/**
 * Internal: the packet a store was decoded from.
 *
 * @param options The store.
 * @returns The source and whether the options are still unmodified.
 */
export function packetSourceOf(
  options: DhcpOptions,
): { source: PacketSource; pristine: boolean } | undefined {
  const source = sourceOf(options);
  return source && { source, pristine: pristineOf(options) };
}
