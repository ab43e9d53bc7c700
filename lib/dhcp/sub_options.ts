/**
 * Codecs for options that carry their own code-length-value lists: relay
 * agent information (82), vendor encapsulated options (43, 175) and the
 * user class (77).
 *
 * @module
 */

import { allocBytes } from "../bytes/alloc.ts";
import { encodeUtf8 } from "../bytes/utf8.ts";
import { decodeUtf8 } from "../bytes/utf8.ts";
import type { OptionValueCodec } from "./option_codec.ts";
import { checkUint, valueError } from "./_value_error.ts";

/** One sub-option of an encapsulating option. */
export interface SubOption {
  /** Sub-option code. */
  code: number;
  /** Raw value: a view into the option bytes, treat it as read-only. */
  data: Uint8Array;
}

function decodeTlv(bytes: Uint8Array, padAndEnd: boolean): SubOption[] {
  const out: SubOption[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const code = bytes[pos];
    if (padAndEnd && code === 0) {
      pos++;
      continue;
    }
    if (padAndEnd && code === 255) break;
    if (pos + 1 >= bytes.length) {
      throw valueError(`sub-option ${code} has no length byte`, pos);
    }
    const len = bytes[pos + 1];
    if (pos + 2 + len > bytes.length) {
      throw valueError(
        `sub-option ${code} of length ${len} runs past the end of the option`,
        pos,
      );
    }
    out.push({ code, data: bytes.subarray(pos + 2, pos + 2 + len) });
    pos += 2 + len;
  }
  return out;
}

function encodeTlv(value: SubOption[]): Uint8Array {
  let size = 0;
  for (const sub of value) {
    checkUint(sub.code, 0xff, "sub-option code");
    if (sub.data.length > 255) {
      throw new RangeError(
        `Cannot encode sub-option ${sub.code}: ${sub.data.length} bytes is over 255`,
      );
    }
    size += 2 + sub.data.length;
  }
  const out = allocBytes(size);
  let pos = 0;
  for (const sub of value) {
    out[pos] = sub.code;
    out[pos + 1] = sub.data.length;
    out.set(sub.data, pos + 2);
    pos += 2 + sub.data.length;
  }
  return out;
}

/**
 * Relay agent information (option 82, RFC 3046): sub-options such as
 * circuit ID (1) and remote ID (2), see `RelayAgentSubOption`.
 */
export const relayAgentInfo: OptionValueCodec<SubOption[]> = {
  decode: (bytes) => decodeTlv(bytes, false),
  encode: encodeTlv,
};

/**
 * Vendor encapsulated sub-options (option 43 with PXE sub-options, iPXE's
 * option 175). Pad (0) is skipped and End (255) stops decoding; encoding
 * writes no End.
 */
export const vendorSubOptions: OptionValueCodec<SubOption[]> = {
  decode: (bytes) => decodeTlv(bytes, true),
  encode: encodeTlv,
};

/**
 * PXE vendor options (option 43 for a PXE client, PXE 2.1 §2.4): decodes
 * like {@linkcode vendorSubOptions} and encodes with the End (255)
 * terminator the PXE specification asks for, as dnsmasq does.
 *
 * @example
 * ```ts
 * import { pxeVendorOptions } from "./sub_options.ts";
 * pxeVendorOptions.encode([{ code: 6, data: Uint8Array.of(8) }]); // 6, 1, 8, 255
 * ```
 */
export const pxeVendorOptions: OptionValueCodec<SubOption[]> = {
  decode: (bytes) => decodeTlv(bytes, true),
  encode(value) {
    const body = encodeTlv(value);
    const out = allocBytes(body.length + 1);
    out.set(body);
    out[body.length] = 255;
    return out;
  },
};

/**
 * User class (option 77). Decodes the RFC 3004 form (length-prefixed
 * classes) and, when the bytes are not valid RFC 3004, the plain string
 * iPXE and some other clients send (one class). Encodes RFC 3004.
 *
 * @example
 * ```ts
 * import { userClass } from "./sub_options.ts";
 * userClass.decode(new TextEncoder().encode("iPXE")); // ["iPXE"]
 * userClass.decode(Uint8Array.of(4, 0x69, 0x50, 0x58, 0x45)); // ["iPXE"]
 * ```
 */
export const userClass: OptionValueCodec<string[]> = {
  decode(bytes) {
    if (bytes.length === 0) throw valueError("user class is empty", 0);
    const classes: string[] = [];
    let pos = 0;
    while (pos < bytes.length) {
      const len = bytes[pos];
      if (len === 0 || pos + 1 + len > bytes.length) {
        return [decodeUtf8(bytes, 0, bytes.length)];
      }
      classes.push(decodeUtf8(bytes, pos + 1, pos + 1 + len));
      pos += 1 + len;
    }
    return classes;
  },
  encode(value) {
    const parts = value.map((c) => encodeUtf8(c));
    const out = new Uint8Array(parts.reduce((n, p) => n + 1 + p.length, 0));
    let pos = 0;
    for (const part of parts) {
      if (part.length === 0 || part.length > 255) {
        throw new RangeError(
          `Cannot encode user class: each class must be 1 to 255 bytes, got ${part.length}`,
        );
      }
      out[pos] = part.length;
      out.set(part, pos + 1);
      pos += 1 + part.length;
    }
    return out;
  },
};
