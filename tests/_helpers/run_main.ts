/**
 * Run `main.ts` (the dhcp-nats command) as a subprocess from the repository
 * root and collect its exit code and output.
 *
 * @module
 */

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;
const decoder = new TextDecoder();

/**
 * Run `deno run -A main.ts ...args` to the end.
 *
 * @param args Arguments after `main.ts`.
 * @param env Environment variables added to this process's.
 * @returns Its exit code, stdout and stderr.
 */
export async function runMain(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
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
