/**
 * The built-in HTTP server: GET and HEAD of the files in the boot directory
 * (Content-Length, single Range requests with 206, streamed), the same path
 * rules as TFTP (404 missing, 403 refused), and the per-host iPXE script
 * route {@linkcode HOST_SCRIPT_PATH}`/<mac>`. One access log line per
 * request at info.
 *
 * @module
 */

import type { Backend } from "../../backend/backend.ts";
import type { Logger } from "../../log/logger.ts";
import { silentLogger } from "../../log/logger.ts";
import { BootDir } from "../boot_dir.ts";
import { fileRangeStream } from "./file_stream.ts";
import { parseRange } from "./range.ts";
import { serveHostScript } from "./host_script.ts";

export { HOST_SCRIPT_PATH, hostScriptUrl } from "./host_script.ts";

/** Options of {@linkcode startHttpServer}. */
export interface HttpServerOptions {
  /** Address to listen on. */
  hostname: string;
  /** Port (0: any free port). */
  port: number;
  /** The boot directory served; without it only the script route answers. */
  dir?: string;
  /** Where per-host scripts come from (the DHCP server's backend). */
  backend?: Backend;
  /**
   * Per-host scripts also go to a requester whose address the neighbour
   * table maps to the host's MAC (proxyDHCP).
   * @default {false}
   */
  matchNeighbour?: boolean;
  /**
   * Logger (the access log is at info).
   * @default {silentLogger}
   */
  logger?: Logger;
}

/** A running HTTP server. */
export interface HttpServer extends AsyncDisposable {
  /** The bound address. */
  readonly hostname: string;
  /** The bound port. */
  readonly port: number;
  /** Stop listening; requests in flight are finished. Idempotent. */
  close(): Promise<void>;
}

function plain(status: number, text: string, extra?: HeadersInit): Response {
  const headers = new Headers(extra);
  headers.set("content-type", "text/plain; charset=utf-8");
  return new Response(`${text}\n`, { status, headers });
}

async function serveFile(
  dir: BootDir,
  request: Request,
  path: string,
): Promise<{ response: Response; reason?: string }> {
  let name: string;
  try {
    name = decodeURIComponent(path).replace(/^\//, "");
  } catch {
    return {
      response: plain(400, "Bad request: malformed percent-encoding"),
      reason: "malformed percent-encoding",
    };
  }
  const opened = await dir.open(name);
  if ("refusal" in opened) {
    return opened.refusal === "not-found"
      ? { response: plain(404, "Not found"), reason: opened.reason }
      : { response: plain(403, "Forbidden"), reason: opened.reason };
  }
  const { file, size } = opened;
  const range = parseRange(request.headers.get("range"), size);
  const headers = new Headers({
    "accept-ranges": "bytes",
    "content-type": "application/octet-stream",
  });
  if (range === "unsatisfiable") {
    file.close();
    headers.set("content-range", `bytes */${size}`);
    return { response: new Response(null, { status: 416, headers }) };
  }
  const { start, end } = range === "whole"
    ? { start: 0, end: size - 1 }
    : range;
  const length = end - start + 1;
  headers.set("content-length", String(length));
  if (range !== "whole") {
    headers.set("content-range", `bytes ${start}-${end}/${size}`);
  }
  const status = range === "whole" ? 200 : 206;
  if (request.method === "HEAD" || length === 0) {
    file.close();
    return { response: new Response(null, { status, headers }) };
  }
  return {
    response: new Response(fileRangeStream(file, start, length), {
      status,
      headers,
    }),
  };
}

/**
 * Start the HTTP server.
 *
 * @param options Where to listen, what to serve.
 * @returns The running server.
 * @throws {Error} When it cannot listen; the message names the address.
 * @example
 * ```ts ignore
 * import { startHttpServer } from "./server.ts";
 * await using http = startHttpServer({ hostname: "127.0.0.1", port: 0, dir: "/usr/lib/ipxe" });
 * console.log(http.port);
 * ```
 */
export function startHttpServer(options: HttpServerOptions): HttpServer {
  const logger = options.logger ?? silentLogger;
  const dir = options.dir === undefined ? undefined : new BootDir(options.dir);
  const handle = async (
    request: Request,
    client: string,
  ): Promise<{ response: Response; reason?: string }> => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return {
        response: plain(405, "Method not allowed", { allow: "GET, HEAD" }),
      };
    }
    const path = new URL(request.url).pathname;
    const script = await serveHostScript(path, client, options.backend, {
      matchNeighbour: options.matchNeighbour,
    });
    if (script !== undefined) return script;
    if (dir === undefined) return { response: plain(404, "Not found") };
    return await serveFile(dir, request, path);
  };
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: options.hostname,
      port: options.port,
      onListen: () => {},
    }, async (request, info) => {
      const began = performance.now();
      const client = info.remoteAddr.hostname;
      const { response, reason } = await handle(request, client);
      logger.info("http request", {
        client,
        method: request.method,
        path: new URL(request.url).pathname,
        status: response.status,
        bytes: Number(response.headers.get("content-length") ?? 0),
        ms: Math.round(performance.now() - began),
        ...(reason && { reason }),
      });
      return response;
    });
  } catch (cause) {
    throw new Error(
      `Cannot listen for HTTP on ${options.hostname}:${options.port}: ${
        (cause as Error).message
      }`,
      { cause },
    );
  }
  let closed: Promise<void> | undefined;
  const close = () => closed ??= server.shutdown();
  return {
    hostname: server.addr.hostname,
    port: server.addr.port,
    close,
    [Symbol.asyncDispose]: close,
  };
}
