/**
 * The two systems under test, each in its own pair of network namespaces
 * with identical addressing, so both can stay up and the ladder can
 * alternate between them rung by rung:
 *
 * - ours: a NATS broker (nats-server or our embedded one), our responder
 *   with the reservations file, and our DHCP server bound to the veth;
 * - kea: kea-dhcp4 with the same hosts as reservations, memfile leases in a
 *   temp dir.
 *
 * @module
 */
import {
  createNetworkPair,
  type NamespaceProcess,
  type NetworkPair,
} from "../../tests/_helpers/netns.ts";
import { benchNet } from "./fixtures.ts";
import { DEFAULT_NATS_PORT, DEFAULT_NATS_URL } from "../../lib/nats/urls.ts";
import { dhcpServerV8Flags } from "../../lib/server/v8_flags.ts";

/** A process worth measuring. */
export interface Measured {
  /** Short name for tables. */
  name: string;
  /** Process id. */
  pid: number;
}

/** Lookup statistics printed by `_timed_server.ts` on SIGUSR1. */
export interface TimedStats {
  /** Lookups since the previous report. */
  lookups: number;
  /** Median lookup latency in ms. */
  p50Ms: number;
  /** 99th percentile lookup latency in ms. */
  p99Ms: number;
  /** Slowest lookup in ms. */
  maxMs: number;
  /** The server's counters. */
  counters: {
    drops: Record<string, number>;
    inFlight: number;
    packetsIn: Record<string, number>;
  };
}

/** A running system under test; `await using` stops it and its namespaces. */
export interface Target extends AsyncDisposable {
  /** "ours" or "kea". */
  name: string;
  /** Its namespaces and veth. */
  net: NetworkPair;
  /** Its processes. */
  procs: Measured[];
  /** A line worth printing about its set-up (Kea's threading mode). */
  info?: string;
  /** Lookup latency and counters since the last call (timed server only). */
  report(): Promise<TimedStats | undefined>;
}

const mainTs = new URL("../../main.ts", import.meta.url).pathname;
const timedTs = new URL("./_timed_server.ts", import.meta.url).pathname;
const natsUrl = DEFAULT_NATS_URL;

async function pair(): Promise<NetworkPair> {
  return await createNetworkPair({
    serverAddress: `${benchNet.serverIp}/${benchNet.prefix}`,
    clientAddress: `${benchNet.clientIp}/${benchNet.prefix}`,
  });
}

async function stopAll(
  procs: NamespaceProcess[],
  net: NetworkPair,
): Promise<void> {
  for (const p of [...procs].reverse()) await p.stop().catch(() => {});
  await net[Symbol.asyncDispose]();
}

/** Options of {@linkcode startOurs}. */
export interface OursOptions {
  /** Reservations file. */
  reservations: string;
  /** "nats-server" or "embedded". */
  broker: string;
  /** "timed" (`_timed_server.ts`) or "cli" (`main.ts`). */
  server: string;
  /** Write a V8 CPU profile of the server here. */
  profileDir?: string;
  /** V8 flags for the server's Deno (`--v8-flags=...`), e.g. `--trace-gc`. */
  v8Flags?: string;
  /**
   * Start the server with its heap settings (lib/server/v8_flags.ts), as
   * it is deployed; `false` leaves V8's defaults.
   * @default {true}
   */
  heapFlags?: boolean;
  /** Write the server's output (stdout and stderr) here when it stops. */
  serverLog?: string;
  /** Extra server flags (main.ts syntax, e.g. `--cache-ttl 0`). */
  serverFlags: string[];
}

