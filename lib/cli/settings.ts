/**
 * The table of every setting the command takes: its flag, environment
 * variable, help text and parser. `parseConfig`, `--help`, the shell
 * completions and the README's table all come from it.
 *
 * @module
 */
import { DEFAULT_NATS_URL, parseNatsUrls } from "../nats/urls.ts";
import {
  parseDuration,
  parseHostPort,
  parseInteger,
  parseIpv4,
  parseUrl,
} from "./values.ts";

/** The prefix of every environment variable. */
export const ENV_PREFIX = "DHCP_NATS_";

/** Which role a setting belongs to (`all` for every role). */
export type SettingGroup = "all" | "dhcp" | "responder" | "server";

/** One setting. */
export interface Setting {
  /** Key in the parsed values, camelCase of the flag. */
  key: string;
  /** The long flag with its value placeholder, e.g. `--listen <host:port>`. */
  flag: string;
  /** Environment variable name. */
  env: string;
  /** Help text. */
  description: string;
  /** Which role reads it. */
  group: SettingGroup;
  /** Default as the user would type it (shown in help unless secret). */
  defaultValue?: string;
  /** A secret: its value is never printed. */
  secret?: boolean;
  /** A boolean flag (takes no value); `--no-X` is added for `negatable`. */
  boolean?: boolean;
  /** Add `--no-<name>` to turn the boolean off. */
  negatable?: boolean;
  /** Allowed values, for help and completion. */
  choices?: readonly string[];
  /** Checks and converts a value; throws with a message on bad input. */
  parse?: (value: string) => unknown;
}

const logLevels = ["debug", "info", "warn", "error"] as const;

function oneOf(choices: readonly string[]) {
  return (value: string) => {
    if (!choices.includes(value)) {
      throw new TypeError(`"${value}" is not one of ${choices.join(", ")}`);
    }
    return value;
  };
}

/**
 * Check a KV bucket name (letters, digits, `-` and `_`, as NATS allows).
 *
 * @throws {TypeError} Saying what a name may hold.
 */
export function parseKvBucket(value: string): string {
  if (!/^[-\w]+$/.test(value)) {
    throw new TypeError(
      `"${value}" is not a KV bucket name (letters, digits, - and _)`,
    );
  }
  return value;
}

/** `host:port` whose host must be an IPv4 address. */
function ipv4HostPort(value: string, defaultHost: string, defaultPort: number) {
  const hp = parseHostPort(value, defaultHost, defaultPort);
  return { hostname: parseIpv4(hp.hostname), port: hp.port };
}

