/**
 * The boot directory both built-in servers (TFTP and HTTP) serve: a request
 * names a file by its path relative to the directory, and no path may leave
 * it. One rule set for both servers.
 *
 * Refused: empty names, absolute paths, `..` and `.` segments, empty
 * segments, backslashes and control characters; a file whose real path
 * (symlinks resolved) is outside the directory; anything but a regular file
 * (directories, devices, FIFOs, sockets).
 *
 * @module
 */

/** Why a boot file cannot be served. */
export type BootFileRefusal = "not-found" | "forbidden";

/** A boot file opened for reading. */
export interface OpenBootFile {
  /** The open file; the caller closes it. */
  file: Deno.FsFile;
  /** Its size in bytes when opened. */
  size: number;
  /** The real path of the file, for logs. */
  path: string;
}

/** A refusal: which kind, and why (for the log, never sent to clients). */
export interface BootFileError {
  /** `not-found` (TFTP error 1, HTTP 404) or `forbidden` (TFTP error 2, HTTP 403). */
  refusal: BootFileRefusal;
  /** What was wrong, for the log. */
  reason: string;
}

/**
 * Check a requested name against the path rules, without touching the disk.
 *
 * @param name The path relative to the boot directory, `/`-separated.
 * @returns The segments, or why the name is refused.
 * @example
 * ```ts
 * import { splitBootPath } from "./boot_dir.ts";
 * const ok = splitBootPath("ipxe/ipxe.efi");
 * if (!Array.isArray(ok) || ok.length !== 2) throw new Error();
 * if (Array.isArray(splitBootPath("../etc/passwd"))) throw new Error();
 * ```
 */
export function splitBootPath(name: string): string[] | BootFileError {
  if (name === "") return forbidden("empty file name");
  if (name.startsWith("/")) return forbidden("absolute path");
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(name)) {
    return forbidden("control character or backslash in the name");
  }
  const segments = name.split("/");
  for (const s of segments) {
    if (s === "" || s === "." || s === "..") {
      return forbidden(`path segment "${s}" is not allowed`);
    }
  }
  return segments;
}

function forbidden(reason: string): BootFileError {
  return { refusal: "forbidden", reason };
}

/** The boot directory: resolves and opens files inside it. */
export class BootDir {
  readonly #dir: string;
  #realDir?: string;

  /**
   * @param dir The directory served.
   */
  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The directory as given. */
  get dir(): string {
    return this.#dir;
  }

  async #real(): Promise<string> {
    this.#realDir ??= await Deno.realPath(this.#dir);
    return this.#realDir;
  }

  /**
   * Open one file for reading, when the path rules allow it.
   *
   * @param name The path relative to the directory, `/`-separated.
   * @returns The open file, or why it cannot be served.
   * @throws {Deno.errors.NotFound} When the boot directory itself is missing.
   */
  async open(name: string): Promise<OpenBootFile | BootFileError> {
    const segments = splitBootPath(name);
    if (!Array.isArray(segments)) return segments;
    const root = await this.#real();
    let real: string;
    try {
      real = await Deno.realPath(`${root}/${segments.join("/")}`);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        return { refusal: "not-found", reason: "no such file" };
      }
      return forbidden(`cannot resolve: ${(error as Error).message}`);
    }
    if (!real.startsWith(`${root}/`)) {
      return forbidden(`resolves outside the boot directory (${real})`);
    }
    let file: Deno.FsFile;
    try {
      // Not a FIFO-blocking open: the real path is checked to be a regular
      // file first; the open file is checked again below (it may have been
      // swapped between the two).
      const info = await Deno.stat(real);
      if (!info.isFile) return forbidden("not a regular file");
      file = await Deno.open(real, { read: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        return { refusal: "not-found", reason: "no such file" };
      }
      return forbidden(`cannot open: ${(error as Error).message}`);
    }
    const info = await file.stat();
    if (!info.isFile) {
      file.close();
      return forbidden("not a regular file");
    }
    return { file, size: info.size, path: real };
  }
}
