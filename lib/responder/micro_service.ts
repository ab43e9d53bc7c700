/**
 * Discovery and monitoring of a NATS micro service (ADR-32): answers
 * `$SRV.PING`, `$SRV.INFO` and `$SRV.STATS`, for all services, for this
 * service's name, and for this instance's id, so `nats micro ls`, `nats
 * micro info` and `nats micro stats` see the responder.
 *
 * Written on the core client because `@nats-io/services` has no release
 * built against the `@nats-io/nats-core` version this project pins.
 *
 * @module
 */
import { nuid, type Subscription } from "@nats-io/nats-core";
import type { NatsConnection } from "../types/nats.ts";

/** Response types of the three verbs (ADR-32). */
export const MicroResponseType = {
  /** `$SRV.PING` */
  ping: "io.nats.micro.v1.ping_response",
  /** `$SRV.INFO` */
  info: "io.nats.micro.v1.info_response",
  /** `$SRV.STATS` */
  stats: "io.nats.micro.v1.stats_response",
} as const;

/** Statistics of one endpoint, as `$SRV.STATS` reports them. */
export interface MicroEndpointStats {
  /** Requests received. */
  num_requests: number;
  /** Requests that failed. */
  num_errors: number;
  /** The last failure, `""` when none. */
  last_error: string;
  /** Total handler time, nanoseconds. */
  processing_time: number;
  /** `processing_time / num_requests`, truncated; 0 without requests. */
  average_processing_time: number;
  /** Service-specific data. */
  data?: unknown;
}

/** One endpoint of the service. */
export interface MicroEndpoint {
  /** Endpoint name. */
  name: string;
  /** Subject it listens on. */
  subject: string;
  /** Its queue group. */
  queueGroup: string;
  /** Endpoint metadata. */
  metadata?: Record<string, string>;
  /** Current statistics. */
  stats(): MicroEndpointStats;
}

/** Options of {@linkcode registerMicroService}. */
export interface MicroServiceOptions {
  /** Service name: letters, digits, `-` and `_`. */
  name: string;
  /** SemVer version. */
  version: string;
  /** Human-readable description. */
  description?: string;
  /** Service metadata. */
  metadata?: Record<string, string>;
  /** The endpoints, reported by INFO and STATS. */
  endpoints: MicroEndpoint[];
  /**
   * Instance id.
   * @default {a new NUID}
   */
  id?: string;
}

/** A registered service; stop it to unsubscribe its monitoring subjects. */
export interface MicroService {
  /** This instance's id. */
  readonly id: string;
  /** The PING response (also the common fields of INFO and STATS). */
  ping(): Record<string, unknown>;
  /** The INFO response. */
  info(): Record<string, unknown>;
  /** The STATS response. */
  stats(): Record<string, unknown>;
  /** Unsubscribe from the monitoring subjects. */
  stop(): void;
}

const NAME = /^[A-Za-z0-9_-]+$/;
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const encoder = new TextEncoder();

/**
 * Check a service name and version against ADR-32.
 *
 * @param name Letters, digits, `-` and `_`.
 * @param version SemVer; not checked when absent.
 * @throws {TypeError} When either is invalid.
 */
export function checkServiceName(name: string, version?: string): void {
  if (!NAME.test(name)) {
    throw new TypeError(
      `Invalid service name "${name}": use only letters, digits, - and _`,
    );
  }
  if (version !== undefined && !SEMVER.test(version)) {
    throw new TypeError(`Invalid service version "${version}": not SemVer`);
  }
}

/**
 * Answer the ADR-32 monitoring subjects for a service on `nc`.
 *
 * @param nc A connected client.
 * @param options Name, version, description and endpoints.
 * @returns The registered service.
 * @throws {TypeError} When the name has characters other than letters,
 * digits, `-` and `_`, or the version is not SemVer.
 *
 * @example
 * ```ts ignore
 * const service = registerMicroService(nc, { name: "dhcp-responder", version: "0.1.0", endpoints: [] });
 * // nats micro ping dhcp-responder
 * service.stop();
 * ```
 */
export function registerMicroService(
  nc: NatsConnection,
  options: MicroServiceOptions,
): MicroService {
  const { name, version } = options;
  checkServiceName(name, version);
  const id = options.id ?? nuid.next();
  const started = new Date().toISOString();
  const metadata = options.metadata ?? {};
  const base = (type: string) => ({ type, name, id, version, metadata });

  const service: MicroService = {
    id,
    ping: () => base(MicroResponseType.ping),
    info: () => ({
      ...base(MicroResponseType.info),
      description: options.description ?? "",
      endpoints: options.endpoints.map((e) => ({
        name: e.name,
        subject: e.subject,
        queue_group: e.queueGroup,
        metadata: e.metadata ?? {},
      })),
    }),
    stats: () => ({
      ...base(MicroResponseType.stats),
      started,
      endpoints: options.endpoints.map((e) => ({
        name: e.name,
        subject: e.subject,
        queue_group: e.queueGroup,
        ...e.stats(),
      })),
    }),
    stop: () => {
      for (const sub of subs) if (!sub.isClosed()) sub.unsubscribe();
    },
  };

  const verbs = {
    PING: service.ping,
    INFO: service.info,
    STATS: service.stats,
  } as const;
  const subs: Subscription[] = [];
  for (const [verb, respond] of Object.entries(verbs)) {
    for (
      const subject of [
        `$SRV.${verb}`,
        `$SRV.${verb}.${name}`,
        `$SRV.${verb}.${name}.${id}`,
      ]
    ) {
      subs.push(nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err || !msg.reply) return;
          msg.respond(encoder.encode(JSON.stringify(respond())));
        },
      }));
    }
  }
  return service;
}
