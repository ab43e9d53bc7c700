/**
 * The per-host iPXE script route: `GET /ipxe-script/<mac>` answers the
 * reservation's inline script (`extensions.ipxeScript`) to that machine
 * only, that is to a request whose source address is the reservation's
 * `ipAddress`. iPXE fetches it right after its DHCP exchange, from the
 * address it was just given; anyone else gets 403 (behind NAT or an HTTP
 * proxy the check fails: serve scripts from the provisioning network).
 * In proxyDHCP mode the address is another server's: the route then also
 * answers a requester whose address the neighbour table maps to that MAC.
 *
 * @module
 */

import type { Backend } from "../../backend/backend.ts";
import { normalizeMac } from "../../net/mac.ts";
import { neighbourMac } from "./neighbour.ts";

/** The path prefix of per-host scripts (files under it in the boot directory are not served). */
export const HOST_SCRIPT_PATH = "/ipxe-script";

/**
 * The URL of one host's script on a server.
 *
 * @param base The HTTP server's base URL, like `http://10.0.0.1:8080`.
 * @param mac The host's MAC, lower-case colon hex.
 * @returns The URL iPXE is handed.
 * @example
 * ```ts
 * import { hostScriptUrl } from "./host_script.ts";
 * const url = hostScriptUrl("http://10.0.0.1:8080", "08:00:27:29:4e:67");
 * if (url !== "http://10.0.0.1:8080/ipxe-script/08-00-27-29-4e-67") throw new Error();
 * ```
 */
export function hostScriptUrl(base: string, mac: string): string {
  return `${base.replace(/\/+$/, "")}${HOST_SCRIPT_PATH}/${
    mac.replaceAll(":", "-")
  }`;
}

function plain(status: number, text: string): Response {
  return new Response(`${text}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

/** Options of {@linkcode serveHostScript}. */
export interface HostScriptOptions {
  /**
   * Also serve a requester whose address the kernel's neighbour table maps
   * to the MAC (proxyDHCP, where another server gives the addresses).
   * @default {false}
   */
  matchNeighbour?: boolean;
}

/**
 * Answer a request on the script route.
 *
 * @param path The URL path.
 * @param client The requester's address.
 * @param backend Where reservations come from (none: the route answers 404).
 * @param options How the requester is recognised.
 * @returns The response and, for the log, why it was refused; `undefined`
 * when the path is not on the route.
 */
export async function serveHostScript(
  path: string,
  client: string,
  backend: Backend | undefined,
  options: HostScriptOptions = {},
): Promise<{ response: Response; reason?: string } | undefined> {
  if (!path.startsWith(`${HOST_SCRIPT_PATH}/`)) return undefined;
  const mac = normalizeMac(path.slice(HOST_SCRIPT_PATH.length + 1));
  if (mac === undefined) {
    return {
      response: plain(400, "Bad request: not a MAC address"),
      reason: "not a MAC address",
    };
  }
  if (backend === undefined) {
    return { response: plain(404, "Not found"), reason: "no backend" };
  }
  let reservation;
  try {
    reservation = await backend.lookup(mac);
  } catch (error) {
    return {
      response: plain(503, "Reservation lookup failed, try again"),
      reason: `lookup failed: ${(error as Error).message}`,
    };
  }
  const script = reservation?.extensions?.ipxeScript;
  if (reservation === undefined || !script) {
    return {
      response: plain(404, "Not found"),
      reason: reservation === undefined ? "unknown MAC" : "no inline script",
    };
  }
  if (
    reservation.ipAddress !== client &&
    !(options.matchNeighbour && await neighbourMac(client) === mac)
  ) {
    return {
      response: plain(403, "Forbidden"),
      reason: `requester is not ${reservation.ipAddress}`,
    };
  }
  return {
    response: new Response(script, {
      headers: { "content-type": "text/plain; charset=utf-8" },
    }),
  };
}
