/**
 * Print the README's flag table: `deno run -A scripts/flags_table.ts`.
 *
 * @module
 */
import { flagsTable } from "../lib/cli/flags_table.ts";

console.log(flagsTable());
