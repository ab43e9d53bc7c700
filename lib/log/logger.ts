/**
 * A small structured logger: human-readable lines or JSON lines, with levels
 * and per-component fields. Every role logs through it.
 *
 * @module
 */

/** Log levels, most verbose first. */
export const LogLevel = {
  /** Per-packet detail. */
  debug: 10,
  /** One line per transaction or lifecycle event. */
  info: 20,
  /** Something failed but the service goes on. */
  warn: 30,
  /** The service cannot do what it was asked. */
  error: 40,
} as const;

/** A log level name. */
export type LogLevel = keyof typeof LogLevel;

/** Output format of a logger. */
export type LogFormat = "text" | "json";

/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** The logging interface every component takes. */
export interface Logger {
  /** Log at debug level. */
  debug(message: string, fields?: LogFields): void;
  /** Log at info level. */
  info(message: string, fields?: LogFields): void;
  /** Log at warn level. */
  warn(message: string, fields?: LogFields): void;
  /** Log at error level. */
  error(message: string, fields?: LogFields): void;
  /** Whether a line at `level` would be written (to skip costly formatting). */
  enabled(level: LogLevel): boolean;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

/** Options of {@linkcode createLogger}. */
export interface LoggerOptions {
  /**
   * Lowest level written.
   * @default {"info"}
   */
  level?: LogLevel;
  /**
   * Output format.
   * @default {"text"}
   */
  format?: LogFormat;
  /**
   * Where lines go.
   * @default {writes to standard error}
   */
  write?: (line: string) => void;
  /** Fields added to every line. */
  fields?: LogFields;
}

const encoder = new TextEncoder();

function writeStderr(line: string): void {
  Deno.stderr.writeSync(encoder.encode(line + "\n"));
}

function formatValue(value: unknown): string {
  if (typeof value === "string") {
    return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  }
  if (value instanceof Error) return JSON.stringify(value.message);
  return JSON.stringify(value) ?? String(value);
}

/**
 * Create a logger.
 *
 * @example Log one line as JSON
 * ```ts
 * import { createLogger } from "./logger.ts";
 * const lines: string[] = [];
 * const log = createLogger({ format: "json", write: (l) => lines.push(l) });
 * log.info("lease given", { mac: "08:00:27:29:4e:67" });
 * if (!lines[0].includes('"mac":"08:00:27:29:4e:67"')) throw new Error();
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const min = LogLevel[options.level ?? "info"];
  const format = options.format ?? "text";
  const write = options.write ?? writeStderr;
  const base = options.fields ?? {};

  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (LogLevel[level] < min) return;
    const all = fields ? { ...base, ...fields } : base;
    const time = new Date().toISOString();
    if (format === "json") {
      const record: LogFields = { time, level, msg: message };
      for (const [k, v] of Object.entries(all)) {
        record[k] = v instanceof Error ? v.message : v;
      }
      write(JSON.stringify(record));
      return;
    }
    let line = `${time} ${level.toUpperCase().padEnd(5)} ${message}`;
    for (const [k, v] of Object.entries(all)) {
      if (v !== undefined) line += ` ${k}=${formatValue(v)}`;
    }
    write(line);
  };

  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    enabled: (level) => LogLevel[level] >= min,
    child: (fields) =>
      createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** A logger that writes nothing, the default of every service. */
export const silentLogger: Logger = createLogger({
  level: "error",
  write: () => {},
});
