/**
 * A byte range of an open file as a response body stream: read in chunks
 * as the client takes them, never whole into memory, the file closed at the
 * end or when the client goes away.
 *
 * @module
 */

/** Bytes read per chunk. */
export const CHUNK_BYTES = 256 * 1024;

/**
 * Stream `length` bytes of `file` from `start`.
 *
 * @param file The open file; the stream closes it.
 * @param start First byte.
 * @param length How many bytes.
 * @returns The body stream.
 */
export function fileRangeStream(
  file: Deno.FsFile,
  start: number,
  length: number,
): ReadableStream<Uint8Array> {
  let left = length;
  let closed = false;
  const close = () => {
    if (!closed) {
      closed = true;
      file.close();
    }
  };
  return new ReadableStream<Uint8Array>({
    async start() {
      if (start > 0) await file.seek(start, Deno.SeekMode.Start);
    },
    async pull(controller) {
      if (left <= 0) {
        close();
        controller.close();
        return;
      }
      const chunk = new Uint8Array(Math.min(CHUNK_BYTES, left));
      const n = await file.read(chunk);
      if (n === null) {
        // The file shrank under us: end early rather than hang.
        close();
        controller.error(new Error("File ended before its announced length"));
        return;
      }
      left -= n;
      controller.enqueue(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
    cancel: close,
  });
}
