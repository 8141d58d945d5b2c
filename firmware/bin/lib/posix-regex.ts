// POSIX basic (BRE) and extended (ERE) regular expressions translated to JavaScript RegExp
// source, for grep. Covers what people type at a shell: anchors, ., *, bracket expressions
// with [:classes:], BRE \( \) \{m,n\} and the GNU \+ \? \| extensions, ERE + ? | () {m,n}.

const CLASSES: Readonly<Record<string, string>> = {
  alpha: "a-zA-Z",
  digit: "0-9",
  alnum: "a-zA-Z0-9",
  upper: "A-Z",
  lower: "a-z",
  space: " \\t\\n\\r\\f\\v",
  blank: " \\t",
  punct: "!-\\/:-@\\[-`{-~",
  print: " -~",
  graph: "!-~",
  cntrl: "\\x00-\\x1f\\x7f",
  xdigit: "0-9A-Fa-f",
};

const JS_SPECIAL = /[\\^$.*+?()[\]{}|/]/;

export class RegexSyntaxError extends Error {
  override readonly name = "RegexSyntaxError";
}

/** Reads a bracket expression starting at `src[start] === "["`; returns JS source and the end. */
function bracket(src: string, start: number): { js: string; end: number } {
  let i = start + 1;
  let js = "[";
  if (src[i] === "^") {
    js += "^";
    i++;
  }
  let first = true;
  for (; i < src.length; i++) {
    const c = src[i];
    if (c === "]" && !first) return { js: js + "]", end: i + 1 };
    first = false;
    if (c === "[" && src[i + 1] === ":") {
      const close = src.indexOf(":]", i + 2);
      if (close < 0) throw new RegexSyntaxError("brackets ([ ]) not balanced");
      const cls = CLASSES[src.slice(i + 2, close)];
      if (cls === undefined) throw new RegexSyntaxError("invalid character class");
      js += cls;
      i = close + 1;
      continue;
    }
    // In POSIX brackets a backslash is literal; in JS it escapes, so escape it (and ] [ ^).
    js += c === "\\" || c === "]" || c === "[" || (c === "^" && js.length > 1) ? `\\${c}` : c;
  }
  throw new RegexSyntaxError("brackets ([ ]) not balanced");
}

function literal(c: string): string {
  return JS_SPECIAL.test(c) ? `\\${c}` : c;
}

/** Translates a BRE (extended = false) or ERE to JavaScript RegExp source. */
export function posixToJs(src: string, extended: boolean): string {
  let js = "";
  let atomStart = true; // a `*` here is literal (start of pattern or group, after `|`)
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "[") {
      const b = bracket(src, i);
      js += b.js;
      i = b.end - 1;
      atomStart = false;
      continue;
    }
    if (c === "\\") {
      if (i + 1 >= src.length) throw new RegexSyntaxError("trailing backslash (\\)");
      const n = src[++i];
      if (!extended && "(){}|+?".includes(n)) {
        js += n;
        atomStart = n === "(" || n === "|";
        continue;
      }
      if (/[1-9]/.test(n)) js += `\\${n}`;
      else if ("wWsSbB<>".includes(n)) js += n === "<" || n === ">" ? "\\b" : `\\${n}`;
      else js += literal(n);
      atomStart = false;
      continue;
    }
    if (c === "*") {
      js += atomStart ? "\\*" : "*";
      continue;
    }
    if (c === "^") {
      js += atomStart || extended ? "^" : "\\^";
      continue;
    }
    if (c === "$") {
      const atEnd = i === src.length - 1 || (!extended && src.startsWith("\\)", i + 1)) || extended;
      js += atEnd ? "$" : "\\$";
      atomStart = false;
      continue;
    }
    if (extended && "()|+?{}".includes(c)) {
      if ((c === "+" || c === "?") && atomStart) js += `\\${c}`;
      else js += c;
      atomStart = c === "(" || c === "|";
      continue;
    }
    js += c === "." ? "." : literal(c);
    atomStart = false;
  }
  return js;
}

/** Compiles a grep pattern; throws RegexSyntaxError for a malformed one. */
export function compileGrepPattern(
  pattern: string,
  o: { extended: boolean; fixed: boolean; ignoreCase: boolean; wholeLine?: boolean },
): RegExp {
  const source = o.fixed ? [...pattern].map(literal).join("") : posixToJs(pattern, o.extended);
  try {
    return new RegExp(o.wholeLine ? `^(?:${source})$` : source, o.ignoreCase ? "i" : "");
  } catch (e) {
    throw new RegexSyntaxError(e instanceof Error ? e.message : String(e));
  }
}
