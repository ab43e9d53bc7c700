/**
 * Classless static route codec (option 121, RFC 3442).
 *
 * @module
 */

import { bytesFrom } from "../bytes/alloc.ts";
import { formatIpv4, parseIpv4Cidr, writeIpv4 } from "../net/ipv4.ts";
import type { OptionValueCodec } from "./option_codec.ts";
import { valueError } from "./_value_error.ts";

/** One classless static route (RFC 3442). */
export interface ClasslessStaticRoute {
  /** Destination network in CIDR form, for example `10.0.0.0/8`. */
  destination: string;
  /** Router for that destination, dotted quad (`0.0.0.0` = on-link). */
  router: string;
}

/** Scratch for one route's two addresses (encode is synchronous). */
const scratch = new Uint8Array(8);

/**
 * Classless static routes (option 121, RFC 3442): each route is a prefix
 * width, the significant octets of the destination and a router.
 *
 * @example
 * ```ts
 * import { classlessRoutes } from "./classless_routes.ts";
 * const bytes = classlessRoutes.encode([{ destination: "10.0.0.0/8", router: "192.168.1.1" }]);
 * // bytes: 8, 10, 192, 168, 1, 1
 * ```
 */
export const classlessRoutes: OptionValueCodec<ClasslessStaticRoute[]> = {
  decode(bytes) {
    if (bytes.length === 0) {
      throw valueError("classless route list is empty", 0);
    }
    const routes: ClasslessStaticRoute[] = [];
    let pos = 0;
    while (pos < bytes.length) {
      const width = bytes[pos];
      if (width > 32) {
        throw valueError(`route prefix width ${width} is over 32`, pos);
      }
      const octets = (width + 7) >> 3;
      if (pos + 1 + octets + 4 > bytes.length) {
        throw valueError("route runs past the end of the option", pos);
      }
      const at = pos + 1;
      routes.push({
        destination: (octets > 0 ? bytes[at] : 0) + "." +
          (octets > 1 ? bytes[at + 1] : 0) + "." +
          (octets > 2 ? bytes[at + 2] : 0) + "." +
          (octets > 3 ? bytes[at + 3] : 0) + "/" + width,
        router: formatIpv4(bytes, at + octets),
      });
      pos = at + octets + 4;
    }
    return routes;
  },
  encode(value) {
    const out: number[] = [];
    const buf = scratch;
    for (const route of value) {
      const cidr = parseIpv4Cidr(route.destination);
      if (cidr === undefined) {
        throw new TypeError(
          `Cannot encode route destination ${
            JSON.stringify(route.destination)
          }: not an IPv4 CIDR such as 10.0.0.0/8`,
        );
      }
      const width = cidr.prefixLength;
      writeIpv4(cidr.address, buf, 0);
      writeIpv4(route.router, buf, 4);
      const octets = Math.ceil(width / 8);
      out.push(width);
      for (let i = 0; i < octets; i++) {
        const bits = Math.min(8, width - i * 8);
        out.push(buf[i] & (0xff << (8 - bits)) & 0xff);
      }
      out.push(buf[4], buf[5], buf[6], buf[7]);
    }
    return bytesFrom(out);
  },
};
