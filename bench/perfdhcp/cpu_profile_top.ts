/**
 * The hottest functions of a V8 CPU profile (`deno run --cpu-prof`), by
 * self time, with their share of the busy (non-idle) samples.
 *
 * `deno run -A bench/perfdhcp/cpu_profile_top.ts FILE.cpuprofile [N]`
 *
 * @module
 */

interface ProfileNode {
  id: number;
  callFrame: {
    functionName: string;
    url: string;
    lineNumber: number;
  };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/** One row of {@linkcode hottest}. */
export interface HotFunction {
  /** `name (file:line)`. */
  name: string;
  /** Self time in milliseconds. */
  selfMs: number;
  /** Share of busy time in percent. */
  percent: number;
}

const idle = new Set(["(idle)", "(program)", "(garbage collector)"]);

/**
 * Self time per function of a profile, hottest first. `(garbage collector)`
 * and `(program)` are reported but `(idle)` is left out of the total.
 */
export function hottest(profile: CpuProfile): HotFunction[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const dt = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + dt);
  }
  const totals = new Map<string, number>();
  let busy = 0;
  for (const [id, ms] of self) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === "(idle)") continue;
    busy += ms;
    const file = f.url.replace(/^.*\/(lib|bench|node_modules|npm)\//, "$1/")
      .replace(/^file:\/\/.*\//, "");
    const name = idle.has(f.functionName)
      ? f.functionName
      : `${f.functionName || "(anonymous)"} (${file || "native"}:${
        f.lineNumber + 1
      })`;
    totals.set(name, (totals.get(name) ?? 0) + ms);
  }
  return [...totals].map(([name, selfMs]) => ({
    name,
    selfMs,
    percent: busy > 0 ? (100 * selfMs) / busy : 0,
  })).sort((a, b) => b.selfMs - a.selfMs);
}

/**
 * Self time grouped by area: our folders under lib/, the npm packages, GC,
 * and native code (syscalls made through FFI or the runtime).
 */
export function byArea(rows: readonly HotFunction[]): HotFunction[] {
  const areas = new Map<string, number>();
  for (const r of rows) {
    const file = r.name.match(/\((.*):\d+\)$/)?.[1] ?? r.name;
    const area = file.startsWith("lib/") && /lib\/\w+\/[\w.]+\.ts$/.test(file)
      ? file.split("/").slice(0, 2).join("/")
      : file.startsWith("lib/") || file.startsWith("npm/")
      ? "npm packages (nats.js)"
      : file === "native"
      ? `native: ${r.name.split(" ")[0]}`
      : file.startsWith("ext:")
      ? "deno runtime (ext:)"
      : r.name;
    areas.set(area, (areas.get(area) ?? 0) + r.selfMs);
  }
  const busy = rows.reduce((a, r) => a + r.selfMs, 0);
  return [...areas].map(([name, selfMs]) => ({
    name,
    selfMs,
    percent: (100 * selfMs) / busy,
  })).sort((a, b) => b.selfMs - a.selfMs);
}

if (import.meta.main) {
  const [file, n = "15"] = Deno.args.filter((a) => !a.startsWith("--"));
  const all = hottest(JSON.parse(Deno.readTextFileSync(file)));
  const rows = Deno.args.includes("--by-area") ? byArea(all) : all;
  for (const r of rows.slice(0, Number(n))) {
    console.log(
      `${r.percent.toFixed(1).padStart(5)}%  ${
        r.selfMs.toFixed(0).padStart(7)
      } ms  ${r.name}`,
    );
  }
}
