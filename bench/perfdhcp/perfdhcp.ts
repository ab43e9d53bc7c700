/**
 * Run kea's `perfdhcp` (DHCPv4, relay mode) in a namespace and parse its
 * final report into numbers.
 *
 * @module
 */
import { runInNamespace } from "../../tests/_helpers/ns_process.ts";

/** One exchange pair of perfdhcp's report (DISCOVER-OFFER or REQUEST-ACK). */
export interface ExchangeStats {
  /** Requests sent. */
  sent: number;
  /** Replies received. */
  received: number;
  /** Requests perfdhcp counted as dropped (no reply within the drop time). */
  drops: number;
  /** Replies that matched no outstanding request (late or duplicate). */
  orphans: number;
  /** Delays in milliseconds. */
  minMs: number;
  /** Average delay in milliseconds. */
  avgMs: number;
  /** Maximum delay in milliseconds. */
  maxMs: number;
}

/** The parsed result of one perfdhcp run. */
export interface PerfdhcpResult {
  /** Rate asked (0: unlimited). */
  rateAsked: number;
  /** Test period in seconds. */
  seconds: number;
  /** perfdhcp's own "Rate:" line (exchanges initiated per second). */
  reportedRate: number;
  /** DISCOVER-OFFER statistics. */
  discoverOffer: ExchangeStats;
  /** REQUEST-ACK statistics. */
  requestAck: ExchangeStats;
  /** Completed DORAs per second: ACKs received / period. */
  doraPerSecond: number;
  /** Lost exchanges in percent: 1 - ACKs received / DISCOVERs sent. */
  lostPercent: number;
  /** perfdhcp's exit code (3: some exchanges not completed). */
  exitCode: number;
  /** The raw output, for the log. */
  raw: string;
}

/** Options of {@linkcode runPerfdhcp}. */
export interface PerfdhcpOptions {
  /** Namespace perfdhcp runs in. */
  ns: string;
  /** Interface perfdhcp binds (its address becomes giaddr). */
  interface: string;
  /** Server address (unicast, port 67). */
  serverIp: string;
  /** Exchanges per second; 0 for perfdhcp's unlimited rate. */
  rate: number;
  /** Test period in seconds. */
  seconds: number;
  /** Number of clients (`-R`). */
  clients: number;
  /** MAC list file (`-M`). */
  macFile: string;
}

/**
 * The perfdhcp arguments for one run:
 * `-4 [-r RATE] -R N -p SECONDS -M FILE -l IFACE SERVER`.
 */
export function perfdhcpArgs(o: PerfdhcpOptions): string[] {
  return [
    "-4",
    ...(o.rate > 0 ? ["-r", String(o.rate)] : []),
    "-R",
    String(o.clients),
    "-p",
    String(o.seconds),
    "-M",
    o.macFile,
    "-l",
    o.interface,
    o.serverIp,
  ];
}

/**
 * Run perfdhcp once and parse its report.
 *
 * @throws {Error} When perfdhcp fails with a code other than 0 or 3, or its
 * report cannot be parsed
 */
export async function runPerfdhcp(o: PerfdhcpOptions): Promise<PerfdhcpResult> {
  const out = await runInNamespace(o.ns, "perfdhcp", perfdhcpArgs(o), {
    check: false,
    timeoutMs: (o.seconds + 30) * 1000,
  });
  const raw = out.stdout + out.stderr;
  if (out.code !== 0 && out.code !== 3) {
    throw new Error(
      `perfdhcp failed with code ${out.code}: ${raw.trim().slice(-500)}`,
    );
  }
  return { ...parsePerfdhcp(raw, o.rate, o.seconds), exitCode: out.code };
}

function section(text: string, name: string): ExchangeStats {
  const part = text.split(`***Statistics for: ${name}***`)[1];
  if (part === undefined) {
    throw new Error(`Cannot parse perfdhcp output: no ${name} section`);
  }
  const body = part.split("***")[0];
  const num = (key: string) => {
    const m = body.match(new RegExp(`^${key}: (-?[\\d.]+|n/a)`, "m"));
    return m === null || m[1] === "n/a" ? NaN : Number(m[1]);
  };
  return {
    sent: num("sent packets"),
    received: num("received packets"),
    drops: num("drops"),
    orphans: num("orphans"),
    minMs: num("min delay"),
    avgMs: num("avg delay"),
    maxMs: num("max delay"),
  };
}

/**
 * Parse perfdhcp's final report.
 *
 * @throws {Error} When a section is missing
 */
export function parsePerfdhcp(
  raw: string,
  rateAsked: number,
  seconds: number,
): Omit<PerfdhcpResult, "exitCode"> {
  const discoverOffer = section(raw, "DISCOVER-OFFER");
  const requestAck = section(raw, "REQUEST-ACK");
  const rate = raw.match(/^Rate: ([\d.]+)/m);
  const acks = requestAck.received || 0;
  const sent = discoverOffer.sent || 0;
  return {
    rateAsked,
    seconds,
    reportedRate: rate ? Number(rate[1]) : NaN,
    discoverOffer,
    requestAck,
    doraPerSecond: acks / seconds,
    lostPercent: sent === 0 ? 100 : Math.max(0, 100 * (1 - acks / sent)),
    raw,
  };
}
