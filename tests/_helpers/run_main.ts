/**
 * Run `main.ts` (the dhcp-nats command) as a subprocess from the repository
 * root and collect its exit code and output.
 *
 * @module
 */

import assert from "node:assert/strict";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;
const decoder = new TextDecoder();

/**
 * Run `deno run -A main.ts ...args` to the end.
 *
 * @param args Arguments after `main.ts`.
 * @param env Environment variables added to this process's.
 * @param denoFlags Deno's flags before `main.ts` (permissions).
 * @returns Its exit code, stdout and stderr.
 */
export async function runMain(
  args: string[],
  env: Record<string, string> = {},
  denoFlags: string[] = ["-A"],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...denoFlags, MAIN, ...args],
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** How {@linkcode startAndStop} runs `main.ts`. */
export interface StartAndStopOptions {
  /** Deno's flags before `main.ts`. @default ["-A"] */
  denoFlags?: string[];
  /** Wait this long for `ready`. @default 20000 */
  readyTimeoutMs?: number;
}

/**
 * Start `main.ts`, wait for `ready` in its output (failing with the output
 * when it never comes), send SIGTERM and wait for it to exit.
 *
 * @param args Arguments after `main.ts`.
 * @param ready What the output says once it is up.
 * @param options Deno flags and the wait.
 * @returns Its exit code, stdout and stderr together, and how long it took
 * to stop.
 */
export async function startAndStop(
  args: string[],
  ready: RegExp,
  options: StartAndStopOptions = {},
): Promise<{ code: number; output: string; stopMs: number }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...(options.denoFlags ?? ["-A"]), MAIN, ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) output += decoder.decode(chunk);
  };
  const done = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  while (!ready.test(output) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const t0 = Date.now();
  child.kill("SIGTERM");
  const status = await child.status;
  await done;
  assert.match(output, ready, `never ready:\n${output}`);
  return { code: status.code, output, stopMs: Date.now() - t0 };
}
