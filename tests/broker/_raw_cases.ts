/**
 * The raw protocol cases: bytes to send and the exact reply (after INFO)
 * that nats-server 2.9.10 gives, which our broker must give too.
 *
 * @module
 */

import type { TargetSettings } from "./_targets.ts";

/** One raw exchange. */
export interface RawCase {
  name: string;
  settings?: TargetSettings;
  input: string;
  /** The reply after INFO. */
  expect: string;
  /** Whether the server closes the connection. */
  closes: boolean;
  /**
   * Send in one write only: nats-server 2.9.10 repeats the pedantic -ERR
   * when a PUB payload arrives in a later read, a quirk not worth copying.
   */
  oneWrite?: boolean;
}

/** CONNECT without +OK and pedantic checks. */
export const QUIET = 'CONNECT {"verbose":false,"pedantic":false}\r\n';
const HDRS = 'CONNECT {"verbose":false,"pedantic":false,"headers":true}\r\n';
const NORESP =
  'CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true}\r\n';
const UNKNOWN = "-ERR 'Unknown Protocol Operation'\r\n";

/** The shared case list. */
export const rawCases: RawCase[] = [
  {
    name: "CONNECT is acknowledged in the default verbose mode",
    input: "CONNECT {}\r\nPING\r\n",
    expect: "+OK\r\nPONG\r\n",
    closes: false,
  },
  {
    name: "PING before CONNECT gets PONG",
    input: "PING\r\n",
    expect: "PONG\r\n",
    closes: false,
  },
  {
    name: "PING ignores the rest of its line",
    input: "PINGX\r\nPING x\r\nPING\n",
    expect: "PONG\r\nPONG\r\nPONG\r\n",
    closes: false,
  },
  {
    name: "operation names are case-insensitive",
    input: 'connect {"verbose":false}\r\nsub a 1\r\npub a 1\r\nx\r\nping\r\n',
    expect: "MSG a 1 1\r\nx\r\nPONG\r\n",
    closes: false,
  },
  {
    name: "verbose mode acknowledges SUB, PUB and UNSUB",
    input:
      'CONNECT {"verbose":true,"pedantic":false}\r\nSUB a 1\r\nPUB a 1\r\nx\r\nUNSUB 1\r\nPING\r\n',
    expect: "+OK\r\n+OK\r\n+OK\r\nMSG a 1 1\r\nx\r\n+OK\r\nPONG\r\n",
    closes: false,
  },
  {
    name: "MSG carries the reply subject",
    input: QUIET + "SUB a.* 9\r\nPUB a.b r.1 2\r\nhi\r\nPING\r\n",
    expect: "MSG a.b 9 r.1 2\r\nhi\r\nPONG\r\n",
    closes: false,
  },
  {
    name: "extra spaces between arguments are accepted",
    input: QUIET + "SUB  a  q  1 \r\nPUB  a   1 \r\nx\r\nPING\r\n",
    expect: "MSG a 1 1\r\nx\r\nPONG\r\n",
    closes: false,
  },
  {
    name: "an empty payload is delivered",
    input: QUIET + "SUB a 1\r\nPUB a 0\r\n\r\nPING\r\n",
    expect: "MSG a 1 0\r\n\r\nPONG\r\n",
    closes: false,
  },
  {
    name: "a duplicate sid is ignored",
    input: QUIET + "SUB a 1\r\nSUB a 1\r\nPUB a 1\r\nx\r\nPING\r\n",
    expect: "MSG a 1 1\r\nx\r\nPONG\r\n",
    closes: false,
  },
  {
    name: "UNSUB with max stops after max messages",
    input: QUIET +
      "SUB a 1\r\nUNSUB 1 2\r\nPUB a 1\r\nx\r\nPUB a 1\r\ny\r\nPUB a 1\r\nz\r\nPING\r\n",
    expect: "MSG a 1 1\r\nx\r\nMSG a 1 1\r\ny\r\nPONG\r\n",
    closes: false,
  },
  {
    name: "UNSUB with max 0 or an unknown sid removes at once or does nothing",
    input: QUIET +
      "SUB a 1\r\nUNSUB 1 0\r\nUNSUB 99\r\nPUB a 1\r\nx\r\nPING\r\n",
    expect: "PONG\r\n",
    closes: false,
  },
  {
    name: "echo false skips the publisher's own subscription",
    input:
      'CONNECT {"verbose":false,"echo":false}\r\nSUB a 1\r\nPUB a 1\r\nx\r\nPING\r\n',
    expect: "PONG\r\n",
    closes: false,
  },
  {
    name: "subjects are bytes: UTF-8 subjects round-trip",
    input: QUIET + "SUB \u00e4.*.> 1\r\nPUB \u00e4.b.c 1\r\nx\r\nPING\r\n",
    expect: "MSG \u00e4.b.c 1 1\r\nx\r\nPONG\r\n",
    closes: false,
  },
  {
    name: "SUB with an invalid subject gets -ERR and stays open",
    input: QUIET +
      "SUB a..b 1\r\nSUB a.>.b 2\r\nSUB .a 3\r\nSUB a.b* 4\r\nSUB a q.* 5\r\nPING\r\n",
    expect:
      "-ERR 'Invalid Subject'\r\n-ERR 'Invalid Subject'\r\n-ERR 'Invalid Subject'\r\nPONG\r\n",
    closes: false,
  },
  {
    name: "pedantic PUB to a wildcard subject gets -ERR but is delivered",
    input:
      'CONNECT {"verbose":false}\r\nSUB a.* 1\r\nPUB a.* 1\r\nx\r\nPING\r\n',
    expect: "-ERR 'Invalid Publish Subject'\r\nMSG a.* 1 1\r\nx\r\nPONG\r\n",
    closes: false,
  },
  {
    name: "pedantic verbose PUB to a bad subject gets -ERR then +OK",
    input: "PUB a..b 1\r\nx\r\nPING\r\n",
    expect: "-ERR 'Invalid Publish Subject'\r\n+OK\r\nPONG\r\n",
    closes: false,
    oneWrite: true,
  },
  {
    name: "PUB to a subject with an empty token reaches nobody",
    input: QUIET + "SUB a.> 1\r\nPUB a..b 1\r\nx\r\nPUB a. 1\r\nx\r\nPING\r\n",
    expect: "PONG\r\n",
    closes: false,
  },
  {
    name: "HPUB is delivered as HMSG",
    input: HDRS + "SUB a 1\r\nHPUB a r 12 14\r\nNATS/1.0\r\n\r\nab\r\nPING\r\n",
    expect: "HMSG a 1 r 12 14\r\nNATS/1.0\r\n\r\nab\r\nPONG\r\n",
    closes: false,
  },
  {
    name: "HPUB with empty headers is delivered as MSG",
    input: HDRS + "SUB a 1\r\nHPUB a 0 0\r\n\r\nPING\r\n",
    expect: "MSG a 1 0\r\n\r\nPONG\r\n",
    closes: false,
  },
  {
    name: "no responders answers a request with a 503 HMSG",
    input: NORESP +
      "SUB r.* 7\r\nPUB a r.x 1\r\nx\r\nHPUB a r.y 12 13\r\nNATS/1.0\r\n\r\nx\r\nPING\r\n",
    expect:
      "HMSG r.x 7 16 16\r\nNATS/1.0 503\r\n\r\n\r\nHMSG r.y 7 16 16\r\nNATS/1.0 503\r\n\r\n\r\nPONG\r\n",
    closes: false,
  },
  {
    name: "no responders counts only deliveries, not an echo-less own sub",
    input:
      'CONNECT {"verbose":false,"headers":true,"no_responders":true,"echo":false}\r\nSUB a 1\r\nSUB r.* 7\r\nPUB a r.x 1\r\nx\r\nPING\r\n',
    expect: "HMSG r.x 7 16 16\r\nNATS/1.0 503\r\n\r\n\r\nPONG\r\n",
    closes: false,
  },
  {
    name: "no_responders without headers is refused",
    input: 'CONNECT {"verbose":false,"no_responders":true}\r\nPING\r\n',
    expect: "-ERR 'no responders requires headers support'\r\n",
    closes: true,
  },
  {
    name: "an unknown operation gets -ERR and a close",
    input: "FOO\r\nPING\r\n",
    expect: UNKNOWN,
    closes: true,
  },
  {
    name: "an empty line is an unknown operation",
    input: "\r\nPING\r\n",
    expect: UNKNOWN,
    closes: true,
  },
  {
    name: "UNSUB without arguments is an unknown operation",
    input: "UNSUB\r\n",
    expect: UNKNOWN,
    closes: true,
  },
  {
    name: "a payload longer than announced is an unknown operation",
    input: QUIET + "SUB a 1\r\nPUB a 2\r\nxyz\r\n",
    expect: UNKNOWN,
    closes: true,
  },
  {
    name: "a payload ended by LF alone is an unknown operation",
    input: QUIET + "PUB a 1\r\nx\n",
    expect: UNKNOWN,
    closes: true,
  },
  {
    name: "a payload running into the next operation is an unknown operation",
    input: QUIET + "PUB a 1\r\nxPING\r\n",
    expect: UNKNOWN,
    closes: true,
  },
  {
    name: "PUB with a bad size closes without -ERR",
    input: QUIET + "PUB a x\r\n",
    expect: "",
    closes: true,
  },
  {
    name: "PUB with a negative size closes without -ERR",
    input: QUIET + "PUB a -1\r\n",
    expect: "",
    closes: true,
  },
  {
    name: "PUB with too many arguments closes without -ERR",
    input: QUIET + "PUB a b c 1\r\nx\r\n",
    expect: "",
    closes: true,
  },
  {
    name: "SUB without a sid closes without -ERR",
    input: QUIET + "SUB a\r\n",
    expect: "",
    closes: true,
  },
  {
    name: "SUB with too many arguments closes without -ERR",
    input: QUIET + "SUB a b c d\r\n",
    expect: "",
    closes: true,
  },
  {
    name: "CONNECT with bad JSON closes without -ERR",
    input: "CONNECT {bad\r\n",
    expect: "",
    closes: true,
  },
  {
    name: "HPUB without headers in CONNECT closes without -ERR",
    input: QUIET + "HPUB a 12 14\r\nNATS/1.0\r\n\r\nab\r\n",
    expect: "",
    closes: true,
  },
  {
    name: "HPUB with headers longer than the message closes without -ERR",
    input: HDRS + "HPUB a 13 12\r\n",
    expect: "",
    closes: true,
  },
  {
    name: "PUB above max_payload gets -ERR and a close",
    input: QUIET + "PUB a 1048577\r\n",
    expect: "-ERR 'Maximum Payload Violation'\r\n",
    closes: true,
  },
  {
    name: "PUB one past a small max_payload is refused",
    settings: { maxPayload: 100 },
    input: QUIET +
      `SUB a 1\r\nPUB a 100\r\n${"x".repeat(100)}\r\nPUB a 101\r\n`,
    expect: `MSG a 1 100\r\n${
      "x".repeat(100)
    }\r\n-ERR 'Maximum Payload Violation'\r\n`,
    closes: true,
  },
  {
    name: "a control line above the limit gets -ERR and a close",
    settings: { maxControlLine: 64 },
    input: QUIET + `SUB ${"a".repeat(80)} 1\r\n`,
    expect: "-ERR 'maximum control line exceeded'\r\n",
    closes: true,
  },
  {
    name: "an unfinished control line above the limit is refused",
    settings: { maxControlLine: 64 },
    input: QUIET + `SUB ${"a".repeat(80)}`,
    expect: "-ERR 'maximum control line exceeded'\r\n",
    closes: true,
  },
  {
    name: "a CONNECT above the control-line limit is refused",
    settings: { maxControlLine: 64 },
    input: `CONNECT {"verbose":false,"name":"${"n".repeat(80)}"}\r\n`,
    expect: "-ERR 'maximum control line exceeded'\r\n",
    closes: true,
  },
  {
    name: "auth: CONNECT without a token is refused",
    settings: { auth: { token: "s3cr3t" } },
    input: "CONNECT {}\r\nPING\r\n",
    expect: "-ERR 'Authorization Violation'\r\n",
    closes: true,
  },
  {
    name: "auth: a wrong token is refused",
    settings: { auth: { token: "s3cr3t" } },
    input: 'CONNECT {"auth_token":"bad"}\r\nPING\r\n',
    expect: "-ERR 'Authorization Violation'\r\n",
    closes: true,
  },
  {
    name: "auth: an operation before CONNECT is refused",
    settings: { auth: { token: "s3cr3t" } },
    input: "SUB a 1\r\n",
    expect: "-ERR 'Authorization Violation'\r\n",
    closes: true,
  },
  {
    name: "auth: the right token is accepted",
    settings: { auth: { token: "s3cr3t" } },
    input: 'CONNECT {"auth_token":"s3cr3t","verbose":false}\r\nPING\r\n',
    expect: "PONG\r\n",
    closes: false,
  },
  {
    name: "auth: a wrong password is refused",
    settings: { auth: { user: "u", pass: "p" } },
    input: 'CONNECT {"user":"u","pass":"x"}\r\nPING\r\n',
    expect: "-ERR 'Authorization Violation'\r\n",
    closes: true,
  },
  {
    name: "auth: the right user and password are accepted",
    settings: { auth: { user: "u", pass: "p" } },
    input: 'CONNECT {"user":"u","pass":"p"}\r\nPING\r\n',
    expect: "+OK\r\nPONG\r\n",
    closes: false,
  },
];
