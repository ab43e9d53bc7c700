/**
 * The reservation a backend returns for one MAC address: the DHCP fields of
 * the wire format's `DHCP` object, its `Netboot` object, and this project's
 * per-host extensions.
 *
 * Addresses are dotted-quad strings, MACs lower-case colon hex, durations in
 * seconds.
 *
 * @module
 */

/** One classless static route (RFC 3442, option 121). */
export interface ClasslessRoute {
  /** Destination network in CIDR form, for example `10.0.0.0/8`. */
  destination: string;
  /** Router for that destination, dotted quad. */
  router: string;
}

/** Netboot settings of one host (the wire format's `Netboot` object). */
export interface NetbootSettings {
  /** Whether this host may netboot (PXE/iPXE/HTTP boot). */
  allowNetboot: boolean;
  /** Per-host iPXE script URL; the server's global one applies when absent. */
  ipxeScriptUrl?: string;
}

/**
 * Per-host extensions beyond the Go contract. On the wire they travel in the
 * top-level `Extensions` object of a v2 reply, which Go ignores.
 */
export interface ReservationExtensions {
  /** Classless static routes, option 121. */
  classlessStaticRoutes?: ClasslessRoute[];
  /** TFTP server name, option 66 (overrides the server's setting). */
  tftpServerName?: string;
  /** Boot file name, option 67 and `file` (overrides the computed one). */
  bootFileName?: string;
  /** When true the server does not answer this host at all. */
  dhcpDisabled?: boolean;
  /**
   * An inline iPXE script for this host (`netboot.ipxeScript` in the
   * reservations file), served by the built-in HTTP server to this host only.
   */
  ipxeScript?: string;
}

/** Everything the DHCP server needs to answer one client. */
export interface Reservation {
  /** The client's hardware address, lower-case colon hex. */
  macAddress: string;
  /** The address to give (yiaddr). */
  ipAddress: string;
  /** Subnet mask, option 1. */
  subnetMask?: string;
  /** Default gateway, option 3. */
  defaultGateway?: string;
  /** DNS servers, option 6. */
  nameServers?: string[];
  /** Host name, option 12. */
  hostname?: string;
  /** Domain name, option 15. */
  domainName?: string;
  /** Broadcast address, option 28. */
  broadcastAddress?: string;
  /** NTP servers, option 42. */
  ntpServers?: string[];
  /** Lease time in seconds, option 51; absent or 0 means the server default. */
  leaseTime?: number;
  /** Domain search list, option 119. */
  domainSearch?: string[];
  /** Netboot permission and script; absent means netboot is not allowed. */
  netboot?: NetbootSettings;
  /** Per-host extensions. */
  extensions?: ReservationExtensions;
}

/**
 * A deep copy of a reservation (cheaper than `structuredClone` for this
 * shape), so one caller cannot change what another was given.
 *
 * @example
 * ```ts
 * import { cloneReservation } from "./reservation.ts";
 * const a = { macAddress: "08:00:27:29:4e:67", ipAddress: "10.0.0.5", nameServers: ["10.0.0.1"] };
 * const b = cloneReservation(a);
 * b.nameServers!.push("10.0.0.2");
 * if (a.nameServers.length !== 1) throw new Error();
 * ```
 */
export function cloneReservation(reservation: Reservation): Reservation {
  const copy: Reservation = { ...reservation };
  if (copy.nameServers) copy.nameServers = [...copy.nameServers];
  if (copy.ntpServers) copy.ntpServers = [...copy.ntpServers];
  if (copy.domainSearch) copy.domainSearch = [...copy.domainSearch];
  if (copy.netboot) copy.netboot = { ...copy.netboot };
  if (copy.extensions) {
    copy.extensions = { ...copy.extensions };
    const routes = copy.extensions.classlessStaticRoutes;
    if (routes) {
      copy.extensions.classlessStaticRoutes = routes.map((r) => ({ ...r }));
    }
  }
  return copy;
}
