/**
 * The kernel's IPv4 neighbour (ARP) table: which MAC an on-link address
 * has, read from `/proc/net/arp` (Linux; elsewhere nothing is known).
 * After a TCP connection from a host on the same link the kernel has its
 * entry; a host behind a router shows the router's MAC.
 *
 * @module
 */
import { normalizeMac } from "../../net/mac.ts";

/** `ATF_COM`: the entry is complete (resolved). */
const COMPLETE = 0x2;

/**
 * The MAC of `address` in a neighbour table in `/proc/net/arp` format.
 *
 * @param table The table's text.
 * @param address An IPv4 address.
 * @returns The MAC, lower-case colon hex, or `undefined` when unknown.
 * @example
 * ```ts
 * import { macInArpTable } from "./neighbour.ts";
 * const table = "IP address  HW type  Flags  HW address  Mask  Device\n" +
 *   "10.77.0.100  0x1  0x2  52:54:00:9E:B1:05  *  br0\n";
 * if (macInArpTable(table, "10.77.0.100") !== "52:54:00:9e:b1:05") throw new Error();
 * ```
 */
export function macInArpTable(
  table: string,
  address: string,
): string | undefined {
  for (const line of table.split("\n").slice(1)) {
    const [ip, , flags, mac] = line.trim().split(/\s+/);
    if (ip === address && (Number(flags) & COMPLETE) !== 0) {
      return normalizeMac(mac ?? "");
    }
  }
  return undefined;
}

/**
 * The MAC the kernel has for an on-link address.
 *
 * @param address An IPv4 address.
 * @returns The MAC, or `undefined` when the table has no complete entry or
 * cannot be read.
 */
export async function neighbourMac(
  address: string,
): Promise<string | undefined> {
  try {
    return macInArpTable(await Deno.readTextFile("/proc/net/arp"), address);
  } catch {
    return undefined;
  }
}
