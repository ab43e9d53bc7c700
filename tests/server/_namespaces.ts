/**
 * Network-namespace plumbing for the server's end-to-end test: a server
 * namespace with a bridge, client namespaces hanging off it, an optional
 * relay namespace, and processes started inside namespaces with their
 * output in files. Everything is named with a random suffix and removed on
 * dispose.
 *
 * @module
 */

/** A process started inside a namespace, output captured in files. */
export interface NsProcess {
  /** Combined stdout and stderr so far. */
  output(): Promise<string>;
  /** Wait until the output matches, or throw with the output after `ms`. */
  waitFor(pattern: RegExp, ms: number): Promise<string>;
  /** Exit status (resolves when the process ends). */
  status: Promise<Deno.CommandStatus>;
  /** SIGTERM, then SIGKILL after 2 s; resolves when it has ended. */
  stop(): Promise<void>;
}

/** Whether namespaces can be used here (root and `ip`). */
export function canUseNamespaces(): boolean {
  try {
    if (Deno.uid() !== 0) return false;
    return new Deno.Command("ip", {
      args: ["netns", "list"],
      stdout: "null",
      stderr: "null",
    })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** Run `ip ARGS` (or another command) and fail with its stderr. */
export async function run(cmd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed: ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  return text;
}

/** A set of namespaces and processes torn down together. */
export class Lab implements AsyncDisposable {
  /** Random suffix of every name. */
  readonly id = crypto.randomUUID().replaceAll("-", "").slice(0, 5);
  /** Scratch directory. */
  readonly dir: string = Deno.makeTempDirSync({ prefix: "dhcp-e2e-" });
  #namespaces: string[] = [];
  #processes: NsProcess[] = [];
  #files: string[] = [];

  /** Create a namespace with loopback up; returns its name. */
  async namespace(role: string): Promise<string> {
    const name = `dhcpe2e-${this.id}-${role}`;
    await run("ip", "netns", "add", name);
    this.#namespaces.push(name);
    await run("ip", "-n", name, "link", "set", "lo", "up");
    return name;
  }

  /**
   * A veth pair: `a` into namespace `nsA`, `b` into `nsB`, both up.
   * Interface names are `<prefix><id>a` / `<prefix><id>b` (at most 15 bytes).
   */
  async veth(
    prefix: string,
    nsA: string,
    nsB: string,
    options: { macB?: string } = {},
  ): Promise<{ a: string; b: string }> {
    const a = `${prefix}${this.id}a`;
    const b = `${prefix}${this.id}b`;
    await run("ip", "link", "add", a, "type", "veth", "peer", "name", b);
    await run("ip", "link", "set", a, "netns", nsA);
    await run("ip", "link", "set", b, "netns", nsB);
    if (options.macB) {
      await run("ip", "-n", nsB, "link", "set", b, "address", options.macB);
    }
    await run("ip", "-n", nsA, "link", "set", a, "up");
    await run("ip", "-n", nsB, "link", "set", b, "up");
    return { a, b };
  }

  /** A file path in the scratch directory. */
  file(name: string): string {
    return `${this.dir}/${name}`;
  }

  /** Remember a file outside the scratch directory to delete on dispose. */
  removeLater(path: string): void {
    this.#files.push(path);
  }

  /** Start `cmd args` inside `ns`, stdout+stderr into a file. */
  spawn(ns: string, name: string, cmd: string, ...args: string[]): NsProcess {
    const log = this.file(`${name}.log`);
    Deno.writeTextFileSync(log, "");
    const child = new Deno.Command("ip", {
      args: [
        "netns",
        "exec",
        ns,
        "sh",
        "-c",
        'exec "$@" >>"$0" 2>&1',
        log,
        cmd,
        ...args,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    let done = false;
    const status = child.status.then((s) => {
      done = true;
      return s;
    });
    const output = () => Deno.readTextFile(log);
    const proc: NsProcess = {
      output,
      status,
      async waitFor(pattern, ms) {
        const deadline = Date.now() + ms;
        while (Date.now() < deadline) {
          const text = await output();
          if (pattern.test(text)) return text;
          if (done) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(
          `${name} did not print ${pattern} in time; its output:\n${await output()}`,
        );
      },
      async stop() {
        if (!done) {
          try {
            child.kill("SIGTERM");
          } catch { /* gone */ }
          const timer = setTimeout(() => {
            try {
              child.kill("SIGKILL");
            } catch { /* gone */ }
          }, 2000);
          await status;
          clearTimeout(timer);
        }
        await status;
      },
    };
    this.#processes.push(proc);
    return proc;
  }

  /** Stop every process, delete every namespace and file. */
  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.allSettled(this.#processes.map((p) => p.stop()));
    for (const ns of this.#namespaces) {
      await run("ip", "netns", "del", ns).catch(() => {});
    }
    for (const f of this.#files) await Deno.remove(f).catch(() => {});
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}

/** Parse `KEY=value` lines (an `env` dump). */
export function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) {
      out[line.slice(0, i)] = line.slice(i + 1).replace(/^'(.*)'$/, "$1");
    }
  }
  return out;
}
