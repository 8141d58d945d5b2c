// File permissions as buildfiles write them: octal (`0755`) or symbolic (`u+x,go-w`, `a=r`),
// the symbolic form applied to a starting mode as chmod does.

const OCTAL = /^[0-7]{1,4}$/;
const CLAUSE = /^([ugoa]*)([-+=])([rwxst]*)$/;

export type PermsResult = { readonly mode: number } | { readonly error: string };

function whoMask(who: string): number {
  if (who === "" || who.includes("a")) return 0o7777;
  let m = 0;
  if (who.includes("u")) m |= 0o4700;
  if (who.includes("g")) m |= 0o2070;
  if (who.includes("o")) m |= 0o1007;
  return m;
}

function permBits(perms: string): number {
  let b = 0;
  for (const c of perms) {
    if (c === "r") b |= 0o444;
    else if (c === "w") b |= 0o222;
    else if (c === "x") b |= 0o111;
    else if (c === "s") b |= 0o6000;
    else if (c === "t") b |= 0o1000;
  }
  return b;
}

export function parsePerms(text: string, base: number): PermsResult {
  if (OCTAL.test(text)) return { mode: parseInt(text, 8) };
  if (text === "") return { error: "Permissions are empty" };
  let mode = base & 0o7777;
  for (const clause of text.split(",")) {
    const m = CLAUSE.exec(clause);
    if (!m) {
      return { error: `Bad permissions "${text}": "${clause}" is neither octal nor [ugoa][+-=][rwxst]` };
    }
    const mask = whoMask(m[1]) & permBits(m[3]);
    if (m[2] === "+") mode |= mask;
    else if (m[2] === "-") mode &= ~mask;
    else mode = (mode & ~whoMask(m[1])) | mask;
  }
  return { mode: mode & 0o7777 };
}

/** `0755`-style text for listings. */
export function formatPerms(mode: number): string {
  return "0" + (mode & 0o7777).toString(8).padStart(3, "0");
}
