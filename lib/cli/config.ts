/**
 * `parseConfig(args, env)`: the pure half of the command line. It turns
 * arguments and environment variables into a typed configuration, or a
 * `UsageError` that says what to do. Nothing here starts a role.
 *
 * @module
 */
import { Command, CommanderError, Option } from "commander";
import { ENV_PREFIX, type Setting, SETTINGS } from "./settings.ts";
import { optionName, readSettings } from "./read_settings.ts";
import { UsageError } from "./usage_error.ts";
import type { NatsSettings } from "./nats_options.ts";
import {
  addKvCommand,
  type KvCommandConfig,
  resolveKvCommand,
} from "./kv_config.ts";
import type { HostPort } from "./values.ts";
import {
  parseDuration,
  parseHostPort,
  parseInteger,
  parseMac,
} from "./values.ts";
import { versionText } from "./version.ts";

export { UsageError };

/** The version printed by `--version` (from `deno.json`). */
export { VERSION } from "./version.ts";

/** The roles of the command. */
export type Role = "dhcp" | "responder" | "server";

/** Every setting after parsing; see `settings.ts` for their meaning. */
export interface Config extends NatsSettings {
  /** Which role to run. */
  role: Role;
  /** Lookup subject. */
  subject: string;
  /** Log level. */
  logLevel: "debug" | "info" | "warn" | "error";
  /** Log format. */
  logFormat: "text" | "json";
  /** Metrics listener, when set. */
  metricsListen?: HostPort;
  /** DHCP listen address. */
  listen: HostPort;
  /** Interface to bind to. */
  interface?: string;
  /** Server identifier. */
  serverIp?: string;
  /** Lookup timeout, milliseconds. */
  timeout: number;
  /** Default lease time, seconds. */
  leaseTime: number;
  /** Reservation cache TTL, milliseconds (0 = off). */
  cacheTtl: number;
  /** In-flight lookup cap. */
  maxInFlight: number;
  /** Lookups per second per MAC (0 = no limit). */
  lookupRatePerMac: number;
  /** Burst of lookups per MAC. */
  lookupBurstPerMac: number;
  /** Netboot on or off. */
  netboot: boolean;
  /** proxyDHCP for netboot clients with a reservation. */
  proxy?: boolean;
  /** proxyDHCP for every netboot client. */
  proxyAll?: boolean;
  /** TFTP server of the iPXE binaries. */
  tftpServer?: HostPort;
  /** Base URL of the iPXE binaries over HTTP. */
  httpIpxeBinaryUrl?: string;
  /** Global iPXE script URL. */
  ipxeScriptUrl?: string;
  /** User class of our iPXE builds. */
  userClass: string;
  /** Built-in TFTP server address, when set. */
  tftpListen?: HostPort;
  /** Built-in HTTP server address, when set. */
  httpListen?: HostPort;
  /** Directory the built-in TFTP and HTTP servers serve. */
  bootDir?: string;
  /** Reservations file (responder). */
  reservations?: string;
  /** JetStream KV bucket of reservations (responder). */
  kvBucket?: string;
  /** Reply format (responder). */
  replyFormat: "v1" | "v2";
  /** Queue group (responder). */
  queue: string;
}

/** Settings of the `probe` command. */
export interface ProbeConfig {
  /** Client MAC. */
  mac: string;
  /** Server address. */
  server: HostPort;
  /** Print JSON instead of a table. */
  json: boolean;
  /** Give up after this many milliseconds. */
  timeout: number;
  /** Act as a PXE client of this architecture (option 93), when set. */
  arch?: number;
  /** User class (option 77) to send, when set. */
  userClass?: string;
}

/** Settings of the `demo` command. */
export interface DemoConfig {
  /** Reservations file served by the demo's responder; the built-in
   * examples/reservations.yaml when unset. */
  reservations?: string;
  /** Stop after the probe instead of serving until Ctrl-C. */
  once: boolean;
}

/** What the command line asks for. */
export type ParsedCommand =
  | { kind: "run"; config: Config }
  | { kind: "probe"; probe: ProbeConfig }
  | { kind: "completion"; shell: "bash" | "zsh" }
  | { kind: "demo"; demo: DemoConfig }
  | { kind: "kv"; kv: KvCommandConfig }
  | { kind: "output"; text: string };

