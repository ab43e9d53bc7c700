/**
 * A seeded pseudo-random source for generated test cases, so that a failure
 * shows the same input on every run.
 *
 * @module
 */

/**
 * A xorshift32 generator.
 *
 * @param seed Any non-zero 32-bit number.
 * @returns `random(n)`: a whole number from 0 to n - 1.
 */
export function seededRandom(seed: number): (n: number) => number {
  let state = seed >>> 0 || 1;
  return (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % n;
  };
}
