/**
 * TEMPORARY: validates one host's value by the reservations file's field
 * rules, through the public {@linkcode parseReservations}, until
 * `readHostValue` is exported by `../reservation_file.ts`; then this file
 * goes and the real one is imported instead.
 *
 * @module
 */
import type { Reservation } from "../../backend/reservation.ts";
import {
  parseReservations,
  ReservationFileError,
  type ReservationIssue,
} from "../reservation_file.ts";

/** The result of {@linkcode readHostValue}. */
export type HostValueResult =
  | { reservation: Reservation; issues: [] }
  | { reservation?: undefined; issues: ReservationIssue[] };

/**
 * Validate one host's value, as `JSON.parse` gives it.
 *
 * @param mac The host's MAC address (any accepted form).
 * @param value The host's fields.
 * @param source Where the value comes from, for messages.
 * @returns The reservation, or every issue found.
 */
export function readHostValue(
  mac: string,
  value: unknown,
  source: string,
): HostValueResult {
  try {
    const map = parseReservations(JSON.stringify({ [mac]: value }), {
      file: source,
    });
    const reservation = map.values().next().value;
    if (reservation === undefined) {
      return { issues: [{ line: 1, mac, message: "no host in the value" }] };
    }
    return { reservation, issues: [] };
  } catch (err) {
    if (err instanceof ReservationFileError) {
      return { issues: [...err.issues] };
    }
    throw err;
  }
}
