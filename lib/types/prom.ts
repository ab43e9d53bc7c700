/**
 * The prom-client type that appears in this library's public API, under a
 * documented name.
 *
 * @module
 */
import type * as prom from "prom-client";

/**
 * A Prometheus metrics registry (prom-client `Registry`):
 * `await registry.metrics()` renders the text exposition format.
 */
export type Registry = prom.Registry;
