// Path arithmetic for utilities (POSIX rules, no file system access).

/** Joins `p` to `cwd` unless absolute, and removes `.`, `..` and repeated slashes. */
export function resolvePath(cwd: string, p: string): string {
  const parts: string[] = [];
  for (const seg of (p.startsWith("/") ? p : `${cwd}/${p}`).split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") parts.pop();
    else parts.push(seg);
  }
  return "/" + parts.join("/");
}

/** The last component, ignoring trailing slashes: basename("/a/b/") → "b". */
export function basename(p: string): string {
  const trimmed = p.replace(/\/+$/, "");
  if (trimmed === "") return p.startsWith("/") ? "/" : "";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** Everything before the last component: dirname("/a/b") → "/a", dirname("b") → ".". */
export function dirname(p: string): string {
  const trimmed = p.replace(/\/+$/, "");
  const at = trimmed.lastIndexOf("/");
  if (at < 0) return ".";
  if (at === 0) return "/";
  return trimmed.slice(0, at);
}

/** `dir` + "/" + `name` without doubling the slash. */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}
