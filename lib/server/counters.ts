/**
 * The DHCP server's counters: packets in and out by message type, drops by
 * reason, lookups by outcome.
 *
 * @module
 */
import type { LookupOutcome } from "../backend/lookup_outcome.ts";

/** Why the server dropped a packet without answering. */
export const DropReason = {
  /** The packet could not be decoded. */
  malformed: "malformed",
  /** A BOOTREPLY, or a message type the server does not answer. */
  unsupported: "unsupported",
  /** hlen is not 6, or chaddr is all zeros: nothing to look up. */
  badHardwareAddress: "badHardwareAddress",
  /** proxyDHCP: not a PXE, iPXE or HTTP boot client, or a message type a proxy does not answer. */
  notNetbootClient: "notNetbootClient",
  /** proxyDHCP: no boot options for this host (netboot not allowed, no binary or script). */
  noNetboot: "noNetboot",
  /** A REQUEST naming another server (option 54). */
  otherServer: "otherServer",
  /** The MAC has no reservation. */
  unknownMac: "unknownMac",
  /** The reservation says DHCP is disabled for this host. */
  dhcpDisabled: "dhcpDisabled",
  /** The backend failed or timed out. */
  backendError: "backendError",
  /** The MAC is over its lookup rate: dropped before decoding. */
  rateLimited: "rateLimited",
  /** Too many lookups in flight. */
  overloaded: "overloaded",
  /** A handler dropped it. */
  handler: "handler",
  /** The reply could not be encoded or sent. */
  sendError: "sendError",
  /** Processing the packet threw (a bug): logged, no reply. */
  internalError: "internalError",
  /** The server was closing. */
  closing: "closing",
} as const;

/** One of {@linkcode DropReason}. */
export type DropReason = typeof DropReason[keyof typeof DropReason];

/** A snapshot of the server's counters. Message types are names: `DISCOVER`, `OFFER`, ... */
export interface ServerCounters {
  /** Packets received, by message type name (`malformed` for undecodable ones). */
  packetsIn: Record<string, number>;
  /** Replies sent, by message type name. */
  packetsOut: Record<string, number>;
  /** Packets dropped without a reply, by {@linkcode DropReason}. */
  drops: Record<string, number>;
  /** Backend lookups, by {@linkcode LookupOutcome}. */
  lookups: Record<string, number>;
  /** Options left out of replies that did not fit the client's size, by option code. */
  optionsOmitted: Record<string, number>;
  /** Lookups in flight right now. */
  inFlight: number;
}

/** Mutable counters owned by one server. */
export class Counters {
  #in = new Map<string, number>();
  #out = new Map<string, number>();
  #drops = new Map<string, number>();
  #lookups = new Map<string, number>();
  #omitted = new Map<string, number>();
  /** Lookups in flight. */
  inFlight = 0;

  static #bump(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  /** Count a received packet. */
  packetIn(type: string): void {
    Counters.#bump(this.#in, type);
  }
  /** Count a sent reply. */
  packetOut(type: string): void {
    Counters.#bump(this.#out, type);
  }
  /** Count a drop. */
  drop(reason: DropReason): void {
    Counters.#bump(this.#drops, reason);
  }
  /** Count a lookup outcome. */
  lookup(outcome: LookupOutcome): void {
    Counters.#bump(this.#lookups, outcome);
  }

  /** Count options left out of a reply (RFC 2131 §4.3.1). */
  optionsOmitted(codes: readonly number[]): void {
    for (const code of codes) Counters.#bump(this.#omitted, String(code));
  }

  /** A copy of the current values. */
  snapshot(): ServerCounters {
    return {
      packetsIn: Object.fromEntries(this.#in),
      packetsOut: Object.fromEntries(this.#out),
      drops: Object.fromEntries(this.#drops),
      lookups: Object.fromEntries(this.#lookups),
      optionsOmitted: Object.fromEntries(this.#omitted),
      inFlight: this.inFlight,
    };
  }
}
