/**
 * A small seeded PRNG (mulberry32) for the broker's property tests, so a
 * failure reproduces from its seed.
 *
 * @module
 */

/**
 * A generator of numbers in [0, 1) from `seed`.
 *
 * @param seed any integer
 * @returns the next number on each call
 */
export function prng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
