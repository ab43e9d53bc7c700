/**
 * A child logger whose fields are only built when a line is written: the
 * server makes one per packet, and with info lines off most never write.
 *
 * @module
 */
import type { LogFields, Logger, LogLevel } from "../log/logger.ts";

/**
 * Like `parent.child(fields())`, but `fields` runs (and the child logger is
 * made) only when a line at an enabled level is written or a grandchild is
 * asked for.
 *
 * @param parent The logger to derive from.
 * @param fields Builds the child's fields; called at most once.
 * @returns The child logger.
 * @example
 * ```ts
 * import { createLogger } from "../log/logger.ts";
 * import { lazyChild } from "./lazy_logger.ts";
 * const lines: string[] = [];
 * const built: number[] = [];
 * const parent = createLogger({ level: "warn", write: (l) => lines.push(l) });
 * const log = lazyChild(parent, () => ({ mac: "02:00:00:00:00:01", n: built.push(1) }));
 * log.info("not written");
 * if (built.length > 0) throw new Error();
 * log.warn("written");
 * if (built.length !== 1 || !lines[0].includes("mac=02:00:00:00:00:01")) throw new Error();
 * ```
 */
export function lazyChild(parent: Logger, fields: () => LogFields): Logger {
  let child: Logger | undefined;
  const get = () => child ??= parent.child(fields());
  const at = (level: LogLevel) => (message: string, extra?: LogFields) => {
    if (parent.enabled(level)) get()[level](message, extra);
  };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    enabled: (level) => parent.enabled(level),
    child: (extra) => get().child(extra),
  };
}
