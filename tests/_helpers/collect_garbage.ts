/**
 * A full garbage collection on demand, for tests that check what a
 * structure lets go of (through `WeakRef`s), without `--expose-gc`: the
 * inspector's `HeapProfiler.collectGarbage`.
 *
 * @module
 */
import { Session } from "node:inspector";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Let the current job end (a `WeakRef` keeps its target alive until then),
 * then collect garbage.
 */
export async function collectGarbage(): Promise<void> {
  await sleep(0);
  const session = new Session();
  session.connect();
  // The inspector's reply does not hold the event loop open: a test with
  // nothing else pending would end while it waits.
  const keepAlive = setInterval(() => {}, 1000);
  try {
    await new Promise<void>((resolve, reject) =>
      session.post(
        "HeapProfiler.collectGarbage",
        (error: Error | null) => error ? reject(error) : resolve(),
      )
    );
  } finally {
    clearInterval(keepAlive);
    session.disconnect();
  }
}

/**
 * How many of `refs` still reach their target after a full collection.
 *
 * @param refs Weak references to what should be garbage by now.
 * @returns The number still alive.
 */
export async function survivors(refs: WeakRef<object>[]): Promise<number> {
  await collectGarbage();
  return refs.filter((ref) => ref.deref() !== undefined).length;
}
