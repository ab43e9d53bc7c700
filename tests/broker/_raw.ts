/**
 * Raw TCP exchanges with a NATS server for protocol tests: send bytes, read
 * the reply until PONG or end of stream, and split off the INFO line.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What a server answered to some bytes. */
export interface RawReply {
  /** The INFO JSON, parsed. */
  info: Record<string, unknown>;
  /** Everything after the INFO line, as text. */
  rest: string;
  /** Whether the server closed the connection. */
  closed: boolean;
}

/** Options of {@linkcode exchange}. */
export interface ExchangeOptions {
  /** Stop reading once the reply ends with this (default `PONG\r\n`). */
  until?: string;
  /** Give up after this many milliseconds (default 3000). */
  timeout?: number;
  /** Send the input in these pieces, one write each, with a short pause. */
  pieces?: number;
}

/**
 * Connect, send `input`, and read until the server closes, the reply ends
 * with `until`, or the timeout.
 *
 * @param port server port on 127.0.0.1
 * @param input protocol text (or bytes) to send
 * @param options stop condition and write splitting
 * @returns the INFO and the rest of the reply
 */
export async function exchange(
  port: number,
  input: string | Uint8Array,
  options: ExchangeOptions = {},
): Promise<RawReply> {
  const until = options.until ?? "PONG\r\n";
  const bytes = typeof input === "string" ? encoder.encode(input) : input;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let text = "";
  let closed = false;
  let writing: Promise<void> = Promise.resolve();
  const timer = setTimeout(() => conn.close(), options.timeout ?? 3000);
  try {
    const pieces = Math.max(1, options.pieces ?? 1);
    const step = Math.max(1, Math.ceil(bytes.length / pieces));
    // Write in the background: the server may close before the last piece.
    writing = (async () => {
      for (let i = 0; i < bytes.length; i += step) {
        await conn.write(bytes.subarray(i, i + step));
        if (pieces > 1) await new Promise((r) => setTimeout(r, 5));
      }
    })().catch(() => {});
    const buf = new Uint8Array(64 * 1024);
    while (true) {
      const n = await conn.read(buf);
      if (n === null) {
        closed = true;
        break;
      }
      text += decoder.decode(buf.subarray(0, n), { stream: true });
      const afterInfo = text.indexOf("\r\n") + 2;
      if (
        until && afterInfo > 1 && text.length > afterInfo &&
        text.endsWith(until)
      ) break;
    }
  } catch (err) {
    // A reset counts as closed; our own timeout close ends the read too.
    if (!(err instanceof Deno.errors.BadResource)) closed = true;
  } finally {
    await writing;
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
  const end = text.indexOf("\r\n");
  const line = end >= 0 ? text.slice(0, end) : text;
  if (!line.startsWith("INFO ")) {
    throw new Error(`Expected INFO first, got ${JSON.stringify(line)}`);
  }
  return { info: JSON.parse(line.slice(5)), rest: text.slice(end + 2), closed };
}

/**
 * Connect, send `hello` (which must end with a PING), and read until the
 * PONG: the server has then applied everything before it. The connection
 * stays open and unread after that (a slow consumer, when `hello`
 * subscribes).
 *
 * @param port server port on 127.0.0.1
 * @param hello protocol text ending with `PING\r\n`
 * @returns the open connection
 * @throws {Error} when the server closes it first
 */
export async function openSession(
  port: number,
  hello: string,
): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(encoder.encode(hello));
    const buf = new Uint8Array(4096);
    let seen = "";
    while (!seen.includes("PONG\r\n")) {
      const n = await conn.read(buf);
      if (n === null) throw new Error("The server closed a new connection");
      seen += decoder.decode(buf.subarray(0, n), { stream: true });
    }
  } catch (err) {
    conn.close();
    throw err;
  }
  return conn;
}
