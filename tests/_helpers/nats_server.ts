/**
 * Starts a real `nats-server` (the Debian package) on a free loopback port
 * for a test, and stops it on dispose.
 *
 * @module
 */

/** A running nats-server. */
export interface NatsServerProcess extends AsyncDisposable {
  /** `nats://127.0.0.1:PORT` */
  url: string;
  /** The client port. */
  port: number;
  /** Stop the server (SIGTERM, then SIGKILL after 2 s). Idempotent. */
  stop(): Promise<void>;
  /** Start it again on the same port after `stop()`. */
  restart(): Promise<void>;
}

/** Options of {@linkcode startNatsServer}. */
export interface StartNatsServerOptions {
  /** Port to use; a free one by default. */
  port?: number;
  /** Extra command-line arguments (for example `--auth TOKEN`). */
  args?: string[];
  /** Config file contents, written to a temp file and passed with `-c`. */
  config?: string;
  /**
   * Turn JetStream on (`-js`) with a store directory of its own, kept
   * across `restart()` and removed on dispose.
   * @default {false}
   */
  jetstream?: boolean;
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw new Error(`nats-server did not listen on port ${port} in time`);
}

/**
 * Start `nats-server` on 127.0.0.1.
 *
 * @example
 * ```ts ignore
 * await using nats = await startNatsServer();
 * const nc = await connect({ servers: nats.url });
 * ```
 */
export async function startNatsServer(
  options: StartNatsServerOptions = {},
): Promise<NatsServerProcess> {
  let port = options.port ?? freePort();
  const extra = [...options.args ?? []];
  let configFile: string | undefined;
  if (options.config !== undefined) {
    configFile = await Deno.makeTempFile({ suffix: ".conf" });
    await Deno.writeTextFile(configFile, options.config);
  }
  const storeDir = options.jetstream
    ? await Deno.makeTempDir({ prefix: "nats_js_" })
    : undefined;
  if (storeDir) extra.push("-js", "-sd", storeDir);
  let child: Deno.ChildProcess | undefined;

  // The server writes a ports file once it listens; a server that could not
  // bind (another test took the port between freePort() and the spawn)
  // exits instead, and is retried on a new port when none was asked for.
  const spawnOnce = async (): Promise<boolean> => {
    const portsDir = await Deno.makeTempDir({ prefix: "nats_ports_" });
    const args = ["-a", "127.0.0.1", "-p", String(port), ...extra];
    if (configFile) args.push("-c", configFile);
    args.push("--ports_file_dir", portsDir);
    const c = new Deno.Command("nats-server", {
      args,
      stdout: "null",
      stderr: "null",
    }).spawn();
    let exited = false;
    c.status.then(() => (exited = true));
    const portsFile = `${portsDir}/nats-server_${c.pid}.ports`;
    const deadline = Date.now() + 5000;
    try {
      while (Date.now() < deadline && !exited) {
        const text = await Deno.readTextFile(portsFile).catch(() => "");
        if (text.includes('"nats"')) {
          child = c;
          return true;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      if (!exited) {
        c.kill("SIGKILL");
        throw new Error(`nats-server did not listen on port ${port} in time`);
      }
      await c.status;
      return false;
    } finally {
      await Deno.remove(portsDir, { recursive: true }).catch(() => {});
    }
  };

  const start = async (mayMove: boolean) => {
    for (let attempt = 0;; attempt++) {
      if (await spawnOnce()) break;
      if (!mayMove || attempt >= 5) {
        throw new Error(`nats-server could not listen on port ${port}`);
      }
      port = freePort();
    }
    await waitForPort(port, 5000);
  };

  const stop = async () => {
    const c = child;
    if (!c) return;
    child = undefined;
    try {
      c.kill("SIGTERM");
    } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try {
        c.kill("SIGKILL");
      } catch { /* already gone */ }
    }, 2000);
    await c.status;
    clearTimeout(timer);
  };

  await start(options.port === undefined);
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    stop,
    restart: () => start(false),
    async [Symbol.asyncDispose]() {
      await stop();
      if (configFile) await Deno.remove(configFile).catch(() => {});
      if (storeDir) {
        await Deno.remove(storeDir, { recursive: true }).catch(() => {});
      }
    },
  };
}

/** A cluster of nats-server nodes on loopback. */
export interface NatsCluster extends AsyncDisposable {
  /** The nodes, in order. */
  nodes: NatsServerProcess[];
  /** Their client URLs, in order. */
  urls: string[];
}

/**
 * Start `size` nats-server nodes clustered over routes on loopback (each
 * with a `server_name`, as JetStream in a cluster needs), optionally with
 * JetStream and a store directory each.
 *
 * @example
 * ```ts ignore
 * await using cluster = await startNatsCluster(3, { jetstream: true });
 * const nc = await connect({ servers: cluster.urls });
 * ```
 */
export async function startNatsCluster(
  size: number,
  options: { jetstream?: boolean } = {},
): Promise<NatsCluster> {
  const routes = Array.from({ length: size }, () => freePort());
  const nodes: NatsServerProcess[] = [];
  const dispose = async () => {
    for (const node of nodes) await node[Symbol.asyncDispose]();
  };
  try {
    for (let i = 0; i < size; i++) {
      const others = routes.filter((_, j) => j !== i)
        .map((p) => `"nats-route://127.0.0.1:${p}"`);
      nodes.push(
        await startNatsServer({
          jetstream: options.jetstream,
          config: `server_name: n${i + 1}
cluster {
  name: "dhcp-nats-test"
  listen: "127.0.0.1:${routes[i]}"
  routes: [${others.join(", ")}]
}
`,
        }),
      );
    }
  } catch (err) {
    await dispose();
    throw err;
  }
  return {
    nodes,
    urls: nodes.map((n) => n.url),
    [Symbol.asyncDispose]: dispose,
  };
}
