/**
 * The dhcp-nats command. No role flag runs the DHCP server; `--responder`
 * answers lookups from a reservations file; `--server` runs the embedded
 * NATS server. `probe` checks a deployment, `demo` runs everything at once,
 * `completion` prints a shell completion script. `--help` lists every flag.
 *
 * Exit codes: 0 done, 1 runtime failure, 2 usage error.
 *
 * @module
 */
import { bashCompletion, zshCompletion } from "./lib/cli/completion.ts";
import { parseConfig, UsageError } from "./lib/cli/config.ts";
import { runDemo } from "./lib/cli/demo.ts";
import { runKv } from "./lib/cli/kv.ts";
import { runProbe } from "./lib/cli/probe.ts";
import { runRole } from "./lib/cli/run.ts";
import { guardSocketResets } from "./lib/cli/socket_reset_guard.ts";
import { createLogger } from "./lib/log/logger.ts";
import { ReservationFileError } from "./lib/responder/reservation_file.ts";

function print(line: string): void {
  console.log(line);
}

function printError(line: string): void {
  console.error(line);
}

/** An AbortSignal that fires on SIGINT or SIGTERM; a second signal exits. */
function shutdownSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  const handler = () => {
    if (controller.signal.aborted) Deno.exit(130);
    controller.abort();
  };
  for (const s of signals) Deno.addSignalListener(s, handler);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of signals) Deno.removeSignalListener(s, handler);
    },
  };
}

/** What to tell the user about a runtime failure. */
function explain(err: unknown): string {
  if (err instanceof ReservationFileError) return err.message;
  if (err instanceof Deno.errors.NotFound) {
    return `${(err as Error).message}: check the path`;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/ECONNREFUSED|CONNECTION_REFUSED|connection refused/i.test(message)) {
    return `${message}: is a NATS server running at --nats-url? (dhcp-nats --server starts one for development)`;
  }
  return message;
}

/**
 * Run the command line and return the exit code.
 *
 * @param args Arguments after the program name.
 * @param env Environment variables.
 */
export async function main(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<number> {
  let command;
  try {
    command = parseConfig(args, env);
  } catch (err) {
    if (err instanceof UsageError) {
      printError(`dhcp-nats: ${err.message}`);
      return err.exitCode;
    }
    throw err;
  }
  switch (command.kind) {
    case "output":
      Deno.stdout.writeSync(new TextEncoder().encode(command.text));
      return 0;
    case "completion":
      print(command.shell === "bash" ? bashCompletion() : zshCompletion());
      return 0;
    case "probe":
      try {
        print(await runProbe(command.probe));
        return 0;
      } catch (err) {
        printError(
          `dhcp-nats probe: ${
            explain(err)
          }: check --server and that the server has a reservation for ${command.probe.mac}`,
        );
        return 1;
      }
    case "kv":
      try {
        await runKv(command.kv, (text) => {
          Deno.stdout.writeSync(
            new TextEncoder().encode(text.endsWith("\n") ? text : `${text}\n`),
          );
        }, printError);
        return 0;
      } catch (err) {
        printError(`dhcp-nats kv ${command.kv.action}: ${explain(err)}`);
        return 1;
      }
  }
  const logger = command.kind === "run"
    ? createLogger({
      level: command.config.logLevel,
      format: command.config.logFormat,
    })
    : createLogger({ level: "info" });
  const shutdown = shutdownSignal();
  const unguard = guardSocketResets(logger);
  try {
    if (command.kind === "demo") {
      await runDemo(command.demo, logger, print, shutdown.signal);
    } else {
      await runRole(command.config, logger, shutdown.signal);
    }
    return 0;
  } catch (err) {
    printError(`dhcp-nats: ${explain(err)}`);
    return 1;
  } finally {
    unguard();
    shutdown.dispose();
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args, Deno.env.toObject()));
}
