/**
 * Run real DHCP clients (ISC dhclient, busybox udhcpc, dhcpcd) inside a
 * network namespace and return the lease they obtained, normalized; start
 * ISC dhcrelay. Every runner has a hard timeout and cleans up its process,
 * temp files and (for dhcpcd) its lease file; none touches the host's
 * network configuration.
 *
 * @module
 */

import {
  DhcpClientError,
  type DhcpClientName,
  type DhcpLease,
  leaseFromEnv,
  parseEnvDump,
} from "./dhcp_lease.ts";
import {
  type NamespaceProcess,
  runInNamespace,
  spawnInNamespace,
} from "./ns_process.ts";

export { DhcpClientError, leaseFromEnv, parseEnvDump };
export type { DhcpClientName, DhcpLease };

/** Options shared by the client runners. */
export interface DhcpClientOptions {
  /** MAC to set on the client interface before starting; unchanged by default. */
  mac?: string;
  /**
   * Give up (and kill the client) after this many milliseconds.
   * @default 20000
   */
  timeoutMs?: number;
  /**
   * Apply the lease to the interface (address and default route, inside the
   * namespace). Implied by `release`.
   * @default false
   */
  configure?: boolean;
  /**
   * After binding, release the lease (the client sends DHCPRELEASE) before
   * returning.
   * @default false
   */
  release?: boolean;
  /** Host name to send (option 12). */
  hostname?: string;
  /** Vendor class identifier to send (option 60). */
  vendorClass?: string;
  /** Extra command-line arguments for the client. */
  extraArgs?: string[];
  /** Extra configuration lines (dhclient.conf or dhcpcd.conf syntax). */
  extraConfig?: string;
}

const BOUND = /^(BOUND|REBOOT|RENEW|REBIND|bound|renew)$/;

/** Write the hook script: dumps its environment to `dir/NNN.REASON`. */
function writeHook(dir: string, configure: boolean): string {
  const path = `${dir}/hook.sh`;
  const apply = `case "$r" in BOUND|REBOOT|RENEW|REBIND|bound|renew)
  a=\${new_ip_address:-$ip}; m=\${new_subnet_mask:-$subnet}; g=\${new_routers:-$router}
  ip addr replace "$a/$m" dev "$interface"
  [ -n "$g" ] && ip route replace default via "\${g%% *}" dev "$interface"
  ;;
esac`;
  // The event file appears last, once the hook's work is done.
  Deno.writeTextFileSync(
    path,
    `#!/bin/sh
r=\${reason:-$1}
n=$(date +%s%N)
{ env; echo "reason=$r"; } > "${dir}/tmp.$$"
${configure ? apply : ""}
mv "${dir}/tmp.$$" "${dir}/event.$n.$r"
exit 0
`,
    { mode: 0o755 },
  );
  return path;
}

/** Hook events so far, oldest first: [reason, file] pairs. */
function events(dir: string): Array<[string, string]> {
  const found: Array<[string, string, string]> = [];
  for (const e of Deno.readDirSync(dir)) {
    const m = /^event\.(\d+)\.(.*)$/.exec(e.name);
    if (m) found.push([m[1], m[2], `${dir}/${e.name}`]);
  }
  found.sort((a, b) =>
    a[0].length - b[0].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
  );
  return found.map(([, r, f]) => [r, f]);
}

interface Session {
  dir: string;
  hook: string;
  deadline: number;
}

/**
 * Common driver: start the client, wait for a bound event, the client's exit
 * or the deadline; then run `finish` (release / stop) and return the lease.
 */