/** Start broker, responder and DHCP server in a fresh namespace pair. */
export async function startOurs(o: OursOptions): Promise<Target> {
  const net = await pair();
  const procs: NamespaceProcess[] = [];
  const deno = Deno.execPath();
  try {
    const broker = o.broker === "embedded"
      ? net.spawn(net.serverNs, deno, [
        "run",
        "-A",
        mainTs,
        "--server",
        "--nats-url",
        natsUrl,
        "--log-level",
        "info",
      ], { name: "broker" })
      : net.spawn(net.serverNs, "nats-server", [
        "-a",
        "127.0.0.1",
        "-p",
        String(DEFAULT_NATS_PORT),
      ], { name: "nats-server" });
    procs.push(broker);
    await broker.waitForOutput(/ready|listening/i, 20000);
    const responder = net.spawn(net.serverNs, deno, [
      "run",
      "-A",
      mainTs,
      "--responder",
      "--nats-url",
      natsUrl,
      "--reservations",
      o.reservations,
      "--log-level",
      "info",
    ], { name: "responder" });
    procs.push(responder);
    await responder.waitForOutput(/responder ready/i, 60000);
    // The DHCP server runs with the heap settings it ships with (unless
    // told not to), then any given here (later flags win).
    const v8Flags = [
      o.heapFlags === false ? "" : dhcpServerV8Flags(),
      o.v8Flags ?? "",
    ].filter((f) => f !== "").join(",");
    const prof = [
      ...(o.profileDir ? ["--cpu-prof", "--cpu-prof-dir", o.profileDir] : []),
      ...(v8Flags ? [`--v8-flags=${v8Flags}`] : []),
    ];
    const common = [
      "--nats-url",
      natsUrl,
      "--listen",
      `${benchNet.serverIp}:67`,
      "--interface",
      net.serverIf,
      "--server-ip",
      benchNet.serverIp,
    ];
    const server = o.server === "timed"
      ? net.spawn(net.serverNs, deno, [
        "run",
        "-A",
        ...prof,
        timedTs,
        ...common,
        ...timedFlags(o.serverFlags),
      ], { name: "server" })
      : net.spawn(net.serverNs, deno, [
        "run",
        "-A",
        ...prof,
        mainTs,
        ...common,
        "--log-level",
        "warn",
        ...o.serverFlags,
      ], { name: "server" });
    procs.push(server);
    if (o.server === "timed") {
      await server.waitForOutput(/timed server ready/, 30000);
    } else await new Promise((r) => setTimeout(r, 3000));
    let seen = 0;
    return {
      name: "ours",
      net,
      procs: [
        {
          name: o.broker === "embedded" ? "broker" : "nats-server",
          pid: broker.pid,
        },
        { name: "responder", pid: responder.pid },
        { name: "server", pid: server.pid },
      ],
      async report() {
        if (o.server !== "timed") return undefined;
        server.kill("SIGUSR1");
        for (let i = 0; i < 50; i++) {
          await new Promise((r) => setTimeout(r, 100));
          const lines = server.stdout().split("\n").filter((l) =>
            l.startsWith("{")
          );
          if (lines.length > seen) {
            seen = lines.length;
            return JSON.parse(lines[lines.length - 1]) as TimedStats;
          }
        }
        return undefined;
      },
      async [Symbol.asyncDispose]() {
        if (o.serverLog) await Deno.writeTextFile(o.serverLog, server.output());
        await stopAll(procs, net);
      },
    };
  } catch (e) {
    const logs = procs.map((p) => p.output().slice(-800)).join("\n");
    await stopAll(procs, net);
    throw new Error(
      `Cannot start our server: ${(e as Error).message}\n${logs}`,
    );
  }
}

/**
 * Map main.ts flags to the timed server's: durations (`--cache-ttl`,
 * `--timeout`) become milliseconds, anything else passes through.
 */
function timedFlags(flags: string[]): string[] {
  return flags.map((value, i) =>
    flags[i - 1] === "--cache-ttl" || flags[i - 1] === "--timeout"
      ? String(parseDuration(value))
      : value
  );
}

function parseDuration(value: string): number {
  const m = value.match(/^(\d+(?:\.\d+)?)(ms|s|m)?$/);
  if (!m) throw new TypeError(`Cannot read duration ${value}`);
  const n = Number(m[1]);
  return m[2] === "s" ? n * 1000 : m[2] === "m" ? n * 60000 : n;
}

/** Options of {@linkcode startKea}. */
export interface KeaOptions {
  /** Temp directory for config, leases, lock and pid files. */
  dir: string;
  /** Writes the config for the server-side interface; returns its path. */
  writeConfig(iface: string): string;
}

/** Start kea-dhcp4 in a fresh namespace pair. */
export async function startKea(o: KeaOptions): Promise<Target> {
  const net = await pair();
  const procs: NamespaceProcess[] = [];
  try {
    const config = o.writeConfig(net.serverIf);
    const kea = net.spawn(net.serverNs, "kea-dhcp4", ["-c", config], {
      name: "kea-dhcp4",
      env: { KEA_LOCKFILE_DIR: o.dir, KEA_PIDFILE_DIR: o.dir },
    });
    procs.push(kea);
    // Kea 2.2 logs its threading mode at WARN: "enabled: no, ..." by default.
    const info = await kea.waitForOutput(/MULTI_THREADING_INFO[^\n]*/, 20000);
    return {
      name: "kea",
      info: info.match(/MULTI_THREADING_INFO[^\n]*/)?.[0],
      net,
      procs: [{ name: "kea-dhcp4", pid: kea.pid }],
      report: () => Promise.resolve(undefined),
      [Symbol.asyncDispose]: () => stopAll(procs, net),
    };
  } catch (e) {
    await stopAll(procs, net);
    throw new Error(`Cannot start kea-dhcp4: ${(e as Error).message}`);
  }
}
