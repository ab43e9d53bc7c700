/**
 * Small typed codecs for DHCP option values. {@linkcode DhcpOptions.getAs}
 * and `setAs` use them to turn the raw bytes kept per option code into
 * values and back.
 *
 * Decoding throws {@linkcode DhcpDecodeError} (offset inside the value);
 * encoding throws `TypeError` or `RangeError` for a value that cannot be
 * represented.
 *
 * @module
 */

import { decodeHex, encodeHex } from "../bytes/hex.ts";
import { formatIpv4, writeIpv4 } from "../net/ipv4.ts";
import type { OptionValueCodec } from "./option_codec.ts";
import { allocBytes, copyBytes } from "../bytes/alloc.ts";
import { decodeUtf8, encodeUtf8 } from "../bytes/utf8.ts";
import { checkUint, expectLength, valueError } from "./_value_error.ts";

export { domainList } from "./domain_list.ts";
export {
  classlessRoutes,
  type ClasslessStaticRoute,
} from "./classless_routes.ts";
export {
  pxeVendorOptions,
  relayAgentInfo,
  type SubOption,
  userClass,
  vendorSubOptions,
} from "./sub_options.ts";

export type { OptionValueCodec } from "./option_codec.ts";

/** One IPv4 address as a dotted quad (options 1, 28, 50, 54). */
export const ip: OptionValueCodec<string> = {
  decode(bytes) {
    expectLength(bytes, 4, "an IPv4 address");
    return formatIpv4(bytes, 0);
  },
  encode(value) {
    const out = allocBytes(4);
    writeIpv4(value, out, 0);
    return out;
  },
};

/** A non-empty list of IPv4 addresses (options 3, 6, 42). */
export const ipList: OptionValueCodec<string[]> = {
  decode(bytes) {
    if (bytes.length === 0 || bytes.length % 4 !== 0) {
      throw valueError(
        `expected a non-zero multiple of 4 bytes for an address list but got ${bytes.length}`,
        0,
      );
    }
    const out: string[] = [];
    for (let i = 0; i < bytes.length; i += 4) out.push(formatIpv4(bytes, i));
    return out;
  },
  encode(value) {
    const out = allocBytes(value.length * 4);
    value.forEach((address, i) => writeIpv4(address, out, i * 4));
    return out;
  },
};

/** An unsigned 8-bit integer (options 52, 53). */
export const u8: OptionValueCodec<number> = {
  decode(bytes) {
    expectLength(bytes, 1, "an 8-bit integer");
    return bytes[0];
  },
  encode(value) {
    checkUint(value, 0xff, "8-bit integer");
    // Pooled bytes + stores: a fresh Uint8Array costs ~1 us in Deno, and
    // Uint8Array.of is a slow generic builtin besides.
    const out = allocBytes(1);
    out[0] = value;
    return out;
  },
};

/** An unsigned 16-bit big-endian integer (option 57). */
export const u16: OptionValueCodec<number> = {
  decode(bytes) {
    expectLength(bytes, 2, "a 16-bit integer");
    return (bytes[0] << 8) | bytes[1];
  },
  encode(value) {
    checkUint(value, 0xffff, "16-bit integer");
    const out = allocBytes(2);
    out[0] = value >>> 8;
    out[1] = value;
    return out;
  },
};

/** An unsigned 32-bit big-endian integer, e.g. seconds (options 51, 58, 59). */
export const u32: OptionValueCodec<number> = {
  decode(bytes) {
    expectLength(bytes, 4, "a 32-bit integer");
    return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) |
      bytes[3]) >>>
      0;
  },
  encode(value) {
    checkUint(value, 0xffffffff, "32-bit integer");
    const out = allocBytes(4);
    out[0] = value >>> 24;
    out[1] = value >>> 16;
    out[2] = value >>> 8;
    out[3] = value;
    return out;
  },
};

/**
 * UTF-8 text (options 12, 15, 56, 60, 66, 67). Trailing NUL bytes, which
 * some clients append, are dropped on decode; invalid UTF-8 becomes U+FFFD.
 */
export const text: OptionValueCodec<string> = {
  decode(bytes) {
    let end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) end--;
    return decodeUtf8(bytes, 0, end);
  },
  encode(value) {
    return encodeUtf8(value);
  },
};

