// `netrino build`: buildfile → analysis (refuse on any error) → file contents (host files,
// inline files, `#!builtin` stubs, bundled programs) → image bytes.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import type { Diagnostic } from "../buildfile/ast.ts";
import { analyzeBuildfile, hasErrors, type Analysis } from "../buildfile/lint.ts";
import type { ResolveOptions, ResolvedEntry } from "../buildfile/resolve.ts";
import type { CompiledLine } from "../buildfile/script-compile.ts";
import { bundleProgram } from "./bundle.ts";
import type { ImageScriptLine } from "./format.ts";
import { encodeImage, type ImageFileSpec } from "./writer.ts";

export interface BuildOptions extends ResolveOptions {
  /** SOURCE_DATE_EPOCH; default: the environment's, else 0. */
  readonly sourceDateEpoch?: number;
}

export interface BuildResult {
  /** Undefined when the buildfile has errors. */
  readonly image?: Uint8Array;
  readonly analysis: Analysis;
  readonly diagnostics: Diagnostic[];
}

const encoder = new TextEncoder();

function epochFrom(opts: BuildOptions): number {
  if (opts.sourceDateEpoch !== undefined) return opts.sourceDateEpoch;
  const env = opts.env?.SOURCE_DATE_EPOCH;
  return env && /^[0-9]+$/.test(env) ? Number(env) : 0;
}

async function fileSpec(e: ResolvedEntry, baseDir: string): Promise<ImageFileSpec> {
  const base = { path: e.target, type: e.type, perms: e.perms, uid: e.uid, gid: e.gid, compress: e.compress };
  switch (e.source.kind) {
    case "inline":
      return { ...base, data: encoder.encode(e.source.text) };
    case "host":
      return { ...base, data: new Uint8Array(readFileSync(e.source.path)) };
    case "builtin":
      return { ...base, data: encoder.encode(`#!builtin ${e.source.name}\n`), builtin: true };
    case "program":
      return { ...base, data: await bundleProgram(e.source.entry, baseDir), program: true };
    case "none":
      return { ...base, link: e.linkTarget };
  }
}

export function toImageScript(lines: readonly CompiledLine[]): ImageScriptLine[] {
  return lines.map((l): ImageScriptLine => {
    if (l.kind === "env") {
      return {
        kind: "env",
        line: l.line,
        argv: [],
        env: l.env,
        background: false,
        session: false,
        external: false,
      };
    }
    return { kind: l.kind, line: l.line, argv: l.argv, env: l.env, background: l.background, ...l.modifiers };
  });
}

/** Builds in memory (boot uses this for a buildfile); never writes anything. */
export async function buildImage(file: string, opts: BuildOptions = {}): Promise<BuildResult> {
  const source = readFileSync(file, "utf8");
  const analysis = analyzeBuildfile(source, file, opts);
  const diagnostics = [...analysis.diagnostics];
  if (hasErrors(diagnostics)) return { analysis, diagnostics };
  const files: ImageFileSpec[] = [];
  for (const e of analysis.resolved.entries) {
    try {
      files.push(await fileSpec(e, analysis.resolved.baseDir));
    } catch (err) {
      const what =
        e.source.kind === "program"
          ? `Cannot bundle ${relative(analysis.resolved.baseDir, e.source.entry)}`
          : `Cannot read ${e.target}`;
      diagnostics.push({
        severity: "error",
        code: "build-failed",
        pos: e.pos,
        length: 1,
        message: `${what}: ${(err as Error).message.split("\n")[0]}`,
      });
    }
  }
  if (hasErrors(diagnostics)) return { analysis, diagnostics };
  const image = encodeImage({
    board: analysis.resolved.board,
    files,
    script: toImageScript(analysis.script),
    created: epochFrom(opts),
  });
  return { image, analysis, diagnostics };
}
