/**
 * TFTP option negotiation for read requests: blksize (RFC 2348), tsize and
 * timeout (RFC 2349), windowsize (RFC 7440). Pure: no I/O.
 *
 * Options with a value out of range, or unknown, are left out of the OACK
 * (RFC 2347 lets a server ignore them); blksize and windowsize over the
 * server's limits are lowered to them, as the RFCs allow.
 *
 * @module
 */

/** The server's limits on what clients may ask for. */
export interface NegotiationLimits {
  /** Largest block size accepted (RFC 2348 allows up to 65464). */
  maxBlockSize: number;
  /** Largest window accepted, in blocks. */
  maxWindowSize: number;
  /** Largest window accepted, in bytes (window times block size). */
  maxWindowBytes: number;
}

/** The transfer parameters after negotiation. */
export interface Negotiated {
  /** Data bytes per DATA packet. */
  blockSize: number;
  /** DATA packets sent before waiting for an ACK. */
  windowSize: number;
  /** Retransmission timeout the client asked for, in milliseconds. */
  timeoutMs?: number;
  /** The options to acknowledge, in the order the client sent them; empty: no OACK. */
  ack: Map<string, string>;
}

/** RFC 1350's block size, used without a blksize option. */
export const DEFAULT_BLOCK_SIZE = 512;

function whole(text: string): number | undefined {
  return /^\d{1,10}$/.test(text) ? Number(text) : undefined;
}

/**
 * Negotiate the options of a read request.
 *
 * @param options The request's options, names lower-cased.
 * @param fileSize The file's size, for tsize.
 * @param limits The server's limits.
 * @returns The parameters and the options to acknowledge.
 * @example
 * ```ts
 * import { negotiate } from "./negotiate.ts";
 * const n = negotiate(
 *   new Map([["tsize", "0"], ["blksize", "1468"], ["windowsize", "4"]]),
 *   1000,
 *   { maxBlockSize: 65464, maxWindowSize: 64, maxWindowBytes: 1 << 20 },
 * );
 * if (n.ack.get("tsize") !== "1000" || n.blockSize !== 1468) throw new Error();
 * ```
 */
export function negotiate(
  options: ReadonlyMap<string, string>,
  fileSize: number,
  limits: NegotiationLimits,
): Negotiated {
  const ack = new Map<string, string>();
  let blockSize = DEFAULT_BLOCK_SIZE;
  let windowSize = 1;
  let timeoutMs: number | undefined;
  for (const [name, value] of options) {
    const n = whole(value);
    switch (name) {
      case "blksize":
        if (n !== undefined && n >= 8 && n <= 65464) {
          blockSize = Math.min(n, limits.maxBlockSize);
          ack.set(name, String(blockSize));
        }
        break;
      case "tsize":
        // In a read request the client sends 0 and we answer the size.
        if (n !== undefined) ack.set(name, String(fileSize));
        break;
      case "timeout":
        if (n !== undefined && n >= 1 && n <= 255) {
          timeoutMs = n * 1000;
          ack.set(name, value);
        }
        break;
      case "windowsize":
        if (n !== undefined && n >= 1 && n <= 65535) {
          windowSize = n;
          ack.set(name, value);
        }
        break;
      default: // unknown options are not acknowledged
    }
  }
  if (ack.has("windowsize")) {
    const byBytes = Math.max(1, Math.floor(limits.maxWindowBytes / blockSize));
    windowSize = Math.min(windowSize, limits.maxWindowSize, byBytes);
    ack.set("windowsize", String(windowSize));
  }
  return { blockSize, windowSize, timeoutMs, ack };
}
