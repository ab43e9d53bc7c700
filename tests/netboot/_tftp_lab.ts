/**
 * A TFTP server on loopback serving a fresh boot directory, its log kept as
 * JSON records; `await using` stops it and removes the directory.
 *
 * @module
 */
import { createLogger } from "../../lib/log/logger.ts";
import {
  startTftpServer,
  type TftpServer,
  type TftpServerOptions,
} from "../../lib/netboot/tftp/server.ts";
import { type BootFiles, createBootFiles } from "./_boot_files.ts";

/** The server, its directory and its log. */
export interface TftpLab extends AsyncDisposable {
  /** The boot directory served. */
  boot: BootFiles;
  /** The server. */
  tftp: TftpServer;
  /** Log records so far (debug and up). */
  lines: Record<string, unknown>[];
}

/** Start a lab; `options` override the server's limits. */
export async function startTftpLab(
  options: Partial<TftpServerOptions> = {},
): Promise<TftpLab> {
  const boot = await createBootFiles();
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: "debug",
    format: "json",
    write: (l) => lines.push(JSON.parse(l)),
  });
  const tftp = await startTftpServer({
    hostname: "127.0.0.1",
    port: 0,
    dir: boot.dir,
    logger,
    ...options,
  });
  return {
    boot,
    tftp,
    lines,
    async [Symbol.asyncDispose]() {
      await tftp.close();
      await boot[Symbol.asyncDispose]();
    },
  };
}
