/**
 * The broker conformance cases: behaviour seen through the official nats.js
 * client, run unchanged against nats-server and our broker.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  connect,
  headers,
  type Msg,
  type NatsConnection,
  RequestError,
} from "@nats-io/transport-node";
import type { RunningTarget, TargetSettings } from "./_targets.ts";

/** One conformance case. */
export interface ConformanceCase {
  /** Behaviour under test. */
  name: string;
  /** Server settings the case needs. */
  settings?: TargetSettings;
  /** The test body. */
  run(server: RunningTarget): Promise<void>;
}

async function withConn<T>(
  url: string,
  fn: (nc: NatsConnection) => Promise<T>,
  opts: Parameters<typeof connect>[0] = {},
): Promise<T> {
  const nc = await connect({ servers: url, ...opts });
  try {
    return await fn(nc);
  } finally {
    await nc.close();
  }
}

function collect(
  nc: NatsConnection,
  subject: string,
  opts: { queue?: string; max?: number } = {},
) {
  const got: Msg[] = [];
  const sub = nc.subscribe(subject, {
    ...opts,
    callback: (_e, m) => void got.push(m),
  });
  return { got, sub };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("Condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Connect with credentials the server refuses, and return the error.
 *
 * The server closes right after `-ERR 'Authorization Violation'` while the
 * client's PING is still unread, so the kernel resets the socket; nats.js
 * transport-node then raises that ECONNRESET as an uncaught error on top of
 * rejecting `connect()`. Both servers do this, so the reset is swallowed
 * here, and only the reset.
 */
async function refusedConnect(
  url: string,
  opts: Parameters<typeof connect>[0],
): Promise<unknown> {
  const ignoreReset = (e: ErrorEvent) => {
    if (/ECONNRESET/.test(String(e.error?.message ?? e.message))) {
      e.preventDefault();
    }
  };
  globalThis.addEventListener("error", ignoreReset);
  try {
    return await connect({ servers: url, ...opts, maxReconnectAttempts: 0 })
      .then(
        async (nc) => void await nc.close(),
        (e) => e,
      );
  } finally {
    await new Promise((r) => setTimeout(r, 50));
    globalThis.removeEventListener("error", ignoreReset);
  }
}

/** The shared case list. */
export const conformanceCases: ConformanceCase[] = [
  {
    name: "publish reaches a subscriber in order",
    run: (s) =>
      withConn(s.url, async (nc) => {
        const { got } = collect(nc, "conf.a");
        for (const d of ["one", "two", "three"]) nc.publish("conf.a", d);
        await nc.flush();
        await until(() => got.length === 3);
        assert.deepEqual(got.map((m) => m.string()), ["one", "two", "three"]);
        assert.equal(got[0].subject, "conf.a");
      }),
  },
  {
    name: "wildcards * and > match the right subjects",
    run: (s) =>
      withConn(s.url, async (nc) => {
        const star = collect(nc, "conf.*.x");
        const full = collect(nc, "conf.>");
        for (
          const subj of ["conf.a.x", "conf.b.y.z", "conf.a", "other.a.x"]
        ) nc.publish(subj, subj);
        await nc.flush();
        await until(() => full.got.length === 3);
        await nc.flush();
        assert.deepEqual(star.got.map((m) => m.subject), ["conf.a.x"]);
        assert.deepEqual(full.got.map((m) => m.subject), [
          "conf.a.x",
          "conf.b.y.z",
          "conf.a",
        ]);
      }),
  },
  {
    name: "a queue group gets each message once, plain subscribers all",
    run: (s) =>
      withConn(s.url, async (nc) => {
        const members = [1, 2, 3].map(() =>
          collect(nc, "conf.q", { queue: "workers" })
        );
        const plain = collect(nc, "conf.q");
        for (let i = 0; i < 60; i++) nc.publish("conf.q", String(i));
        await nc.flush();
        await until(() => plain.got.length === 60);
        await nc.flush();
        const total = members.reduce((n, m) => n + m.got.length, 0);
        assert.equal(total, 60);
        const all = members.flatMap((m) => m.got.map((x) => Number(x.string())))
          .sort((a, b) => a - b);
        assert.deepEqual(all, Array.from({ length: 60 }, (_, i) => i));
        assert.ok(
          members.filter((m) => m.got.length > 0).length >= 2,
          "spread over members",
        );
      }),
  },
  {
    name: "request-reply returns the responder's answer",
    run: (s) =>
      withConn(s.url, async (nc) => {
        const sub = nc.subscribe("conf.echo", {
          callback: (_e, m) => void m.respond("re:" + m.string()),
        });
        const replies = await Promise.all(
          Array.from({ length: 64 }, (_, i) =>
            nc.request("conf.echo", String(i), { timeout: 2000 })),
        );
        assert.deepEqual(
          replies.map((r) =>
            r.string()
          ),
          Array.from({ length: 64 }, (_, i) => "re:" + i),
        );
        sub.unsubscribe();
      }),
  },
  {
    name: "headers travel with the message and the reply",
    run: (s) =>
      withConn(s.url, async (nc) => {
        nc.subscribe("conf.h", {
          callback: (_e, m) => {
            const h = headers();
            h.set("X-Echo", m.headers?.get("X-Trace") ?? "missing");
            m.respond(m.data, { headers: h });
          },
        });
        const h = headers();
        h.set("X-Trace", "00-abc-01");
        h.append("X-Multi", "a");
        h.append("X-Multi", "b");
        const r = await nc.request("conf.h", "body", {
          headers: h,
          timeout: 2000,
        });
        assert.equal(r.headers?.get("X-Echo"), "00-abc-01");
        assert.equal(r.string(), "body");
        const { got } = collect(nc, "conf.h2");
        nc.publish("conf.h2", "x", { headers: h });
        await nc.flush();
        await until(() => got.length === 1);
        assert.deepEqual(got[0].headers?.values("X-Multi"), ["a", "b"]);
      }),
  },
  {
    name: "a request nobody answers fails fast with no responders",
    run: (s) =>
      withConn(s.url, async (nc) => {
        const start = Date.now();
        const err = await nc.request("conf.nobody", "x", { timeout: 5000 })
          .then(
            () => undefined,
            (e) => e,
          );
        assert.ok(
          err instanceof RequestError,
          `expected RequestError, got ${err}`,
        );
        assert.ok(err.isNoResponders());
        assert.ok(Date.now() - start < 4000, "did not wait for the timeout");
      }),
  },
  {
    name: "unsubscribe with max stops after max messages",
    run: (s) =>
      withConn(s.url, async (nc) => {
        const { got, sub } = collect(nc, "conf.max", { max: 2 });
        const other = collect(nc, "conf.max");
        for (let i = 0; i < 5; i++) nc.publish("conf.max", String(i));
        await nc.flush();
        await until(() => other.got.length === 5);
        assert.deepEqual(got.map((m) => m.string()), ["0", "1"]);
        await until(() => sub.isClosed());
        // A later server-side UNSUB with max after some deliveries.
        const late = collect(nc, "conf.max2");
        nc.publish("conf.max2", "a");
        await nc.flush();
        late.sub.unsubscribe(2);
        for (let i = 0; i < 3; i++) nc.publish("conf.max2", "b");
        await nc.flush();
        await until(() => late.sub.isClosed());
        assert.equal(late.got.length, 2);
      }),
  },
  {
    name: "drain delivers pending messages, then closes",
    run: async (s) => {
      const sub_nc = await connect({ servers: s.url });
      const got: string[] = [];
      sub_nc.subscribe("conf.drain", {
        callback: (_e, m) => void got.push(m.string()),
      });
      await sub_nc.flush();
      await withConn(s.url, async (pub) => {
        for (let i = 0; i < 20; i++) pub.publish("conf.drain", String(i));
        await pub.flush();
      });
      // No flush on sub_nc: drain itself must deliver what is in flight.
      await sub_nc.drain();
      assert.ok(sub_nc.isClosed());
      assert.equal(got.length, 20);
    },
  },
  {
    name: "the client reconnects after the server restarts on the same port",
    run: async (s) => {
      const nc = await connect({
        servers: s.url,
        reconnectTimeWait: 100,
        maxReconnectAttempts: -1,
      });
      try {
        const { got } = collect(nc, "conf.re");
        await nc.flush();
        await s.stop();
        await new Promise((r) => setTimeout(r, 150));
        await s.restart();
        // The subscription is replayed on reconnect.
        await until(() => {
          nc.publish("conf.re", "after");
          return got.length > 0;
        }, 8000);
        assert.equal(got[0].string(), "after");
      } finally {
        await nc.close();
      }
    },
  },
  {
    name: "a payload of exactly max_payload arrives intact",
    run: (s) =>
      withConn(s.url, async (nc) => {
        const max = nc.info!.max_payload;
        assert.equal(max, 1024 * 1024);
        const data = new Uint8Array(max);
        for (let i = 0; i < max; i++) data[i] = (i * 7) & 0xff;
        const { got } = collect(nc, "conf.big");
        nc.publish("conf.big", data);
        await nc.flush();
        await until(() => got.length === 1);
        assert.deepEqual(got[0].data, data);
        assert.throws(
          () => nc.publish("conf.big", new Uint8Array(max + 1)),
          /max_payload/,
        );
      }),
  },
  {
    name: "a smaller max_payload is announced and enforced",
    settings: { maxPayload: 1000 },
    run: (s) =>
      withConn(s.url, async (nc) => {
        assert.equal(nc.info!.max_payload, 1000);
        const { got } = collect(nc, "conf.small");
        nc.publish("conf.small", new Uint8Array(1000));
        await nc.flush();
        await until(() => got.length === 1);
        assert.throws(
          () => nc.publish("conf.small", new Uint8Array(1001)),
          /max_payload/,
        );
      }),
  },
  {
    name: "echo false hides a connection's own messages",
    run: (s) =>
      withConn(s.url, (quiet) =>
        withConn(s.url, async (other) => {
          const own = collect(quiet, "conf.echo");
          const seen = collect(other, "conf.echo");
          await other.flush();
          quiet.publish("conf.echo", "x");
          await quiet.flush();
          await until(() => seen.got.length === 1);
          await quiet.flush();
          assert.equal(own.got.length, 0);
        }), { noEcho: true }),
  },
  {
    name: "token auth accepts the right token",
    settings: { auth: { token: "s3cr3t" } },
    run: (s) =>
      withConn(s.url, async (nc) => {
        assert.equal(nc.info!.auth_required, true);
        await nc.flush();
      }, { token: "s3cr3t" }),
  },
  {
    name: "token auth rejects a wrong or missing token",
    settings: { auth: { token: "s3cr3t" } },
    run: async (s) => {
      for (const opts of [{ token: "wrong" }, {}]) {
        const err = await refusedConnect(s.url, opts);
        assert.ok(err instanceof Error, "connect must fail");
        assert.match(err.message, /Authorization Violation/i);
      }
    },
  },
  {
    name: "user and password auth",
    settings: { auth: { user: "dhcp", pass: "p4ss" } },
    run: async (s) => {
      await withConn(s.url, (nc) => nc.flush(), { user: "dhcp", pass: "p4ss" });
      const err = await refusedConnect(s.url, { user: "dhcp", pass: "bad" });
      assert.ok(err instanceof Error);
      assert.match(err.message, /Authorization Violation/i);
    },
  },
  {
    name: "auth off accepts any client and round-trips a ping",
    run: (s) =>
      withConn(s.url, async (nc) => {
        assert.notEqual(nc.info!.auth_required, true);
        assert.equal(nc.info!.headers, true);
        assert.equal(nc.info!.proto, 1);
        const rtt = await nc.rtt();
        assert.ok(rtt >= 0);
      }),
  },
];
