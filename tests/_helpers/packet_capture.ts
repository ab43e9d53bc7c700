/**
 * Capture DHCP traffic on an interface inside a namespace with `dumpcap` (the
 * capture engine of tshark) and read it back as UDP datagrams, so a test can
 * assert on what really went over the wire: addresses, ports, and the exact
 * DHCP payload bytes.
 *
 * @module
 */

import { type NamespaceProcess, spawnInNamespace } from "./ns_process.ts";

/** One captured IPv4/UDP datagram. */
export interface CapturedDatagram {
  /** Capture time, milliseconds since the epoch. */
  time: number;
  /** Ethernet source MAC, lower-case colon hex. */
  srcMac: string;
  /** Ethernet destination MAC (`ff:ff:ff:ff:ff:ff` for a broadcast). */
  dstMac: string;
  /** IPv4 source address. */
  srcIp: string;
  /** IPv4 destination address. */
  dstIp: string;
  /** UDP source port. */
  srcPort: number;
  /** UDP destination port. */
  dstPort: number;
  /** The UDP payload (for DHCP: the whole BOOTP message). */
  payload: Uint8Array;
}

/** Options of {@linkcode startCapture}. */
export interface CaptureOptions {
  /**
   * libpcap capture filter.
   * @default "udp port 67 or udp port 68"
   */
  filter?: string;
  /**
   * Milliseconds to wait for dumpcap to start capturing.
   * @default 10000
   */
  readyTimeoutMs?: number;
}

/** A running capture; `stop()` returns what it saw. */
export interface Capture extends AsyncDisposable {
  /** Path of the pcap file (removed on dispose). */
  readonly file: string;
  /**
   * Stop capturing and parse everything captured. With `until`, first wait
   * (up to `timeoutMs`, default 10 s) until what dumpcap has written so far
   * satisfies it: on a loaded machine dumpcap can be well behind the wire,
   * and what it has not read when it is stopped is lost.
   */
  stop(options?: CaptureStopOptions): Promise<CapturedDatagram[]>;
}

/** What {@linkcode Capture.stop} waits for. */
export interface CaptureStopOptions {
  /** True once the packets written so far hold everything expected. */
  until?: (packets: CapturedDatagram[]) => boolean;
  /** Give up waiting (and stop anyway) after this long. @default 10000 */
  timeoutMs?: number;
}

/**
 * Start capturing on `iface` inside `ns`; resolves once dumpcap is capturing.
 *
 * @param ns Namespace name
 * @param iface Interface to capture on
 * @param options Filter and start-up timeout
 * @returns The capture; `await using` stops it and removes the file
 * @throws {Error} When dumpcap fails to start
 *
 * @example
 * ```ts ignore
 * await using cap = await startCapture(net.serverNs.name, net.serverIf);
 * await runUdhcpc(net.clientNs.name, net.clientIf);
 * const packets = await cap.stop();
 * assert.equal(packets[0].dstIp, "255.255.255.255");
 * ```
 */
export async function startCapture(
  ns: string,
  iface: string,
  options: CaptureOptions = {},
): Promise<Capture> {
  const file = await Deno.makeTempFile({ prefix: "capture-", suffix: ".pcap" });
  const proc: NamespaceProcess = spawnInNamespace(ns, "dumpcap", [
    "-i",
    iface,
    "-f",
    options.filter ?? "udp port 67 or udp port 68",
    "-P",
    "-w",
    file,
  ], { name: "dumpcap" });
  try {
    await proc.waitForOutput(/Capturing on/, options.readyTimeoutMs ?? 10000);
  } catch (e) {
    await proc.stop();
    await Deno.remove(file).catch(() => {});
    throw e;
  }
  let result: Promise<CapturedDatagram[]> | undefined;
  const written = async () => {
    try {
      return parsePcap(await Deno.readFile(file));
    } catch {
      return []; // a record still being written
    }
  };
  const stop = (options: CaptureStopOptions = {}) => {
    result ??= (async () => {
      // Give packets already on the wire a moment to be written.
      await new Promise((r) => setTimeout(r, 200));
      const until = options.until;
      const deadline = Date.now() + (options.timeoutMs ?? 10_000);
      while (until && !until(await written()) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      proc.kill("SIGINT"); // dumpcap flushes and exits
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        proc.status,
        new Promise((r) => timer = setTimeout(r, 3000)),
      ]);
      clearTimeout(timer);
      await proc.stop();
      return parsePcap(await Deno.readFile(file));
    })();
    return result;
  };
  return {
    file,
    stop,
    async [Symbol.asyncDispose]() {
      await stop().catch(() => {});
      await Deno.remove(file).catch(() => {});
    },
  };
}

