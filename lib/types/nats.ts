/**
 * The nats.js types that appear in this library's public API, under
 * documented names. Import them from here (not from `@nats-io/nats-core`)
 * wherever a public option or signature mentions them.
 *
 * @module
 */
import type * as nats from "@nats-io/nats-core";

/** An open NATS connection: nats.js `NatsConnection`, from `connect()`. */
export type NatsConnection = nats.NatsConnection;

/**
 * Options of nats.js `connect()`: servers, authentication (token,
 * user/password, NKey, credentials), TLS, reconnect behaviour.
 */
export type ConnectionOptions = nats.ConnectionOptions;

/** NATS message headers (nats.js `MsgHdrs`). */
export type MsgHdrs = nats.MsgHdrs;

/** A received NATS message (nats.js `Msg`). */
export type Msg = nats.Msg;
