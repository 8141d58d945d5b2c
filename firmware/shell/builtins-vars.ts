// Builtins about variables and arguments: typeset/local (function-scoped variables) and getopts.
import type { Builtin } from "./builtin-types.ts";
import { err, out } from "./builtin-types.ts";
import { evalArith } from "./arith.ts";
import { arithVars } from "./expand.ts";
import type { Shell } from "./interp.ts";
import { shellQuote } from "./interp.ts";
import { isName } from "./lexer.ts";

/** The attributes typeset applies as it assigns (ksh keeps them; this shell applies them once). */
interface Attrs {
  export: boolean;
  integer: boolean;
  lower: boolean;
  upper: boolean;
}

function declare(name: "typeset" | "local"): Builtin {
  return async (sh, argv, io) => {
    if (name === "local" && sh.localFrames.length === 0)
      return err(sh, io, name, "can only be used in a function");
    const attrs: Attrs = { export: false, integer: false, lower: false, upper: false };
    let i = 1;
    for (; i < argv.length && /^[-+][xilurf]+$/.test(argv[i]); i++) {
      for (const f of argv[i].slice(1)) {
        if (f === "x") attrs.export = argv[i][0] === "-";
        else if (f === "i") attrs.integer = true;
        else if (f === "l") [attrs.lower, attrs.upper] = [true, false];
        else if (f === "u") [attrs.upper, attrs.lower] = [true, false];
        else if (f === "f") return listFunctions(sh, io);
      }
    }
    const args = argv.slice(i);
    if (args.length === 0) {
      let text = "";
      for (const k of [...sh.vars.keys()].sort()) {
        const v = sh.vars.get(k)!;
        if (attrs.export && !v.exported) continue;
        text += `${k}=${shellQuote(v.value)}\n`;
      }
      await out(sh, io, text);
      return 0;
    }
    let status = 0;
    for (const a of args) {
      const eq = a.indexOf("=");
      const v = eq < 0 ? a : a.slice(0, eq);
      if (!isName(v)) {
        status = await err(sh, io, name, `${v}: invalid variable name`);
        continue;
      }
      if (sh.localFrames.length > 0) sh.makeLocal(v);
      let value = eq < 0 ? sh.getVar(v) : a.slice(eq + 1);
      if (value !== undefined) {
        if (attrs.integer) value = String(evalArith(value, arithVars(sh)));
        if (attrs.lower) value = value.toLowerCase();
        if (attrs.upper) value = value.toUpperCase();
        sh.setVar(v, value, attrs.export || undefined);
      } else if (attrs.export) sh.exportVar(v);
    }
    return status;
  };
}

async function listFunctions(sh: Shell, io: Parameters<Builtin>[2]): Promise<number> {
  await out(
    sh,
    io,
    [...sh.functions.keys()]
      .sort()
      .map((f) => `function ${f}\n`)
      .join(""),
  );
  return 0;
}

export const typesetBuiltin = declare("typeset");
export const localBuiltin = declare("local");

/**
 * getopts optstring name [arg ...]: POSIX option parsing with OPTIND/OPTARG. A leading `:` in
 * optstring selects silent errors (name gets `?` or `:`, OPTARG the letter).
 */
export const getoptsBuiltin: Builtin = async (sh, argv, io) => {
  if (argv.length < 3) return err(sh, io, "getopts", "usage: getopts optstring name [arg ...]", 2);
  const [optstring, name] = [argv[1], argv[2]];
  const args = argv.length > 3 ? argv.slice(3) : sh.positional;
  const silent = optstring.startsWith(":");
  const spec = silent ? optstring.slice(1) : optstring;
  // A script that resets OPTIND (to 1) starts over inside a group of letters too.
  const optindText = sh.getVar("OPTIND") ?? "1";
  if (optindText !== sh.getopts.optind) sh.getopts = { optind: optindText, char: 1 };
  let optind = Number(optindText) || 1;
  const finish = (letter: string, status: number): number => {
    sh.setVar(name, letter);
    sh.setVar("OPTIND", String(optind));
    sh.getopts.optind = String(optind);
    return status;
  };
  const arg = args[optind - 1];
  if (sh.getopts.char === 1) {
    if (arg === undefined || arg === "-" || !arg.startsWith("-")) return finish("?", 1);
    if (arg === "--") {
      optind++;
      return finish("?", 1);
    }
  }
  const c = arg[sh.getopts.char];
  const advance = (): void => {
    sh.getopts.char++;
    if (sh.getopts.char >= arg.length) {
      optind++;
      sh.getopts.char = 1;
    }
  };
  const at = c === ":" ? -1 : spec.indexOf(c);
  if (at < 0) {
    advance();
    if (silent) sh.setVar("OPTARG", c);
    else {
      sh.unsetVar("OPTARG");
      await sh.error(io, `-${c}: unknown option`);
    }
    return finish("?", 0);
  }
  if (spec[at + 1] !== ":") {
    sh.unsetVar("OPTARG");
    advance();
    return finish(c, 0);
  }
  const rest = arg.slice(sh.getopts.char + 1);
  sh.getopts.char = 1;
  if (rest) {
    sh.setVar("OPTARG", rest);
    optind++;
    return finish(c, 0);
  }
  if (optind < args.length) {
    sh.setVar("OPTARG", args[optind]);
    optind += 2;
    return finish(c, 0);
  }
  optind++;
  if (silent) {
    sh.setVar("OPTARG", c);
    return finish(":", 0);
  }
  sh.unsetVar("OPTARG");
  await sh.error(io, `-${c}: argument expected`);
  return finish("?", 0);
};
