/**
 * Small byte arrays for the packet path, carved from shared slabs.
 *
 * In Deno every `new Uint8Array(n)` (and `slice()`, and
 * `TextEncoder.encode()`) allocates its own ArrayBuffer backing store
 * outside the V8 heap, which costs about a microsecond even for 4 bytes
 * (Node takes ~70 ns): `deno bench bench/alloc_bench.ts` measures both ways.
 * A DHCP reply used to make 15-25 of them. {@linkcode allocBytes} hands out
 * views of a 64 KiB slab instead (tens of nanoseconds), and takes a new slab
 * when one is used up; a slab is freed by the garbage collector once no view
 * of it is left.
 *
 * The views behave like fresh arrays (zero-filled, their own length and
 * bounds) except that `.buffer` is the shared slab: code must honour
 * `byteOffset`, as it must for any view. Long-lived data is better copied
 * into its own array, since one live view keeps its whole slab alive.
 *
 * @module
 */

/** Size of one slab. */
const SLAB_BYTES = 64 * 1024;
/** Larger requests get their own array: they would waste a slab. */
const MAX_POOLED = 4096;

let slab = new Uint8Array(SLAB_BYTES);
let used = 0;

/**
 * A zero-filled byte array of `length` bytes, a view into a shared slab
 * when it is small.
 *
 * @param length Number of bytes.
 * @returns A new, zero-filled array of that length.
 */
export function allocBytes(length: number): Uint8Array {
  if (length > MAX_POOLED) return new Uint8Array(length);
  if (used + length > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    used = 0;
  }
  const out = slab.subarray(used, used + length);
  used = (used + length + 7) & ~7;
  return out;
}

/**
 * A copy of `source[start, end)` in pooled memory (what `slice` does,
 * without an ArrayBuffer of its own).
 *
 * @param source Bytes to copy.
 * @param start First byte (default 0).
 * @param end One past the last byte (default the end).
 * @returns The copy.
 */
export function copyBytes(
  source: Uint8Array,
  start = 0,
  end: number = source.length,
): Uint8Array {
  const out = allocBytes(end - start);
  out.set(
    start === 0 && end === source.length ? source : source.subarray(start, end),
  );
  return out;
}

/**
 * Bytes holding `values`, in pooled memory (what `Uint8Array.from` does,
 * without an ArrayBuffer of its own).
 *
 * @param values Numbers, each stored modulo 256.
 * @returns The bytes.
 */
export function bytesFrom(values: ArrayLike<number>): Uint8Array {
  const out = allocBytes(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}
