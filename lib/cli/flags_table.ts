/**
 * The README's table of flags and environment variables, generated from the
 * settings table (`deno run -A scripts/flags_table.ts` prints it; a test
 * keeps the README in step).
 *
 * @module
 */
import { SETTINGS } from "./settings.ts";

const ROLE_NAMES = {
  all: "all",
  dhcp: "DHCP server",
  responder: "responder",
  server: "server",
} as const;

/**
 * Render every setting as a Markdown table.
 *
 * @example
 * ```ts
 * import { flagsTable } from "./flags_table.ts";
 * if (!flagsTable().includes("`DHCP_NATS_URL`")) throw new Error();
 * ```
 */
export function flagsTable(): string {
  const rows = [
    "| flag | environment variable | default | role | meaning |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const s of SETTINGS) {
    const name = s.flag.split(" ")[0];
    const flag = s.negatable ? `${s.flag}\`, \`--no-${name.slice(2)}` : s.flag;
    const value = s.defaultValue && !s.secret ? `\`${s.defaultValue}\`` : "";
    rows.push(
      `| \`${flag}\` | \`${s.env}\` | ${value} | ${ROLE_NAMES[s.group]} | ${
        s.description.replaceAll("|", "\\|")
      } |`,
    );
  }
  return rows.join("\n");
}