/** Every setting, in help order. */
export const SETTINGS: readonly Setting[] = [
  {
    key: "server",
    flag: "--server",
    env: `${ENV_PREFIX}SERVER`,
    description: "run the embedded NATS server (for development)",
    group: "all",
    boolean: true,
  },
  {
    key: "responder",
    flag: "--responder",
    env: `${ENV_PREFIX}RESPONDER`,
    description:
      "run the responder: answer lookups from --reservations or --kv-bucket",
    group: "all",
    boolean: true,
  },
  {
    key: "natsUrl",
    flag: "--nats-url <urls>",
    env: `${ENV_PREFIX}URL`,
    description:
      "NATS server URL(s), comma-separated; --server listens on this host and port (NATS_URL also read)",
    group: "all",
    defaultValue: DEFAULT_NATS_URL,
    parse: parseNatsUrls,
  },
  {
    key: "subject",
    flag: "--subject <subject>",
    env: `${ENV_PREFIX}SUBJECT`,
    description: "NATS subject of the lookups",
    group: "all",
    defaultValue: "tinkerbell.dhcp",
    parse: (v) => {
      if (!/^[^\s*>]+$/.test(v) || v.split(".").some((t) => t === "")) {
        throw new TypeError(
          `"${v}" is not a NATS subject (like tinkerbell.dhcp)`,
        );
      }
      return v;
    },
  },
  {
    key: "natsToken",
    flag: "--nats-token <token>",
    env: `${ENV_PREFIX}TOKEN`,
    description: "NATS auth token (the embedded server requires it too)",
    group: "all",
    secret: true,
  },
  {
    key: "natsUser",
    flag: "--nats-user <user>",
    env: `${ENV_PREFIX}USER`,
    description: "NATS user name (with --nats-password)",
    group: "all",
  },
  {
    key: "natsPassword",
    flag: "--nats-password <password>",
    env: `${ENV_PREFIX}PASSWORD`,
    description: "NATS password",
    group: "all",
    secret: true,
  },
  {
    key: "natsCreds",
    flag: "--nats-creds <file>",
    env: `${ENV_PREFIX}CREDS`,
    description: "NATS credentials file (JWT and NKey seed)",
    group: "all",
  },
  {
    key: "natsNkey",
    flag: "--nats-nkey <file>",
    env: `${ENV_PREFIX}NKEY`,
    description: "file holding an NKey seed for NATS auth",
    group: "all",
  },
  {
    key: "natsTlsCa",
    flag: "--nats-tls-ca <file>",
    env: `${ENV_PREFIX}TLS_CA`,
    description: "CA certificate to verify the NATS server (turns TLS on)",
    group: "all",
  },
  {
    key: "natsTlsCert",
    flag: "--nats-tls-cert <file>",
    env: `${ENV_PREFIX}TLS_CERT`,
    description: "client certificate for NATS TLS",
    group: "all",
  },
  {
    key: "natsTlsKey",
    flag: "--nats-tls-key <file>",
    env: `${ENV_PREFIX}TLS_KEY`,
    description: "client key for NATS TLS",
    group: "all",
  },
  {
    key: "logLevel",
    flag: "--log-level <level>",
    env: `${ENV_PREFIX}LOG_LEVEL`,
    description: "lowest level logged",
    group: "all",
    defaultValue: "info",
    choices: logLevels,
    parse: oneOf(logLevels),
  },
  {
    key: "logFormat",
    flag: "--log-format <format>",
    env: `${ENV_PREFIX}LOG_FORMAT`,
    description: "log line format",
    group: "all",
    defaultValue: "text",
    choices: ["text", "json"],
    parse: oneOf(["text", "json"]),
  },
  {
    key: "metricsListen",
    flag: "--metrics-listen <host:port>",
    env: `${ENV_PREFIX}METRICS_LISTEN`,
    description: "serve /metrics and /healthz on this address (off unless set)",
    group: "all",
    parse: (v) => parseHostPort(v, "127.0.0.1"),
  },
  {
    key: "listen",
    flag: "--listen <host:port>",
    env: `${ENV_PREFIX}LISTEN`,
    description: "DHCP listen address",
    group: "dhcp",
    defaultValue: "0.0.0.0:67",
    parse: (v) => ipv4HostPort(v, "0.0.0.0", 67),
  },
  {
    key: "interface",
    flag: "--interface <name>",
    env: `${ENV_PREFIX}INTERFACE`,
    description: "answer only on this network interface (Linux)",
    group: "dhcp",
  },
  {
    key: "serverIp",
    flag: "--server-ip <ip>",
    env: `${ENV_PREFIX}SERVER_IP`,
    description:
      "server identifier (option 54) and next-server; from the interface or listen address when unset",
    group: "dhcp",
    parse: parseIpv4,
  },
  {
    key: "timeout",
    flag: "--timeout <duration>",
    env: `${ENV_PREFIX}TIMEOUT`,
    description: "lookup timeout (500ms, 5s, ...)",
    group: "dhcp",
    defaultValue: "5s",
    parse: (v) => {
      const ms = parseDuration(v);
      if (ms < 1) throw new RangeError(`"${v}" is too short for a timeout`);
      return ms;
    },
  },
  {
    key: "leaseTime",
    flag: "--lease-time <seconds>",
    env: `${ENV_PREFIX}LEASE_TIME`,
    description: "lease time when the reservation has none or 0",
    group: "dhcp",
    defaultValue: "86400",
    parse: (v) => parseInteger(v, 1, 0xffffffff),
  },
  {
    key: "cacheTtl",
    flag: "--cache-ttl <duration>",
    env: `${ENV_PREFIX}CACHE_TTL`,
    description: "keep each reservation this long (0 turns the cache off)",
    group: "dhcp",
    defaultValue: "5s",
    parse: parseDuration,
  },
  {
    key: "maxInFlight",
    flag: "--max-in-flight <n>",
    env: `${ENV_PREFIX}MAX_IN_FLIGHT`,
    description:
      "lookups in flight at once; packets over it are dropped and counted",
    group: "dhcp",
    defaultValue: "256",
    parse: (v) => parseInteger(v, 1, 1_000_000),
  },
  {
    key: "lookupRatePerMac",
    flag: "--lookup-rate-per-mac <n>",
    env: `${ENV_PREFIX}LOOKUP_RATE_PER_MAC`,
    description:
      "lookups per second one MAC may cause; more are dropped and counted (0 turns the limit off)",
    group: "dhcp",
    defaultValue: "2",
    parse: (v) => parseInteger(v, 0, 1_000_000),
  },
  {
    key: "lookupBurstPerMac",
    flag: "--lookup-burst-per-mac <n>",
    env: `${ENV_PREFIX}LOOKUP_BURST_PER_MAC`,
    description: "lookups one MAC may cause at once before the rate applies",
    group: "dhcp",
    defaultValue: "10",
    parse: (v) => parseInteger(v, 1, 1_000_000),
  },
  {
    key: "netboot",
    flag: "--netboot",
    env: `${ENV_PREFIX}NETBOOT`,
    description:
      "answer PXE, iPXE and HTTP boot clients (--no-netboot turns it off)",
    group: "dhcp",
    boolean: true,
    negatable: true,
    defaultValue: "true",
  },
  {
    key: "proxy",
    flag: "--proxy",
    env: `${ENV_PREFIX}PROXY`,
    description:
      "proxyDHCP beside another DHCP server: boot options only (67, 4011), for hosts allowed to netboot",
    group: "dhcp",
    boolean: true,
  },
  {
    key: "proxyAll",
    flag: "--proxy-all",
    env: `${ENV_PREFIX}PROXY_ALL`,
    description:
      "proxyDHCP for every PXE, iPXE and HTTP boot client, without a lookup",
    group: "dhcp",
    boolean: true,
  },
  {
    key: "tftpServer",
    flag: "--tftp-server <ip:port>",
    env: `${ENV_PREFIX}TFTP_SERVER`,
    description: "TFTP server of the iPXE binaries (port 69 when omitted)",
    group: "dhcp",
    parse: (v) => ipv4HostPort(v, "", 69),
  },
  {
    key: "httpIpxeBinaryUrl",
    flag: "--http-ipxe-binary-url <url>",
    env: `${ENV_PREFIX}HTTP_IPXE_BINARY_URL`,
    description: "base URL of the iPXE binaries for HTTP boot clients",
    group: "dhcp",
    parse: parseUrl,
  },
  {
    key: "ipxeScriptUrl",
    flag: "--ipxe-script-url <url>",
    env: `${ENV_PREFIX}IPXE_SCRIPT_URL`,
    description: "iPXE script URL when the reservation has none",
    group: "dhcp",
    parse: parseUrl,
  },
  {
    key: "userClass",
    flag: "--user-class <name>",
    env: `${ENV_PREFIX}USER_CLASS`,
    description:
      "user class (option 77) of our iPXE builds, which get the script URL",
    group: "dhcp",
    defaultValue: "Tinkerbell",
  },
  {
    key: "tftpListen",
    flag: "--tftp-listen <host:port>",
    env: `${ENV_PREFIX}TFTP_LISTEN`,
    description:
      "run the built-in TFTP server on this address, serving --boot-dir (off unless set)",
    group: "dhcp",
    parse: (v) => ipv4HostPort(v, "0.0.0.0", 69),
  },
  {
    key: "httpListen",
    flag: "--http-listen <host:port>",
    env: `${ENV_PREFIX}HTTP_LISTEN`,
    description:
      "run the built-in HTTP server on this address: --boot-dir and per-host iPXE scripts (off unless set)",
    group: "dhcp",
    parse: (v) => ipv4HostPort(v, "0.0.0.0", 80),
  },
  {
    key: "bootDir",
    flag: "--boot-dir <dir>",
    env: `${ENV_PREFIX}BOOT_DIR`,
    description:
      "directory the built-in TFTP and HTTP servers serve (iPXE binaries, kernels)",
    group: "dhcp",
  },
  {
    key: "reservations",
    flag: "--reservations <file>",
    env: `${ENV_PREFIX}RESERVATIONS`,
    description: "reservations file, YAML or JSON (responder)",
    group: "responder",
  },
  {
    key: "kvBucket",
    flag: "--kv-bucket <name>",
    env: `${ENV_PREFIX}KV_BUCKET`,
    description:
      "NATS JetStream KV bucket of reservations, instead of --reservations (responder)",
    group: "responder",
    parse: parseKvBucket,
  },
  {
    key: "replyFormat",
    flag: "--reply-format <format>",
    env: `${ENV_PREFIX}REPLY_FORMAT`,
    description: "v2, or v1 for first-generation Go DHCP servers (responder)",
    group: "responder",
    defaultValue: "v2",
    choices: ["v1", "v2"],
    parse: oneOf(["v1", "v2"]),
  },
  {
    key: "queue",
    flag: "--queue <name>",
    env: `${ENV_PREFIX}QUEUE`,
    description: "queue group the responders share (responder)",
    group: "responder",
    defaultValue: "tinkerbell-responders",
  },
];
