/**
 * Domain search list codec (option 119, RFC 3397): RFC 1035 names with
 * compression pointers relative to the start of the option value.
 *
 * @module
 */

import { bytesFrom } from "../bytes/alloc.ts";
import { hexNumber } from "../bytes/hex.ts";
import type { OptionValueCodec } from "./option_codec.ts";
import { valueError } from "./_value_error.ts";

/**
 * Reads one name starting at `start`.
 *
 * @returns The name and the offset just after it in the linear stream.
 */
function readName(bytes: Uint8Array, start: number): [string, number] {
  let pos = start;
  let next = -1; // where the linear stream resumes after the first pointer
  let jumps = 0;
  let length = 0;
  let name = "";
  for (;;) {
    if (pos >= bytes.length) {
      throw valueError("domain name runs past the end of the option", pos);
    }
    const len = bytes[pos];
    if (len === 0) {
      return [name, next === -1 ? pos + 1 : next];
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= bytes.length) {
        throw valueError(
          "compression pointer runs past the end of the option",
          pos,
        );
      }
      const target = ((len & 0x3f) << 8) | bytes[pos + 1];
      // Each jump must land on a label; more jumps than labels means a loop.
      if (++jumps > bytes.length / 2 || target >= bytes.length) {
        throw valueError(
          target >= bytes.length
            ? `compression pointer to ${target} points past the end of the option`
            : "compression pointers form a loop",
          pos,
        );
      }
      if (next === -1) next = pos + 2;
      pos = target;
      continue;
    }
    if (kind !== 0) {
      throw valueError(
        `label type 0x${hexNumber(kind, 2)} is not supported`,
        pos,
      );
    }
    if (pos + 1 + len > bytes.length) {
      throw valueError("label runs past the end of the option", pos);
    }
    length += len + 1;
    if (length > 255) {
      throw valueError("domain name is longer than 255 bytes", pos);
    }
    const label = String.fromCharCode.apply(
      null,
      bytes.subarray(pos + 1, pos + 1 + len) as unknown as number[],
    );
    name = name === "" ? label : name + "." + label;
    pos += 1 + len;
  }
}

/**
 * Domain search list (option 119, RFC 3397). Decoding follows compression
 * pointers and rejects pointer loops; encoding compresses repeated suffixes.
 *
 * @example
 * ```ts
 * import { domainList } from "./domain_list.ts";
 * const bytes = domainList.encode(["eng.example.com", "example.com"]);
 * domainList.decode(bytes); // ["eng.example.com", "example.com"]
 * ```
 */
export const domainList: OptionValueCodec<string[]> = {
  decode(bytes) {
    if (bytes.length === 0) throw valueError("domain search list is empty", 0);
    const names: string[] = [];
    let pos = 0;
    while (pos < bytes.length) {
      const [name, next] = readName(bytes, pos);
      names.push(name);
      pos = next;
    }
    return names;
  },
  encode(value) {
    const out: number[] = [];
    const suffixes = new Map<string, number>();
    for (const raw of value) {
      const name = raw.endsWith(".") ? raw.slice(0, -1) : raw;
      const labels = name === "" ? [] : name.split(".");
      let i = 0;
      for (; i < labels.length; i++) {
        const suffix = labels.slice(i).join(".");
        const at = suffixes.get(suffix);
        if (at !== undefined) {
          out.push(0xc0 | (at >> 8), at & 0xff);
          break;
        }
        if (out.length < 0x4000) suffixes.set(suffix, out.length);
        const label = labels[i];
        if (
          label.length === 0 || label.length > 63 ||
          !/^[\x21-\x7e]+$/.test(label)
        ) {
          throw new TypeError(
            `Cannot encode domain name ${JSON.stringify(raw)}: label ${
              JSON.stringify(label)
            } must be 1 to 63 printable ASCII characters`,
          );
        }
        out.push(label.length);
        for (let c = 0; c < label.length; c++) out.push(label.charCodeAt(c));
      }
      if (i === labels.length) out.push(0);
    }
    return bytesFrom(out);
  },
};
