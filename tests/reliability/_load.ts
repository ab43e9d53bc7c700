/**
 * A DORA load generator for the fault tests, on our DHCP client.
 *
 * @module
 */
import dgram from "node:dgram";
import { DhcpClient } from "../../lib/client/client.ts";

/**
 * `count` distinct free UDP ports on 127.0.0.1. DhcpClient binds with
 * SO_REUSEADDR, and Linux may then give two sockets binding port 0 the
 * same port (one of them loses its replies); explicit ports avoid that.
 */
export async function freeUdpPorts(count: number): Promise<number[]> {
  const sockets: dgram.Socket[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const socket = dgram.createSocket("udp4");
      await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
      sockets.push(socket);
    }
    return sockets.map((s) => s.address().port);
  } finally {
    await Promise.all(
      sockets.map((s) => new Promise<void>((r) => s.close(() => r()))),
    );
  }
}

/** One finished DORA of the load generator. */
export interface DoraResult {
  /** When it started, `performance.now()`. */
  start: number;
  /** When it ended. */
  end: number;
  /** Whether an ACK came back. */
  ok: boolean;
  /** The client's MAC. */
  mac: string;
  /** Why it failed. */
  error?: string;
}

/** A running DORA load. */
export interface Load {
  /** Results so far. */
  readonly results: DoraResult[];
  /** Stop and wait for the workers. */
  stop(): Promise<DoraResult[]>;
}

/**
 * Run `workers` loops of DORAs against `server` until stopped. Worker `i`
 * takes turns with the MACs `macs[i]`, `macs[i + workers]`, ... (so that
 * no MAC goes over the server's per-MAC lookup rate).
 *
 * @param server `host:port`.
 * @param macs MACs to use.
 * @param options Worker count (default: one per MAC), per-DORA timeout,
 *   pause between DORAs.
 */
export function startLoad(
  server: string,
  macs: string[],
  options: {
    workers?: number;
    timeout?: number;
    retransmit?: number;
    pauseMs?: number;
  } = {},
): Load {
  const results: DoraResult[] = [];
  const workers = Math.min(options.workers ?? macs.length, macs.length);
  let running = true;
  const ports = freeUdpPorts(macs.length);
  const worker = async (index: number) => {
    const clients: DhcpClient[] = [];
    const bound = await ports;
    try {
      for (let i = index; i < macs.length; i += workers) {
        clients.push(
          await DhcpClient.open({
            server,
            mac: macs[i],
            bind: `127.0.0.1:${bound[i]}`,
            timeout: options.timeout ?? 1000,
            retransmit: options.retransmit ?? 250,
          }),
        );
      }
      for (let turn = 0; running; turn++) {
        const n = turn % clients.length;
        const client = clients[n];
        const start = performance.now();
        let ok = false;
        let error: string | undefined;
        try {
          await client.dora();
          ok = true;
        } catch (e) {
          error = e instanceof Error ? e.message : String(e);
        }
        results.push({
          start,
          end: performance.now(),
          ok,
          mac: macs[index + n * workers],
          ...(error ? { error } : {}),
        });
        await new Promise((r) => setTimeout(r, options.pauseMs ?? 20));
      }
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  };
  const all = Promise.all(
    Array.from({ length: workers }, (_, i) => worker(i)),
  );
  return {
    results,
    async stop() {
      running = false;
      await all;
      return results;
    },
  };
}
