/**
 * The shape of a CloudEvents 1.0 event as this library's public API takes
 * and returns it. Instances of the `cloudevents` npm package's `CloudEvent`
 * class have this shape, and so does a plain object with these attributes.
 *
 * @module
 */

/** A CloudEvents 1.0 event: context attributes, extensions and data. */
export interface CloudEvent<T = unknown> {
  /** Spec version, `1.0`. */
  readonly specversion: string;
  /** Identifies the event; unique per source. */
  readonly id: string;
  /** URI reference of the producer, for example `/tinkerbell/dhcp`. */
  readonly source: string;
  /** Event type, for example `org.tinkerbell.backend.read`. */
  readonly type: string;
  /** Content type of `data`, for example `application/json`. */
  readonly datacontenttype?: string;
  /** Schema of `data`. */
  readonly dataschema?: string;
  /** Subject of the event in the producer's context (here: the MAC). */
  readonly subject?: string;
  /** When it happened, RFC 3339. */
  readonly time?: string;
  /** The payload. */
  readonly data?: T;
  /** The payload as base64, for binary data in structured mode. */
  readonly data_base64?: string;
  /** Extension attributes. */
  readonly [extension: string]: unknown;
}
