/**
 * A real boot directory for the VM tests, built at run time from Debian
 * packages (nothing binary is committed): a Linux kernel from
 * `linux-image-cloud-amd64`, an initramfs whose `/init` (busybox from
 * `busybox-static`) prints a marker on the serial console and powers off,
 * and iPXE's `ipxe.efi` and `undionly.kpxe` from `/usr/lib/ipxe`.
 *
 * Packages are fetched with `apt-get download` and unpacked with
 * `dpkg-deb -x` into a cache directory (`$XDG_CACHE_HOME/dhcp-nats-netboot`,
 * else `/tmp/dhcp-nats-netboot-cache`), kept between runs.
 *
 * @module
 */

/** The line `/init` prints when the kernel is up. */
export const BOOT_MARKER = "DHCP-NATS-NETBOOT-MARKER-OK";

/** A built boot directory. */
export interface BootDirectory extends AsyncDisposable {
  /** The directory: `vmlinuz`, `initrd.img`, `ipxe.efi`, `undionly.kpxe`. */
  dir: string;
}

function cacheDir(): string {
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  return xdg ? `${xdg}/dhcp-nats-netboot` : "/tmp/dhcp-nats-netboot-cache";
}

async function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  const r = await new Deno.Command(cmd, {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(600_000),
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  if (!r.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed (${r.code}): ${
        text(r.stderr) || text(r.stdout)
      }`,
    );
  }
  return text(r.stdout);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Download and unpack one Debian package into the cache; returns its root. */
async function unpacked(pkg: string): Promise<string> {
  const root = `${cacheDir()}/${pkg}`;
  if (await exists(`${root}/.done`)) return root;
  const work = `${cacheDir()}/download-${pkg}-${crypto.randomUUID()}`;
  await Deno.mkdir(work, { recursive: true });
  try {
    await run("apt-get", ["download", "-q", pkg], work);
    const deb = [...Deno.readDirSync(work)].find((e) =>
      e.name.endsWith(".deb")
    );
    if (!deb) throw new Error(`apt-get download ${pkg} gave no .deb`);
    // Unpack beside the cache entry and rename it into place: test files
    // run in parallel, and another may be unpacking (or already using) the
    // same package. Whoever renames first wins; the other keeps theirs.
    const tree = `${work}/tree`;
    await run("dpkg-deb", ["-x", `${work}/${deb.name}`, tree]);
    await Deno.writeTextFile(`${tree}/.done`, deb.name);
    if (await exists(`${root}/.done`)) return root;
    await Deno.remove(root, { recursive: true }).catch(() => {});
    await Deno.rename(tree, root).catch(async (error) => {
      if (!(await exists(`${root}/.done`))) throw error;
    });
    return root;
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/** The versioned kernel package `linux-image-cloud-amd64` depends on. */
async function kernelPackage(): Promise<string> {
  const out = await run("apt-cache", ["depends", "linux-image-cloud-amd64"]);
  const m = /Depends:\s*(linux-image-\S+-cloud-amd64)/.exec(out);
  if (!m) throw new Error(`Cannot find the cloud kernel package in: ${out}`);
  return m[1];
}

async function kernel(): Promise<string> {
  const root = await unpacked(await kernelPackage());
  const vmlinuz = [...Deno.readDirSync(`${root}/boot`)].find((e) =>
    e.name.startsWith("vmlinuz-")
  );
  if (!vmlinuz) throw new Error(`No vmlinuz in ${root}/boot`);
  return `${root}/boot/${vmlinuz.name}`;
}

/** An initramfs (newc cpio, made with `cpio`) with busybox and `/init`. */
async function initramfs(into: string): Promise<void> {
  const busybox = `${await unpacked("busybox-static")}/bin/busybox`;
  const tree = await Deno.makeTempDir({ prefix: "dhcp-nats-initramfs-" });
  try {
    for (const d of ["bin", "dev", "proc", "sys"]) {
      await Deno.mkdir(`${tree}/${d}`);
    }
    await Deno.copyFile(busybox, `${tree}/bin/busybox`);
    await Deno.chmod(`${tree}/bin/busybox`, 0o755);
    await Deno.symlink("busybox", `${tree}/bin/sh`);
    await Deno.writeTextFile(
      `${tree}/init`,
      [
        "#!/bin/sh",
        "/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null",
        `/bin/busybox echo ${BOOT_MARKER} > /dev/ttyS0`,
        `/bin/busybox echo ${BOOT_MARKER}`,
        "/bin/busybox sleep 1",
        "/bin/busybox poweroff -f",
        "",
      ].join("\n"),
    );
    await Deno.chmod(`${tree}/init`, 0o755);
    await run("sh", [
      "-c",
      `find . | cpio -o -H newc --quiet > '${into}'`,
    ], tree);
  } finally {
    await Deno.remove(tree, { recursive: true });
  }
}

/**
 * Build the boot directory in a fresh temporary directory.
 *
 * @returns The directory; `await using` removes it (the cache stays).
 * @throws {Error} When a package cannot be downloaded or unpacked.
 */
export async function buildBootDirectory(): Promise<BootDirectory> {
  await Deno.mkdir(cacheDir(), { recursive: true });
  const dir = await Deno.makeTempDir({ prefix: "dhcp-nats-bootdir-" });
  try {
    await Deno.copyFile(await kernel(), `${dir}/vmlinuz`);
    await initramfs(`${dir}/initrd.img`);
    for (const f of ["ipxe.efi", "undionly.kpxe"]) {
      await Deno.copyFile(`/usr/lib/ipxe/${f}`, `${dir}/${f}`);
    }
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
  return {
    dir,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}