function describe(s: Setting): string {
  let text = `${s.description} (env: ${s.env})`;
  if (s.defaultValue !== undefined && !s.secret && !s.boolean) {
    text += ` (default: ${s.defaultValue})`;
  }
  return text;
}

/** Build the commander program (also used for help and completions). */
export function buildProgram(): Command {
  const program = new Command("dhcp-nats")
    .description(
      "A netboot DHCPv4 reservation server whose data lives behind NATS.\n" +
        "No role flag runs the DHCP server; --responder answers lookups from a\n" +
        `reservations file; --server runs an embedded NATS server. Every flag\n` +
        `also reads an environment variable with the ${ENV_PREFIX} prefix.`,
    )
    .version(
      versionText(),
      "-V, --version",
      "print the version, and the Deno and V8 versions it runs on",
    )
    .helpOption("-h, --help", "show this help")
    .showSuggestionAfterError(true)
    .enablePositionalOptions()
    .allowExcessArguments(false);
  for (const s of SETTINGS) {
    program.addOption(new Option(s.flag, describe(s)));
    if (s.negatable) {
      program.addOption(
        new Option(`--no-${optionName(s)}`, `turn --${optionName(s)} off`),
      );
    }
  }
  program.command("probe")
    .description(
      "run a DHCP exchange (DORA) against a server and print the lease",
    )
    .requiredOption("--mac <mac>", "client MAC address")
    .option("--server <host:port>", "DHCP server to ask", "127.0.0.1:67")
    .option("--json", "print the lease as JSON")
    .option("--timeout <duration>", "give up after", "5s")
    .option(
      "--arch <n>",
      "act as a PXE client of this architecture (0 BIOS, 7 x86-64 UEFI, 11 ARM64 UEFI)",
    )
    .option(
      "--user-class <name>",
      "send this user class (Tinkerbell: our iPXE)",
    );
  program.command("completion")
    .description("print a shell completion script")
    .argument("<shell>", "bash or zsh");
  program.command("demo")
    .description(
      "run all three roles in one process on loopback ports, probe once, keep serving",
    )
    .option(
      "--reservations <file>",
      "reservations file (default: examples/reservations.yaml, built in)",
    )
    .option("--once", "stop after the probe");
  addKvCommand(program);
  return program;
}

/**
 * Parse the command line and the environment.
 *
 * @param args Arguments after the program name.
 * @param env Environment variables.
 * @returns What to run, or text to print (help, version).
 * @throws {UsageError} on a bad flag, value, or combination
 *
 * @example
 * ```ts
 * import { parseConfig } from "./config.ts";
 * const cmd = parseConfig(["--responder", "--reservations", "r.yaml"], {});
 * if (cmd.kind !== "run" || cmd.config.role !== "responder") throw new Error();
 * ```
 */