async function drive(
  client: DhcpClientName,
  ns: string,
  iface: string,
  options: DhcpClientOptions,
  start: (s: Session) => NamespaceProcess,
  finish: (proc: NamespaceProcess, s: Session) => Promise<void>,
  cleanup: () => Promise<void> = async () => {},
): Promise<DhcpLease> {
  if (options.mac) {
    await runInNamespace(ns, "ip", [
      "link",
      "set",
      iface,
      "address",
      options.mac,
    ]);
  }
  const dir = await Deno.makeTempDir({ prefix: `${client}-` });
  const configure = options.configure ?? options.release ?? false;
  const s: Session = {
    dir,
    hook: writeHook(dir, configure && client !== "dhcpcd"), // dhcpcd configures itself
    deadline: Date.now() + (options.timeoutMs ?? 20000),
  };
  let proc: NamespaceProcess | undefined;
  try {
    proc = start(s);
    for (;;) {
      const seen = events(dir);
      const bound = seen.find(([r]) => BOUND.test(r));
      if (bound) {
        const lease = leaseFromEnv(
          client,
          parseEnvDump(await Deno.readTextFile(bound[1])),
        );
        await finish(proc, s);
        return lease;
      }
      const reasons = seen.map(([r]) => r);
      if (proc.exited) {
        const status = await proc.status;
        throw new DhcpClientError(
          client,
          `${client} on ${iface} in ${ns} exited with code ${status.code} without a lease`,
          proc.output(),
          reasons,
        );
      }
      if (Date.now() >= s.deadline) {
        await proc.stop();
        throw new DhcpClientError(
          client,
          `${client} on ${iface} in ${ns} got no lease within ${
            options.timeoutMs ?? 20000
          } ms`,
          proc.output(),
          reasons,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await proc?.stop();
    await cleanup();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Wait for a process to end, killing it at the session deadline. */
async function waitExit(
  proc: NamespaceProcess,
  s: Session,
  maxMs = Infinity,
): Promise<void> {
  const timer = setTimeout(
    () => proc.stop(),
    Math.max(0, Math.min(maxMs, s.deadline - Date.now())),
  );
  await proc.status;
  clearTimeout(timer);
}

/**
 * Run ISC dhclient once (`-d -1 -4`, our hook via `-sf`, temp `-lf`/`-pf`/`-cf`)
 * and return its lease. With `release`, then runs `dhclient -r` (DHCPRELEASE).
 *
 * @param ns Client namespace
 * @param iface Client interface
 * @param options MAC, timeout, release, what to send
 * @returns The lease
 * @throws {DhcpClientError} When no lease arrives in time or dhclient gives up
 *
 * @example
 * ```ts ignore
 * const lease = await runDhclient(net.clientNs.name, net.clientIf, { mac });
 * assert.equal(lease.ip, "10.77.0.50");
 * ```
 */
export function runDhclient(
  ns: string,
  iface: string,
  options: DhcpClientOptions = {},
): Promise<DhcpLease> {
  const timeoutS = Math.max(1, Math.ceil((options.timeoutMs ?? 20000) / 1000));
  const files = (s: Session) => [
    "-cf",
    `${s.dir}/dhclient.conf`,
    "-sf",
    s.hook,
    "-lf",
    `${s.dir}/dhclient.leases`,
    "-pf",
    `${s.dir}/dhclient.pid`,
  ];
  return drive("dhclient", ns, iface, options, (s) => {
    const conf = [
      `timeout ${timeoutS};`,
      "retry 1;",
      "initial-interval 1;",
      "request subnet-mask, broadcast-address, routers, domain-name-servers, domain-name,",
      "  domain-search, host-name, ntp-servers, interface-mtu, tftp-server-name, bootfile-name;",
      options.hostname ? `send host-name "${options.hostname}";` : "",
      options.vendorClass
        ? `send vendor-class-identifier "${options.vendorClass}";`
        : "",
      options.extraConfig ?? "",
    ].join("\n");
    Deno.writeTextFileSync(`${s.dir}/dhclient.conf`, conf);
    return spawnInNamespace(ns, "dhclient", [
      "-d",
      "-1",
      "-4",
      ...files(s),
      ...(options.extraArgs ?? []),
      iface,
    ], {
      name: "dhclient",
    });
  }, async (proc, s) => {
    if (options.release) {
      // Kills the running dhclient through the pid file, then unicasts RELEASE.
      await runInNamespace(ns, "dhclient", ["-4", "-r", ...files(s), iface], {
        timeoutMs: Math.max(1000, s.deadline - Date.now()),
      });
    }
    await proc.stop();
  });
}

/**
 * Run busybox udhcpc (`-f -n -q`, our hook via `-s`) and return its lease.
 * With `release`, runs without `-q` but with `-R` and stops it with SIGTERM
 * once bound, so it unicasts a DHCPRELEASE.
 *
 * @param ns Client namespace
 * @param iface Client interface
 * @param options MAC, timeout, release, what to send
 * @returns The lease
 * @throws {DhcpClientError} When no lease arrives in time or udhcpc gives up
 */
export function runUdhcpc(
  ns: string,
  iface: string,
  options: DhcpClientOptions = {},
): Promise<DhcpLease> {
  const tries = Math.max(1, Math.floor((options.timeoutMs ?? 20000) / 2000));
  return drive("udhcpc", ns, iface, options, (s) => {
    const args = [
      "-i",
      iface,
      "-f",
      "-n",
      "-t",
      String(tries),
      "-T",
      "2",
      "-A",
      "1",
      "-s",
      s.hook,
    ];
    args.push(...(options.release ? ["-R"] : ["-q"]));
    // Ask for what the other runners ask for too.
    for (
      const o of [
        "dns",
        "hostname",
        "domain",
        "search",
        "ntpsrv",
        "tftp",
        "bootfile",
      ]
    ) args.push("-O", o);
    if (options.hostname) args.push("-x", `hostname:${options.hostname}`);
    if (options.vendorClass) args.push("-V", options.vendorClass);
    return spawnInNamespace(ns, "udhcpc", [
      ...args,
      ...(options.extraArgs ?? []),
    ], { name: "udhcpc" });
  }, async (proc, s) => {
    if (options.release) proc.kill("SIGTERM");
    await waitExit(proc, s);
  });
}

/**
 * Run dhcpcd for IPv4 only in the foreground (`-4 -B`, `-f` our config, `-c`
 * our hook, `--noconfigure` unless `configure`/`release`) and return its
 * lease. Its lease file (/var/lib/dhcpcd/IFACE.lease) is deleted afterwards.
 * dhcpcd sends its DUID-based client identifier (option 61) by default; put
 * `clientid` in `extraConfig` to send the MAC instead.
 *
 * @param ns Client namespace
 * @param iface Client interface (its name must be unique on the host: dhcpcd's
 * pid file and control socket are named after it)
 * @param options MAC, timeout, release, what to send
 * @returns The lease
 * @throws {DhcpClientError} When no lease arrives in time or dhcpcd gives up
 */
export function runDhcpcd(
  ns: string,
  iface: string,
  options: DhcpClientOptions = {},
): Promise<DhcpLease> {
  const timeoutS = Math.max(1, Math.ceil((options.timeoutMs ?? 20000) / 1000));
  const configure = options.configure ?? options.release ?? false;
  return drive("dhcpcd", ns, iface, options, (s) => {
    const conf = [
      "option subnet_mask, routers, domain_name_servers, domain_name, domain_search",
      "option host_name, ntp_servers, interface_mtu, classless_static_routes",
      "option tftp_server_name, bootfile_name",
      "require dhcp_server_identifier",
      "noipv4ll",
      "noarp",
      options.release ? "release" : "",
      options.hostname ? `hostname ${options.hostname}` : "",
      options.vendorClass ? `vendorclassid ${options.vendorClass}` : "",
      options.extraConfig ?? "",
    ].join("\n");
    Deno.writeTextFileSync(`${s.dir}/dhcpcd.conf`, conf);
    const args = [
      "-f",
      `${s.dir}/dhcpcd.conf`,
      "-c",
      s.hook,
      "-4",
      "-B",
      "-t",
      String(timeoutS),
    ];
    if (!configure) args.push("--noconfigure");
    return spawnInNamespace(ns, "dhcpcd", [
      ...args,
      ...(options.extraArgs ?? []),
      iface,
    ], { name: "dhcpcd" });
  }, async (proc, s) => {
    // A SIGTERM that lands while dhcpcd is still finishing the BOUND event
    // can leave it hung after STOPPED; give it a moment first.
    await new Promise((r) => setTimeout(r, 300));
    proc.kill("SIGTERM"); // with "release" in the config it sends DHCPRELEASE
    await waitExit(proc, s, 3000);
  }, async () => {
    await killStray(ns, "dhcpcd");
    for (const f of [`${iface}.lease`, `${iface}.lease6`]) {
      await Deno.remove(`/var/lib/dhcpcd/${f}`).catch(() => {});
    }
  });
}

/** SIGKILL processes named `comm` left inside `ns` (dhcpcd's helpers). */
async function killStray(ns: string, comm: string): Promise<void> {
  const { stdout } = await runInNamespace(null, "ip", ["netns", "pids", ns], {
    check: false,
  });
  for (const pid of stdout.split(/\s+/).filter(Boolean)) {
    try {
      if (Deno.readTextFileSync(`/proc/${pid}/comm`).trim() === comm) {
        Deno.kill(Number(pid), "SIGKILL");
      }
    } catch { /* gone */ }
  }
}

/** Options of {@linkcode startDhcrelay}. */
export interface DhcrelayOptions {
  /** Interfaces facing the clients (`-id`). */
  downstream: string[];
  /** Interfaces facing the servers (`-iu`). */
  upstream: string[];
  /** Server addresses to relay to. */
  servers: string[];
  /** Extra arguments (e.g. `["-a"]` to add option 82). */
  extraArgs?: string[];
  /**
   * Milliseconds to wait for dhcrelay to open its interfaces.
   * @default 5000
   */
  readyTimeoutMs?: number;
}

/**
 * Start ISC dhcrelay (`-4 -d`, temp pid file) inside `ns` and wait until it
 * listens. `await using` stops it.
 *
 * @param ns Relay namespace
 * @param options Interfaces and servers
 * @returns The running relay (stderr holds its log)
 * @throws {Error} When it exits or does not get ready in time
 *
 * @example
 * ```ts ignore
 * await using relay = await startDhcrelay(topo.relayNs.name, {
 *   downstream: [topo.relayClientIf], upstream: [topo.relayServerIf], servers: [topo.serverIp],
 * });
 * ```
 */
export async function startDhcrelay(
  ns: string,
  options: DhcrelayOptions,
): Promise<NamespaceProcess> {
  const pidFile = await Deno.makeTempFile({
    prefix: "dhcrelay-",
    suffix: ".pid",
  });
  const args = ["-4", "-d", "-pf", pidFile];
  for (const i of options.downstream) args.push("-id", i);
  for (const i of options.upstream) args.push("-iu", i);
  args.push(...(options.extraArgs ?? []), ...options.servers);
  const proc = spawnInNamespace(ns, "dhcrelay", args, { name: "dhcrelay" });
  const stop = proc.stop;
  const wrapped: NamespaceProcess = Object.assign(proc, {
    stop: async () => {
      const s = await stop();
      await Deno.remove(pidFile).catch(() => {});
      return s;
    },
  });
  wrapped[Symbol.asyncDispose] = async () => {
    await wrapped.stop();
  };
  try {
    await proc.waitForOutput(
      /Sending on\s+Socket\/fallback/,
      options.readyTimeoutMs ?? 5000,
    );
  } catch (e) {
    await wrapped.stop();
    throw e;
  }
  return wrapped;
}
