/**
 * Errors of the DHCP client.
 *
 * @module
 */
import type { DhcpMessage } from "../dhcp/message.ts";

/** The server answered DHCPNAK. */
export class DhcpNakError extends Error {
  /** The NAK as decoded. */
  readonly reply: DhcpMessage;

  /**
   * Create the error.
   *
   * @param reply The NAK.
   * @param serverMessage Option 56 of the NAK, if any.
   */
  constructor(reply: DhcpMessage, serverMessage?: string) {
    super(
      `The DHCP server refused the request (NAK)${
        serverMessage ? `: ${serverMessage}` : ""
      }`,
    );
    this.name = "DhcpNakError";
    this.reply = reply;
  }
}

/** No matching reply came before the timeout. */
export class DhcpTimeoutError extends Error {
  /**
   * Create the error.
   *
   * @param what The exchange, for example `DISCOVER`.
   * @param server The server address.
   * @param ms The timeout in milliseconds.
   * @param attempts How many times the request was sent.
   */
  constructor(what: string, server: string, ms: number, attempts: number) {
    super(
      `No reply to ${what} from ${server} within ${ms} ms (${attempts} attempts)`,
    );
    this.name = "DhcpTimeoutError";
  }
}
