// sysctl output, NetBSD style: `name = value`; `-n` the value only; struct nodes (counters)
// flattened into one `name.field = value` line per field; `-w` prints `name: old -> new`.
import type { SysctlView } from "./net-view.ts";

function flatten(prefix: string, v: unknown, out: Array<[string, string]>): void {
  if (Array.isArray(v)) {
    out.push([prefix, v.join(" ")]);
  } else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) flatten(`${prefix}.${k}`, x, out);
  } else {
    out.push([prefix, String(v)]);
  }
}

/** The `name = value` pairs of one node (several for a struct). */
export function sysctlPairs(node: SysctlView): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  flatten(node.name, node.value, out);
  return out;
}

export function formatSysctl(node: SysctlView, valueOnly: boolean): string {
  return sysctlPairs(node)
    .map(([n, v]) => (valueOnly ? `${v}\n` : `${n} = ${v}\n`))
    .join("");
}

export function formatSysctlSet(name: string, old: unknown, now: unknown, valueOnly: boolean): string {
  return valueOnly ? `${String(now)}\n` : `${name}: ${String(old)} -> ${String(now)}\n`;
}

/** Splits `name=value` (sysctl -w, or NetBSD's bare `name=value` operand). */
export function splitAssignment(text: string): { name: string; value: string } | null {
  const eq = text.indexOf("=");
  if (eq <= 0) return null;
  return { name: text.slice(0, eq).trim(), value: text.slice(eq + 1).trim() };
}