/** The raw bytes, copied (option 61 and anything opaque). */
export const bytes: OptionValueCodec<Uint8Array> = {
  decode(value) {
    return value.slice();
  },
  encode(value) {
    return copyBytes(value);
  },
};

/** Parameter request list (option 55): the requested option codes. */
export const parameterList: OptionValueCodec<number[]> = {
  decode(bytes) {
    if (bytes.length === 0) {
      throw valueError("parameter request list is empty", 0);
    }
    return Array.from(bytes);
  },
  encode(value) {
    const out = allocBytes(value.length);
    value.forEach((code, i) => {
      checkUint(code, 0xff, "option code");
      out[i] = code;
    });
    return out;
  },
};

/** Client system architecture list (option 93, RFC 4578 §2.1): 16-bit types. */
export const clientArchList: OptionValueCodec<number[]> = {
  decode(bytes) {
    if (bytes.length === 0 || bytes.length % 2 !== 0) {
      throw valueError(
        `expected a non-zero multiple of 2 bytes for an architecture list but got ${bytes.length}`,
        0,
      );
    }
    const out: number[] = [];
    for (let i = 0; i < bytes.length; i += 2) {
      out.push((bytes[i] << 8) | bytes[i + 1]);
    }
    return out;
  },
  encode(value) {
    const out = allocBytes(value.length * 2);
    value.forEach((arch, i) => {
      checkUint(arch, 0xffff, "architecture type");
      out[i * 2] = arch >>> 8;
      out[i * 2 + 1] = arch & 0xff;
    });
    return out;
  },
};

/** Client network interface identifier (option 94, RFC 4578 §2.2). */
export interface ClientNdi {
  /** Interface type; 1 is UNDI. */
  type: number;
  /** Major version. */
  major: number;
  /** Minor version. */
  minor: number;
}

/** Client network interface identifier (option 94, RFC 4578 §2.2). */
export const clientNdi: OptionValueCodec<ClientNdi> = {
  decode(bytes) {
    expectLength(bytes, 3, "a network interface identifier");
    return { type: bytes[0], major: bytes[1], minor: bytes[2] };
  },
  encode(value) {
    checkUint(value.type, 0xff, "interface type");
    checkUint(value.major, 0xff, "major version");
    checkUint(value.minor, 0xff, "minor version");
    const out = allocBytes(3);
    out[0] = value.type;
    out[1] = value.major;
    out[2] = value.minor;
    return out;
  },
};

/** Wire position of each UUID byte: SMBIOS stores the first three fields little-endian. */
const UUID_ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];

/**
 * Client machine identifier (option 97, RFC 4578 §2.5): type 0 and the
 * 16-byte SMBIOS UUID, as a lower-case UUID string. PXE firmware and iPXE
 * send the SMBIOS byte layout, whose first three fields are little-endian;
 * the string is the one `dmidecode -s system-uuid` and Wireshark show.
 *
 * @example
 * ```ts
 * import { clientUuid } from "./option_values.ts";
 * const bytes = clientUuid.encode("33221100-5544-7766-8899-aabbccddeeff");
 * // bytes: 0, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, ...
 * ```
 */
export const clientUuid: OptionValueCodec<string> = {
  decode(bytes) {
    expectLength(bytes, 17, "a client machine identifier");
    if (bytes[0] !== 0) {
      throw valueError(
        `client machine identifier type ${bytes[0]} is not 0`,
        0,
      );
    }
    const ordered = allocBytes(16);
    for (let i = 0; i < 16; i++) ordered[i] = bytes[1 + UUID_ORDER[i]];
    const hex = encodeHex(ordered);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${
      hex.slice(16, 20)
    }-${hex.slice(20)}`;
  },
  encode(value) {
    const hex = value.replaceAll("-", "");
    let ordered: Uint8Array | undefined;
    try {
      if (hex.length === 32) ordered = decodeHex(hex);
    } catch { /* not hex: refused below */ }
    if (ordered === undefined) {
      throw new TypeError(
        `Cannot encode client UUID ${JSON.stringify(value)}: not a UUID`,
      );
    }
    const out = allocBytes(17);
    for (let i = 0; i < 16; i++) out[1 + UUID_ORDER[i]] = ordered[i];
    return out;
  },
};
