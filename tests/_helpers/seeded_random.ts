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
