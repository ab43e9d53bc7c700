/**
 * Reading settings from a parsed commander command: each one from its flag,
 * else its environment variable, else its default, checked by its parser.
 *
 * @module
 */
import type { Command } from "commander";
import type { Setting } from "./settings.ts";
import { UsageError } from "./usage_error.ts";

/** The flag's name without dashes: `nats-url` for `--nats-url <urls>`. */
export function optionName(s: Setting): string {
  return s.flag.split(" ")[0].slice(2);
}

function truthy(value: string, name: string): boolean {
  const v = value.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off", ""].includes(v)) return false;
  throw new UsageError(
    `${name}="${value}" is not a boolean: use true or false`,
  );
}

/**
 * Read `settings` from `command`'s parsed options and `env`.
 *
 * @param command A commander command that has an option for each setting.
 * @param settings The settings to read.
 * @param env Environment variables.
 * @returns The values by key, and the keys given on the command line.
 * @throws {UsageError} When a value does not parse (a secret is not shown).
 */
export function readSettings(
  command: Command,
  settings: readonly Setting[],
  env: Readonly<Record<string, string | undefined>>,
): { values: Record<string, unknown>; fromCli: Set<string> } {
  const opts = command.opts();
  const values: Record<string, unknown> = {};
  const fromCli = new Set<string>();
  for (const s of settings) {
    const source = command.getOptionValueSource(s.key);
    let raw: string | boolean | undefined;
    let origin: string;
    if (source === "cli") {
      raw = opts[s.key];
      origin = `--${optionName(s)}`;
      fromCli.add(s.key);
    } else {
      let envValue = env[s.env];
      if (envValue === undefined && s.key === "natsUrl") {
        envValue = env.NATS_URL;
      }
      if (envValue !== undefined) {
        raw = s.boolean ? truthy(envValue, s.env) : envValue;
        origin = s.env;
      } else {
        raw = s.boolean ? s.defaultValue === "true" : s.defaultValue;
        origin = `default of --${optionName(s)}`;
      }
    }
    if (raw === undefined) continue;
    if (typeof raw === "boolean" || !s.parse) {
      values[s.key] = raw;
      continue;
    }
    try {
      values[s.key] = s.parse(raw);
    } catch (err) {
      const shown = s.secret ? "(hidden)" : "";
      throw new UsageError(
        `Invalid ${origin}${shown}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  return { values, fromCli };
}
