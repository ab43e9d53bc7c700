/**
 * Small byte helpers of the protocol: argument splitting, size parsing,
 * byte strings (one char per byte) for subjects, and freeing buffers.
 *
 * @module
 */

const SP = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Split a control line into whitespace-separated arguments (views).
 *
 * @param arg the control-line arguments
 * @returns views of each argument
 */
export function splitArgs(arg: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = -1;
  for (let i = 0; i < arg.length; i++) {
    const b = arg[i];
    if (b === SP || b === TAB || b === CR || b === LF) {
      if (start >= 0) {
        out.push(arg.subarray(start, i));
        start = -1;
      }
    } else if (start < 0) start = i;
  }
  if (start >= 0) out.push(arg.subarray(start));
  return out;
}

/**
 * Parse a non-negative decimal size as nats-server does: -1 when empty,
 * not all digits, or too long.
 *
 * @param bytes ASCII digits
 * @returns the number, or -1
 */
export function parseSize(bytes: Uint8Array): number {
  if (bytes.length === 0 || bytes.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const d = bytes[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Bytes to a string of one char per byte (subjects are compared as bytes).
 *
 * @param bytes any bytes
 * @returns the byte string
 */
export function latin1(bytes: Uint8Array): string {
  if (bytes.length < 1024) {
    return String.fromCharCode.apply(null, bytes as unknown as number[]);
  }
  let s = "";
  for (let i = 0; i < bytes.length; i += 1024) {
    s += String.fromCharCode.apply(
      null,
      bytes.subarray(i, i + 1024) as unknown as number[],
    );
  }
  return s;
}

/**
 * Free a buffer's memory now instead of at V8's next full collection (an
 * idle broker may not collect for minutes). Any view of it becomes empty;
 * a socket write in flight keeps its own reference to the bytes.
 *
 * @param bytes a buffer nothing else reads any more
 */
export function release(bytes: Uint8Array<ArrayBuffer>): void {
  if (!bytes.buffer.detached) bytes.buffer.transfer(0);
}
