/**
 * Fault-test helpers: run a role of `main.ts` as a real subprocess, collect
 * its log, scrape its metrics, read its memory, stop it with a signal. The
 * DORA load generator is in `_load.ts` (re-exported here).
 *
 * @module
 */
import { freePort } from "../_helpers/nats_server.ts";

/** The repository root. */
export const ROOT = new URL("../../", import.meta.url).pathname;

export {
  type DoraResult,
  freeUdpPorts,
  type Load,
  startLoad,
} from "./_load.ts";

const decoder = new TextDecoder();

/** A running role. */
export interface RoleProcess extends AsyncDisposable {
  /** Its process id. */
  readonly pid: number;
  /** The metrics port (`--metrics-listen`), when asked for. */
  readonly metricsPort: number;
  /** Log lines so far (stderr and stdout, at most the last 20,000). */
  lines(): string[];
  /** Log lines matching `pattern` so far. */
  count(pattern: RegExp): number;
  /** Wait until a log line matches `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** GET /metrics. */
  scrape(): Promise<string>;
  /** GET /healthz: the status code. */
  health(): Promise<number>;
  /** Resident memory in bytes, from /proc. */
  rss(): Promise<number>;
  /** Send a signal and wait for the exit: the code and how long it took. */
  stop(signal?: Deno.Signal): Promise<{ code: number; ms: number }>;
}

/** Options of {@linkcode startRole}. */
export interface StartRoleOptions {
  /** A log line that says the role is ready. */
  ready: RegExp;
  /**
   * Serve metrics on a free port.
   * @default {true}
   */
  metrics?: boolean;
  /**
   * How long to wait for `ready`, ms.
   * @default {20000}
   */
  timeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Deno flags after `-A`, such as `--deny-ffi` (the `node:dgram` socket). */
  denoFlags?: string[];
}

/**
 * Start `deno run -A main.ts ...args` and wait until it logs `ready`.
 *
 * @param args Command-line arguments.
 * @param options Readiness line and metrics.
 * @returns The running role; dispose it to stop it (SIGKILL if it lingers).
 */
export async function startRole(
  args: string[],
  options: StartRoleOptions,
): Promise<RoleProcess> {
  const metricsPort = options.metrics === false ? 0 : freePort();
  const full = [
    "run",
    "-A",
    ...options.denoFlags ?? [],
    `${ROOT}main.ts`,
    ...args,
  ];
  if (metricsPort) full.push("--metrics-listen", `127.0.0.1:${metricsPort}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: full,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let rest = "";
    for await (const chunk of stream) {
      const parts = (rest + decoder.decode(chunk, { stream: true })).split(
        "\n",
      );
      rest = parts.pop()!;
      lines.push(...parts);
      if (lines.length > 20_000) lines.splice(0, lines.length - 20_000);
      for (const w of waiters) w();
    }
    if (rest) lines.push(rest);
    for (const w of waiters) w();
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    for (const w of waiters) w();
    return s;
  });
  const waitFor = (pattern: RegExp, timeoutMs = 20000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (lines.some((l) => pattern.test(l))) done(resolve);
        else if (exited) {
          done(() =>
            reject(
              new Error(
                `The role exited before logging ${pattern}:\n${
                  lines.join("\n")
                }`,
              ),
            )
          );
        }
      };
      const timer = setTimeout(() =>
        done(() =>
          reject(
            new Error(
              `No ${pattern} within ${timeoutMs} ms:\n${lines.join("\n")}`,
            ),
          )
        ), timeoutMs);
      const done = (f: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        f();
      };
      waiters.add(check);
      check();
    });
  const stop = async (signal: Deno.Signal = "SIGTERM") => {
    const started = performance.now();
    if (!exited) {
      try {
        child.kill(signal);
      } catch { /* gone */ }
    }
    const killer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    }, 15000);
    const s = await status;
    clearTimeout(killer);
    await pumps;
    return { code: s.code, ms: performance.now() - started };
  };
  try {
    await waitFor(options.ready, options.timeoutMs);
    if (metricsPort) await waitFor(/metrics listening/, 5000);
  } catch (error) {
    await stop("SIGKILL");
    throw error;
  }
  const get = (path: string) => fetch(`http://127.0.0.1:${metricsPort}${path}`);
  return {
    pid: child.pid,
    metricsPort,
    lines: () => [...lines],
    count: (pattern) => lines.filter((l) => pattern.test(l)).length,
    waitFor,
    async scrape() {
      const res = await get("/metrics");
      const text = await res.text();
      if (res.status !== 200) throw new Error(`Scrape failed: ${text}`);
      return text;
    },
    async health() {
      const res = await get("/healthz");
      await res.body?.cancel();
      return res.status;
    },
    async rss() {
      const text = await Deno.readTextFile(`/proc/${child.pid}/status`);
      const kb = Number(/VmRSS:\s+(\d+)/.exec(text)?.[1] ?? NaN);
      return kb * 1024;
    },
    stop,
    async [Symbol.asyncDispose]() {
      await stop(exited ? "SIGTERM" : "SIGKILL");
    },
  };
}

/**
 * The value of one series in a Prometheus text scrape (0 when absent).
 *
 * @param text The scrape.
 * @param series `name` or `name{label="value"}` exactly as printed.
 */
export function metric(text: string, series: string): number {
  for (const line of text.split("\n")) {
    if (line.startsWith(series + " ")) return Number(line.slice(series.length));
  }
  return 0;
}

/** Start the DHCP server role on a free UDP port. */
export async function startDhcp(
  natsUrl: string,
  extra: string[] = [],
  env?: Record<string, string>,
): Promise<RoleProcess & { port: number; server: string }> {
  const role = await startRole([
    "--listen",
    "127.0.0.1:0",
    "--server-ip",
    "127.0.0.1",
    "--nats-url",
    natsUrl,
    ...extra,
  ], { ready: /DHCP server listening/, env });
  const listening = role.lines().find((l) => /DHCP server listening/.test(l));
  const port = Number(/listen=127\.0\.0\.1:(\d+)/.exec(listening ?? "")?.[1]);
  // Ready for lookups once connected.
  const deadline = Date.now() + 10000;
  while (await role.health() !== 200) {
    if (Date.now() > deadline) {
      await role.stop("SIGKILL");
      throw new Error("The DHCP server did not connect to NATS");
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return Object.assign(role, { port, server: `127.0.0.1:${port}` });
}

/** Write a reservations file for `count` MACs `52:54:00:00:xx:yy`. */
export async function writeReservations(count: number): Promise<{
  file: string;
  macs: string[];
}> {
  const macs: string[] = [];
  let text = "";
  for (let i = 1; i <= count; i++) {
    const hi = (i >> 8).toString(16).padStart(2, "0");
    const lo = (i & 255).toString(16).padStart(2, "0");
    const mac = `52:54:00:00:${hi}:${lo}`;
    macs.push(mac);
    text += `${mac}:\n  ipAddress: 10.${i >> 16}.${(i >> 8) & 255}.${
      i & 255
    }\n  subnetMask: 255.0.0.0\n`;
  }
  const file = await Deno.makeTempFile({ suffix: ".yaml" });
  await Deno.writeTextFile(file, text);
  return { file, macs };
}

/** Start a responder role serving `file`. */
export function startResponderRole(
  natsUrl: string,
  file: string,
  extra: string[] = [],
): Promise<RoleProcess> {
  return startRole(
    ["--responder", "--reservations", file, "--nats-url", natsUrl, ...extra],
    { ready: /responder ready/ },
  );
}

/** Sleep. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
