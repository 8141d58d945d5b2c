// Shell patterns (`*`, `?`, `[a-z]`, `[!x]`) for case, ${x#pat} and pathname expansion.
// A pattern string marks quoted characters with a backslash, so `"*"` stays a literal star.
import type { ShellOs } from "./os.ts";

export function escapePattern(s: string): string {
  return s.replace(/[\\*?[\]]/g, (c) => "\\" + c);
}

export function unescapePattern(p: string): string {
  return p.replace(/\\(.)/gs, "$1");
}

export function hasGlob(p: string): boolean {
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "\\") i++;
    else if (c === "*" || c === "?") return true;
    else if (c === "[" && bracketEnd(p, i) > 0) return true;
  }
  return false;
}

/** Index of the `]` closing the bracket expression at `i`, or -1 if it is a plain `[`. */
function bracketEnd(p: string, i: number): number {
  let j = i + 1;
  if (p[j] === "!" || p[j] === "^") j++;
  if (p[j] === "]") j++;
  for (; j < p.length; j++) {
    if (p[j] === "\\") j++;
    else if (p[j] === "]") return j;
  }
  return -1;
}

function reEscape(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? "\\" + c : c;
}

/** Regular-expression source for the pattern (no anchors). */
export function patternSource(p: string): string {
  let out = "";
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "\\") {
      if (i + 1 < p.length) out += reEscape(p[++i]);
      else out += "\\\\";
    } else if (c === "*") out += "[\\s\\S]*";
    else if (c === "?") out += "[\\s\\S]";
    else if (c === "[") {
      const end = bracketEnd(p, i);
      if (end < 0) {
        out += "\\[";
        continue;
      }
      let j = i + 1;
      let cls = "[";
      if (p[j] === "!" || p[j] === "^") {
        cls += "^";
        j++;
      }
      for (; j < end; j++) {
        if (p[j] === "\\") cls += reEscape(p[++j]);
        else if (p[j] === "-" && j > i + 1 && j + 1 < end) cls += "-";
        else cls += reEscape(p[j]);
      }
      out += cls + "]";
      i = end;
    } else out += reEscape(c);
  }
  return out;
}

export function compilePattern(p: string): RegExp {
  try {
    return new RegExp("^" + patternSource(p) + "$");
  } catch {
    // A range such as [z-a] is invalid as a RegExp; treat the pattern literally then.
    return new RegExp("^" + unescapePattern(p).replace(/[\s\S]/g, reEscape) + "$");
  }
}

export function matchPattern(p: string, s: string): boolean {
  return compilePattern(p).test(s);
}

/** Removes the shortest/longest prefix or suffix matching the pattern (`#`, `##`, `%`, `%%`). */
export function removePattern(value: string, p: string, op: "#" | "##" | "%" | "%%"): string {
  const re = compilePattern(p);
  const n = value.length;
  if (op === "#") {
    for (let i = 0; i <= n; i++) if (re.test(value.slice(0, i))) return value.slice(i);
  } else if (op === "##") {
    for (let i = n; i >= 0; i--) if (re.test(value.slice(0, i))) return value.slice(i);
  } else if (op === "%") {
    for (let i = n; i >= 0; i--) if (re.test(value.slice(i))) return value.slice(0, i);
  } else {
    for (let i = 0; i <= n; i++) if (re.test(value.slice(i))) return value.slice(0, i);
  }
  return value;
}

/**
 * Pathname expansion through the OS: each component with glob characters is matched against
 * the directory listing. Returns the sorted matches (possibly none).
 */
export async function expandPathname(pattern: string, cwd: string, os: ShellOs): Promise<string[]> {
  const absolute = pattern.startsWith("/");
  const comps = pattern.split("/").filter((c, i) => c !== "" || i === 0);
  let results: string[] = [absolute ? "/" : ""];
  for (let ci = absolute ? 1 : 0; ci < comps.length; ci++) {
    const comp = comps[ci];
    const last = ci === comps.length - 1;
    const next: string[] = [];
    for (const base of results) {
      const join = (name: string): string =>
        base === "" ? name : base.endsWith("/") ? base + name : `${base}/${name}`;
      if (!hasGlob(comp)) {
        const candidate = join(unescapePattern(comp));
        if (last) {
          if (await os.stat(toAbs(candidate, cwd))) next.push(candidate);
        } else next.push(candidate);
        continue;
      }
      let names: string[];
      try {
        names = await os.readdir(toAbs(base === "" ? "." : base, cwd));
      } catch {
        continue;
      }
      const re = compilePattern(comp);
      const dotOk = comp.startsWith(".") || comp.startsWith("\\.");
      for (const name of names.slice().sort()) {
        if (name === "." || name === "..") continue;
        if (name.startsWith(".") && !dotOk) continue;
        if (re.test(name)) next.push(join(name));
      }
    }
    results = next;
    if (results.length === 0) break;
  }
  if (pattern.endsWith("/")) results = results.map((r) => (r.endsWith("/") ? r : r + "/"));
  return results.sort();
}

/** Absolute form of a path relative to `cwd` (no `..` folding: the path space does that). */
export function toAbs(path: string, cwd: string): string {
  if (path.startsWith("/")) return path;
  if (path === "." || path === "") return cwd;
  return cwd.endsWith("/") ? cwd + path : `${cwd}/${path}`;
}

/** Lexical `.`/`..` folding, as `cd` without -P does. */
export function normalizePath(path: string): string {
  const out: string[] = [];
  for (const c of path.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") out.pop();
    else out.push(c);
  }
  return "/" + out.join("/");
}
