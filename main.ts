/**
 * The dhcp-nats command: the DHCP server by default, `--responder` for the
 * reservations backend, `--server` for the embedded NATS server.
 *
 * @module
 */

if (import.meta.main) {
  console.log("dhcp-nats: roles are being built; see README.md");
}
