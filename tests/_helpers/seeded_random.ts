/**
 * A seeded pseudo-random source for generated test cases, so that a failure
 * shows the same input on every run.
 *
 * @module
 */

/**
 * mulberry32: numbers in [0, 1) from `seed`, the same sequence on every run.
 *
 * @param seed Any 32-bit number.
 * @returns The next number on each call.
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Whole numbers from a seeded {@linkcode prng}.
 *
 * @param seed Any 32-bit number.
 * @returns `random(n)`: a whole number from 0 to n - 1.
 */
export function seededRandom(seed: number): (n: number) => number {
  const next = prng(seed);
  return (n) => Math.floor(next() * n);
}

/**
 * Break `text` now and then, for generated near-misses: one time in three,
 * one character is replaced by one of `chars` or dropped.
 *
 * @param text A well-formed value.
 * @param random A source from {@linkcode seededRandom}.
 * @param chars Characters to put in.
 * @returns `text`, or `text` with one character changed.
 */
export function sometimesDamaged(
  text: string,
  random: (n: number) => number,
  chars: string,
): string {
  if (random(3) !== 0 || text === "") return text;
  const at = random(text.length);
  return text.slice(0, at) + (random(4) ? chars[random(chars.length)] : "") +
    text.slice(at + 1);
}