const hex = (b: Uint8Array) =>
  Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(":");
const ipv4 = (b: Uint8Array) => Array.from(b).join(".");

/**
 * Parse a classic pcap file (Ethernet link type) into its IPv4/UDP
 * datagrams; other frames are skipped.
 *
 * @param bytes The file
 * @returns The datagrams in capture order
 * @throws {TypeError} When the file is not a little- or big-endian pcap with
 * Ethernet frames
 */
export function parsePcap(bytes: Uint8Array): CapturedDatagram[] {
  if (bytes.length < 24) {
    throw new TypeError(
      `Cannot parse pcap: file is ${bytes.length} bytes, shorter than its header`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (
    !little && view.getUint32(0, false) !== 0xa1b2c3d4 &&
    view.getUint32(0, false) !== 0xa1b23c4d
  ) {
    throw new TypeError(
      `Cannot parse pcap: bad magic number 0x${magic.toString(16)}`,
    );
  }
  const nano = (little ? magic : view.getUint32(0, false)) === 0xa1b23c4d;
  const linkType = view.getUint32(20, little);
  if (linkType !== 1) {
    throw new TypeError(
      `Cannot parse pcap: link type ${linkType} is not Ethernet`,
    );
  }
  const out: CapturedDatagram[] = [];
  let at = 24;
  while (at + 16 <= bytes.length) {
    const sec = view.getUint32(at, little);
    const frac = view.getUint32(at + 4, little);
    const caplen = view.getUint32(at + 8, little);
    const frame = bytes.subarray(at + 16, at + 16 + caplen);
    at += 16 + caplen;
    if (frame.length < 14 + 20 + 8) continue;
    const f = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    if (f.getUint16(12) !== 0x0800) continue; // not IPv4
    const ihl = (frame[14] & 0x0f) * 4;
    if (frame[14 + 9] !== 17) continue; // not UDP
    const udp = 14 + ihl;
    const udpLength = f.getUint16(udp + 4);
    out.push({
      time: sec * 1000 + (nano ? frac / 1e6 : frac / 1e3),
      dstMac: hex(frame.subarray(0, 6)),
      srcMac: hex(frame.subarray(6, 12)),
      srcIp: ipv4(frame.subarray(14 + 12, 14 + 16)),
      dstIp: ipv4(frame.subarray(14 + 16, 14 + 20)),
      srcPort: f.getUint16(udp),
      dstPort: f.getUint16(udp + 2),
      payload: frame.slice(udp + 8, udp + Math.max(8, udpLength)),
    });
  }
  return out;
}

/**
 * The DHCP message type (option 53) of a BOOTP payload, or `undefined` when
 * it has none. A minimal scan for test assertions, not a decoder.
 *
 * @param payload A captured UDP payload
 * @returns 1 (DISCOVER) ... 8 (INFORM), or `undefined`
 */
export function dhcpMessageType(payload: Uint8Array): number | undefined {
  let i = 240;
  while (i < payload.length) {
    const code = payload[i];
    if (code === 255) return undefined;
    if (code === 0) {
      i++;
      continue;
    }
    if (code === 53) return payload[i + 2];
    i += 2 + payload[i + 1];
  }
  return undefined;
}
