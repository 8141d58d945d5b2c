// `${VAR}` substitution in buildfile words, from `netrino build -D NAME=VALUE` and the
// environment. `${VAR:-default}` gives a default; `$${` is a literal `${`.
import type { Diagnostic, Word } from "./ast.ts";

const VAR = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{[^}]*\}?/g;

export type Variables = Readonly<Record<string, string | undefined>>;

export function substitute(word: Word, vars: Variables, diagnostics: Diagnostic[]): string {
  if (!word.text.includes("$")) return word.text;
  return word.text.replace(VAR, (match: string, name: string | undefined, fallback: string | undefined) => {
    if (match === "$${") return "${";
    const at = Math.max(0, word.raw.indexOf(match));
    const pos = { ...word.pos, col: word.pos.col + at, offset: word.pos.offset + at };
    if (name === undefined) {
      diagnostics.push({
        severity: "error",
        code: "bad-variable",
        pos,
        length: match.length,
        message: `Bad substitution "${match}"`,
        hint: "write ${NAME} or ${NAME:-default}; $${ is a literal ${",
      });
      return match;
    }
    const value = vars[name];
    if (value !== undefined) return value;
    if (fallback !== undefined) return fallback;
    diagnostics.push({
      severity: "error",
      code: "undefined-variable",
      pos,
      length: match.length,
      message: `Variable ${name} is not defined`,
      hint: `define it with \`netrino build -D ${name}=VALUE\`, in the environment, or write \${${name}:-default}`,
    });
    return "";
  });
}