export function parseConfig(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParsedCommand {
  let out = "";
  let result: ParsedCommand | undefined;
  const program = buildProgram();
  const capture = (cmd: Command) =>
    cmd.exitOverride().configureOutput({
      writeOut: (s) => (out += s),
      writeErr: (s) => (out += s),
      outputError: () => {},
    });
  const captureAll = (cmd: Command) => {
    capture(cmd);
    for (const sub of cmd.commands) captureAll(sub);
  };
  captureAll(program);

  program.action(() => {
    result = { kind: "run", config: resolve(program, env) };
  });
  program.commands.find((c) => c.name() === "probe")!.action((opts) => {
    result = { kind: "probe", probe: resolveProbe(opts) };
  });
  program.commands.find((c) => c.name() === "demo")!.action((opts) => {
    result = {
      kind: "demo",
      demo: {
        reservations: opts.reservations === undefined
          ? undefined
          : String(opts.reservations),
        once: opts.once === true,
      },
    };
  });
  const kv = program.commands.find((c) => c.name() === "kv")!;
  for (const sub of kv.commands) {
    sub.action((file: unknown) => {
      const path = typeof file === "string" ? file : undefined;
      result = { kind: "kv", kv: resolveKvCommand(sub, env, path) };
    });
  }
  program.commands.find((c) => c.name() === "completion")!.action(
    (shell: string) => {
      if (shell !== "bash" && shell !== "zsh") {
        throw new UsageError(
          `Unknown shell "${shell}": completion supports bash and zsh`,
        );
      }
      result = { kind: "completion", shell };
    },
  );

  try {
    program.parse([...args], { from: "user" });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if (err instanceof CommanderError) {
      if (
        err.code === "commander.helpDisplayed" ||
        err.code === "commander.version" || err.code === "commander.help"
      ) {
        return { kind: "output", text: out };
      }
      if (err.code === "commander.excessArguments") {
        const word = args.find((a) => !a.startsWith("-")) ?? "";
        throw new UsageError(
          `Unknown command "${word}": the commands are probe, demo, kv and completion\nRun with --help to see every flag`,
          { cause: err },
        );
      }
      const message = err.message.replace(/^error: /, "");
      throw new UsageError(
        `${message[0].toUpperCase()}${
          message.slice(1)
        }\nRun with --help to see every flag`,
        { cause: err },
      );
    }
    throw err;
  }
  if (!result) throw new UsageError("Nothing to do: run with --help");
  return result;
}

function resolve(
  program: Command,
  env: Readonly<Record<string, string | undefined>>,
): Config {
  const { values, fromCli } = readSettings(program, SETTINGS, env);

  if (values.server && values.responder) {
    throw new UsageError(
      "--server and --responder cannot run in one process: start each role as its own process (deno task example runs all three for a demo)",
    );
  }
  const role: Role = values.server
    ? "server"
    : values.responder
    ? "responder"
    : "dhcp";
  for (const s of SETTINGS) {
    if (!fromCli.has(s.key) || s.group === "all" || s.group === role) continue;
    const roleName = (r: Role) => r === "dhcp" ? "the DHCP server" : `--${r}`;
    throw new UsageError(
      `--${optionName(s)} is a setting of ${
        roleName(s.group as Role)
      }, not of ${roleName(role)}: drop it or run that role`,
    );
  }
  if (role === "responder" && values.reservations && values.kvBucket) {
    throw new UsageError(
      "--reservations and --kv-bucket are two sources of reservations: give one of them",
    );
  }
  if (role === "responder" && !values.reservations && !values.kvBucket) {
    throw new UsageError(
      `--responder needs a reservations file: add --reservations FILE (or set ${ENV_PREFIX}RESERVATIONS), or a NATS KV bucket: --kv-bucket NAME; examples/reservations.yaml is a start`,
    );
  }
  if (values.tftpListen !== undefined && values.bootDir === undefined) {
    throw new UsageError(
      `--tftp-listen serves a boot directory: add --boot-dir DIR (or set ${ENV_PREFIX}BOOT_DIR), for example /usr/lib/ipxe`,
    );
  }
  if (
    values.bootDir !== undefined && values.tftpListen === undefined &&
    values.httpListen === undefined
  ) {
    throw new UsageError(
      "--boot-dir is served by the built-in servers: add --tftp-listen HOST:PORT and/or --http-listen HOST:PORT",
    );
  }
  if (values.proxy && values.proxyAll) {
    throw new UsageError(
      "--proxy and --proxy-all are two proxyDHCP modes: give --proxy (hosts with a reservation) or --proxy-all (every netboot client)",
    );
  }
  if ((values.proxy || values.proxyAll) && values.netboot === false) {
    throw new UsageError(
      "--proxy and --proxy-all only give boot options: drop --no-netboot (or DHCP_NATS_NETBOOT=false)",
    );
  }
  if (
    (values.natsUser === undefined) !== (values.natsPassword === undefined)
  ) {
    throw new UsageError(
      "--nats-user and --nats-password go together: give both or neither",
    );
  }
  return { ...values, role } as unknown as Config;
}

function resolveProbe(opts: Record<string, string | boolean>): ProbeConfig {
  const wrap = <T>(flag: string, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      throw new UsageError(`Invalid ${flag}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  };
  return {
    mac: wrap("--mac", () => parseMac(String(opts.mac))),
    server: wrap(
      "--server",
      () => parseHostPort(String(opts.server), "127.0.0.1", 67),
    ),
    json: opts.json === true,
    timeout: wrap("--timeout", () => parseDuration(String(opts.timeout))),
    arch: opts.arch === undefined
      ? undefined
      : wrap("--arch", () => parseInteger(String(opts.arch), 0, 65535)),
    userClass: opts.userClass === undefined
      ? undefined
      : String(opts.userClass),
  };
}
