// Small pure helpers for paths below a manager's attachment.

/** "a/b/c" → ["a", "b", "c"]; empty and "." components dropped. */
export function splitRel(rel: string): string[] {
  return rel.split("/").filter((p) => p !== "" && p !== ".");
}

export function joinPath(a: string, b: string): string {
  if (b === "") return a;
  if (a === "") return b;
  return a.endsWith("/") ? a + b : `${a}/${b}`;
}

export function dirname(p: string): string {
  const i = p.lastIndexOf("/");
  if (i < 0) return "";
  if (i === 0) return "/";
  return p.slice(0, i);
}

export function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}
