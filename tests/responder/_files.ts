/**
 * Reservations-file texts shared by the responder tests.
 *
 * @module
 */

/**
 * Seven levels of nine aliases: 498 bytes that a reader without limits
 * expands to 4.8 million nodes (issue 13: a 4 GB heap, then a crash).
 */
export function aliasBomb(): string {
  let text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
  for (let i = 1; i < 8; i++) {
    text += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(", ")}]\n`;
  }
  return text;
}
