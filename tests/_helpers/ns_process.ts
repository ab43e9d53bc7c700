/**
 * Run commands inside a network namespace (`ip netns exec NS ...`): one-shot
 * with {@linkcode runInNamespace}, or long-running with
 * {@linkcode spawnInNamespace}, whose stdout and stderr go to files so they
 * can be read at any time and no pipe outlives the process.
 *
 * @module
 */

/** Result of {@linkcode runInNamespace}. */
export interface RunResult {
  /** Exit code (124 when the timeout killed it). */
  code: number;
  /** Standard output as text. */
  stdout: string;
  /** Standard error as text. */
  stderr: string;
}

/** Options of {@linkcode runInNamespace}. */
export interface RunOptions {
  /**
   * Kill the command (SIGKILL) after this many milliseconds.
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * Throw when the command exits with a non-zero code.
   * @default true
   */
  check?: boolean;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** Options of {@linkcode spawnInNamespace}. */
export interface SpawnOptions {
  /** Extra environment variables. */
  env?: Record<string, string>;
  /**
   * Milliseconds between SIGTERM and SIGKILL when stopping.
   * @default 2000
   */
  killAfterMs?: number;
  /** A short name used in error messages and log file names. */
  name?: string;
}

/** A process running inside a namespace; `await using` stops it. */
export interface NamespaceProcess extends AsyncDisposable {
  /** Process id (the command itself: `ip netns exec` and `sh` both exec). */
  readonly pid: number;
  /** Resolves with the exit status once the process has ended. */
  readonly status: Promise<Deno.CommandStatus>;
  /** Whether the process has ended. */
  readonly exited: boolean;
  /** Standard output so far. */
  stdout(): string;
  /** Standard error so far. */
  stderr(): string;
  /** Standard output then standard error so far (for failure messages). */
  output(): string;
  /**
   * Wait until stdout or stderr matches `pattern`.
   *
   * @throws {Error} With the output so far, when `timeoutMs` passes or the
   * process ends first
   */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Send a signal (ignored once the process has ended). */
  kill(signal?: Deno.Signal): void;
  /** SIGTERM, then SIGKILL after `killAfterMs`; resolves with the status. */
  stop(): Promise<Deno.CommandStatus>;
}

/**
 * Run a command inside namespace `ns` (or on the host when `ns` is `null`)
 * and collect its output. Never hangs: the command is killed at the timeout.
 *
 * @param ns Namespace name, or `null` for the host namespace
 * @param cmd Program to run
 * @param args Its arguments
 * @param options Timeout, exit-code check and environment
 * @returns The exit code and output
 * @throws {Error} When `check` is on and the command fails or times out
 *
 * @example
 * ```ts ignore
 * const { stdout } = await runInNamespace(ns, "ip", ["-4", "addr"]);
 * ```
 */
export async function runInNamespace(
  ns: string | null,
  cmd: string,
  args: string[] = [],
  options: RunOptions = {},
): Promise<RunResult> {
  // Output goes through files, not pipes: a daemon the command leaves behind
  // cannot keep us waiting for end-of-file.
  const proc = spawnInNamespace(ns, cmd, args, {
    env: options.env,
    killAfterMs: 1000,
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.stop();
  }, options.timeoutMs ?? 30000);
  const status = await proc.status;
  clearTimeout(timer);
  await proc.stop();
  const result: RunResult = {
    code: timedOut ? 124 : status.code,
    stdout: proc.stdout(),
    stderr: proc.stderr(),
  };
  if ((options.check ?? true) && result.code !== 0) {
    const why = result.code === 124
      ? "timed out"
      : `exited with code ${result.code}`;
    throw new Error(
      `Command failed in ${ns ?? "the host namespace"}: ${
        [cmd, ...args].join(" ")
      } ${why}: ${result.stderr.trim()}`,
    );
  }
  return result;
}

function readOr(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

/**
 * Start a long-running command inside namespace `ns`. Its stdout and stderr
 * go to temp files (readable any time, removed on stop), so a daemon's
 * children that keep the descriptors open cannot hold a pipe.
 *
 * @param ns Namespace name, or `null` for the host namespace
 * @param cmd Program to run
 * @param args Its arguments
 * @param options Environment, kill grace period, name
 * @returns The running process; `await using` stops it (SIGTERM then SIGKILL)
 *
 * @example
 * ```ts ignore
 * await using dnsmasq = spawnInNamespace(ns, "dnsmasq", ["--no-daemon"]);
 * await dnsmasq.waitForOutput(/started/);
 * ```
 */
export function spawnInNamespace(
  ns: string | null,
  cmd: string,
  args: string[] = [],
  options: SpawnOptions = {},
): NamespaceProcess {
  const name = options.name ?? cmd;
  const dir = Deno.makeTempDirSync({
    prefix: `nsproc-${name.replace(/\W/g, "_")}-`,
  });
  const outFile = `${dir}/stdout`;
  const errFile = `${dir}/stderr`;
  Deno.writeTextFileSync(outFile, "");
  Deno.writeTextFileSync(errFile, "");
  const shell = [
    "sh",
    "-c",
    'o=$1; e=$2; shift 2; exec "$@" >"$o" 2>"$e"',
    "sh",
    outFile,
    errFile,
    cmd,
    ...args,
  ];
  const full = ns === null ? shell : ["ip", "netns", "exec", ns, ...shell];
  const child = new Deno.Command(full[0], {
    args: full.slice(1),
    stdin: "null",
    stdout: "null",
    stderr: "null",
    env: options.env,
  }).spawn();
  let exited = false;
  let captured = { stdout: "", stderr: "" };
  const status = child.status.then((s) => {
    exited = true;
    captured = { stdout: readOr(outFile), stderr: readOr(errFile) };
    return s;
  });
  const stdout = () => exited ? captured.stdout : readOr(outFile);
  const stderr = () => exited ? captured.stderr : readOr(errFile);
  const output = () => {
    const out = stdout();
    const err = stderr();
    return out && err ? `${out}\n${err}` : out + err;
  };
  const kill = (signal: Deno.Signal = "SIGTERM") => {
    if (exited) return;
    try {
      child.kill(signal);
    } catch { /* already gone */ }
  };
  let stopping: Promise<Deno.CommandStatus> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      kill("SIGTERM");
      const timer = setTimeout(
        () => kill("SIGKILL"),
        options.killAfterMs ?? 2000,
      );
      const s = await status;
      clearTimeout(timer);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      return s;
    })();
    return stopping;
  };
  return {
    pid: child.pid,
    status,
    get exited() {
      return exited;
    },
    stdout,
    stderr,
    output,
    kill,
    stop,
    async waitForOutput(pattern: RegExp, timeoutMs = 10000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = output();
        if (pattern.test(text)) return text;
        if (exited || Date.now() >= deadline) {
          const why = exited ? "it exited first" : `not within ${timeoutMs} ms`;
          throw new Error(
            `${name} in ${
              ns ?? "the host namespace"
            } did not print ${pattern}: ${why}; its output:\n${text}`,
          );
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
}

/**
 * Start a Deno program inside namespace `ns` with the running Deno binary:
 * `deno ARGS...` (for example `["run", "-A", "tests/_helpers/run_server.ts",
 * json]`). Its sockets live in the namespace; see {@linkcode spawnInNamespace}.
 *
 * @param ns Namespace name
 * @param args Arguments to `deno`
 * @param options Environment, kill grace period, name
 * @returns The running process
 *
 * @example
 * ```ts ignore
 * await using server = spawnDenoInNamespace(net.serverNs.name, ["run", "-A", "main.ts"]);
 * ```
 */
export function spawnDenoInNamespace(
  ns: string,
  args: string[],
  options: SpawnOptions = {},
): NamespaceProcess {
  return spawnInNamespace(ns, Deno.execPath(), args, {
    name: "deno",
    ...options,
    env: { NO_COLOR: "1", ...options.env },
  });
}
