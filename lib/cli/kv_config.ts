/**
 * The `kv import` and `kv export` commands' flags: the bucket, the NATS
 * connection settings of the settings table, and for import `--replicas`,
 * `--prune` and the file.
 *
 * @module
 */
import { type Command, Option } from "commander";
import { readSettings } from "./read_settings.ts";
import { type Setting, SETTINGS } from "./settings.ts";
import { UsageError } from "./usage_error.ts";
import type { NatsSettings } from "./nats_options.ts";
import { parseInteger } from "./values.ts";

/** What `kv import` or `kv export` is asked to do. */
export interface KvCommandConfig extends NatsSettings {
  /** `import` a file into the bucket, or `export` the bucket. */
  action: "import" | "export";
  /** The bucket. */
  kvBucket: string;
  /** The reservations file to import. */
  file?: string;
  /** Copies of a bucket import creates (1 to 5). */
  replicas: number;
  /** Delete the keys that the imported file does not have. */
  prune: boolean;
}

/** The settings both commands read: the bucket and the NATS connection. */
const KV_SETTINGS: readonly Setting[] = SETTINGS.filter((s) =>
  s.key === "kvBucket" || s.key.startsWith("nats")
);

function addSettings(command: Command): Command {
  for (const s of KV_SETTINGS) {
    command.addOption(new Option(s.flag, `${s.description} (env: ${s.env})`));
  }
  return command;
}

function resolveKv(
  command: Command,
  action: KvCommandConfig["action"],
  env: Readonly<Record<string, string | undefined>>,
  file?: string,
): KvCommandConfig {
  const { values } = readSettings(command, KV_SETTINGS, env);
  if (values.kvBucket === undefined) {
    throw new UsageError(
      `kv ${action} needs a bucket: add --kv-bucket NAME (or set ${
        KV_SETTINGS.find((s) => s.key === "kvBucket")!.env
      })`,
    );
  }
  const opts = command.opts();
  let replicas = 1;
  if (opts.replicas !== undefined) {
    try {
      replicas = parseInteger(String(opts.replicas), 1, 5);
    } catch (err) {
      throw new UsageError(
        `Invalid --replicas: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  return {
    ...values,
    action,
    file,
    replicas,
    prune: opts.prune === true,
  } as KvCommandConfig;
}

/**
 * Add the `kv` command, with `import` and `export`, to `program`.
 *
 * @param program The top-level command.
 * @returns The `kv` command.
 */
export function addKvCommand(program: Command): Command {
  const kv = program.command("kv")
    .description("load or dump reservations kept in a NATS JetStream KV bucket")
    .enablePositionalOptions();
  addSettings(
    kv.command("import")
      .description(
        "create the bucket if missing and put every host of a reservations file into it",
      )
      .argument("<file>", "reservations file, YAML or JSON")
      .option(
        "--replicas <n>",
        "copies of the bucket in a cluster, when it is created",
        "1",
      )
      .option("--prune", "delete the keys that the file does not have"),
  );
  addSettings(
    kv.command("export")
      .description("print the bucket as a reservations YAML file"),
  );
  return kv;
}

/**
 * Read a parsed `kv import` or `kv export` command.
 *
 * @param command The `import` or `export` command, after parsing.
 * @param env Environment variables.
 * @param file The file argument of `import`.
 * @returns What to do.
 * @throws {UsageError} On a missing bucket or a bad value.
 */
export function resolveKvCommand(
  command: Command,
  env: Readonly<Record<string, string | undefined>>,
  file?: string,
): KvCommandConfig {
  const action = command.name() === "import" ? "import" : "export";
  return resolveKv(command, action, env, file);
}
