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
  return new LazyChild(parent, fields);
}

/**
 * One object per packet, its methods on the prototype: a literal with a
 * closure per level made seven closures per packet (about 750 bytes).
 */
class LazyChild implements Logger {
  readonly #parent: Logger;
  #fields: (() => LogFields) | undefined;
  #child: Logger | undefined;

  constructor(parent: Logger, fields: () => LogFields) {
    this.#parent = parent;
    this.#fields = fields;
  }

  #get(): Logger {
    if (this.#child === undefined) {
      this.#child = this.#parent.child(this.#fields!());
      this.#fields = undefined;
    }
    return this.#child;
  }

  #at(level: LogLevel, message: string, extra?: LogFields): void {
    if (this.#parent.enabled(level)) this.#get()[level](message, extra);
  }

  debug(message: string, extra?: LogFields): void {
    this.#at("debug", message, extra);
  }

  info(message: string, extra?: LogFields): void {
    this.#at("info", message, extra);
  }

  warn(message: string, extra?: LogFields): void {
    this.#at("warn", message, extra);
  }

  error(message: string, extra?: LogFields): void {
    this.#at("error", message, extra);
  }

  enabled(level: LogLevel): boolean {
    return this.#parent.enabled(level);
  }

  child(extra: LogFields): Logger {
    return this.#get().child(extra);
  }
}
