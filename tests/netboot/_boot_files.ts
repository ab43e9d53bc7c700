/**
 * A throw-away boot directory for the TFTP and HTTP server tests: random
 * files of chosen sizes, plus the things the path rules must refuse (a
 * symlink out, a directory, a FIFO) and a secret beside the directory.
 *
 * @module
 */

/** The boot directory and what it holds. */
export interface BootFiles extends AsyncDisposable {
  /** The directory served. */
  dir: string;
  /** The contents of each regular file, by name relative to `dir`. */
  files: Map<string, Uint8Array>;
}

function random(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) {
    crypto.getRandomValues(out.subarray(i, Math.min(size, i + 65536)));
  }
  return out;
}

/**
 * Create the directory: `small.bin` (1000 bytes), `exact.bin` (2 x 512
 * bytes: its last DATA block is empty), `one.bin` (1 MiB), `sub/inner.bin`;
 * and `out-link` (a symlink to a file outside), `sub` (a directory),
 * `fifo` (a named pipe), `inside-link` (a symlink to `small.bin`).
 */
export async function createBootFiles(): Promise<BootFiles> {
  const root = await Deno.makeTempDir({ prefix: "dhcp-nats-boot-" });
  const dir = `${root}/boot`;
  await Deno.mkdir(`${dir}/sub`, { recursive: true });
  const files = new Map<string, Uint8Array>([
    ["small.bin", random(1000)],
    ["exact.bin", random(1024)],
    ["one.bin", random(1 << 20)],
    ["sub/inner.bin", random(3000)],
  ]);
  for (const [name, data] of files) {
    await Deno.writeFile(`${dir}/${name}`, data);
  }
  await Deno.writeTextFile(`${root}/secret.txt`, "not for clients\n");
  await Deno.symlink(`${root}/secret.txt`, `${dir}/out-link`);
  await Deno.symlink("small.bin", `${dir}/inside-link`);
  const fifo = await new Deno.Command("mkfifo", { args: [`${dir}/fifo`] })
    .output();
  if (!fifo.success) throw new Error("mkfifo failed");
  return {
    dir,
    files,
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}
