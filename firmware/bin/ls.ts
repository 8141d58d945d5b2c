// ls: list directory contents, BSD style (errors first, then files, then directories).
import type { Program, ProgramContext, Stat } from "../program.ts";
import { errorText, runUtility } from "./lib/errors.ts";
import { classifySuffix, isDirMode, S_IFLNK, S_IFMT } from "./lib/file-mode.ts";
import { getopt } from "./lib/getopt.ts";
import {
  compareNames,
  defaultIdName,
  formatColumns,
  formatLong,
  totalBlocks,
  type LsEntry,
} from "./lib/ls-format.ts";
import { joinPath, resolvePath } from "./lib/paths.ts";

const USAGE = `ls - list directory contents

usage: ls [-1AaFdlR] [file ...]
Options:
 -1  one entry per line (the default when output is not a terminal)
 -A  list all entries except . and ..
 -a  list all entries, including those starting with a dot
 -d  list directories themselves, not their contents
 -F  append / to directories, * to executables, @ to symlinks, | to FIFOs
 -l  long format: mode, links, owner, group, size, modification time, name
 -R  list subdirectories recursively
`;

interface Flags {
  all: boolean;
  almostAll: boolean;
  dirsAsFiles: boolean;
  classify: boolean;
  long: boolean;
  recursive: boolean;
  onePerLine: boolean;
}

interface Out {
  ctx: ProgramContext;
  flags: Flags;
  width: number;
  status: number;
  /** Whether something has been printed (directory headers are separated by a blank line). */
  printed: boolean;
}

function toEntry(name: string, st: Stat, linkTarget?: string): LsEntry {
  return {
    name,
    mode: st.mode,
    nlink: st.nlink,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    mtimeMs: st.mtimeMs,
    linkTarget,
  };
}

async function statEntry(ctx: ProgramContext, path: string, name: string, follow: boolean): Promise<LsEntry> {
  const st = follow ? await ctx.fs.stat(path) : await ctx.fs.lstat(path);
  let target: string | undefined;
  if ((st.mode & S_IFMT) === S_IFLNK) target = await ctx.fs.readlink(path).catch(() => "?");
  return toEntry(name, st, target);
}

async function printEntries(o: Out, entries: LsEntry[], withTotal: boolean): Promise<void> {
  const { flags, ctx } = o;
  let lines: string[];
  if (flags.long) {
    lines = formatLong(entries, {
      nowMs: ctx.kernel.clock.wallTime(),
      utc: false,
      classify: flags.classify,
      userName: defaultIdName,
      groupName: defaultIdName,
    });
    if (withTotal) lines.unshift(`total ${totalBlocks(entries)}`);
  } else {
    const names = entries.map((e) => e.name + (flags.classify ? classifySuffix(e.mode) : ""));
    lines = flags.onePerLine ? names : formatColumns(names, o.width);
  }
  if (lines.length) await ctx.stdout.write(lines.join("\n") + "\n");
  if (lines.length) o.printed = true;
}

async function listDirectory(o: Out, operand: string, header: boolean): Promise<void> {
  const { ctx, flags } = o;
  const path = resolvePath(ctx.cwd, operand);
  if (header) {
    await ctx.stdout.write(`${o.printed ? "\n" : ""}${operand}:\n`);
    o.printed = true;
  }
  let names: string[];
  try {
    names = await ctx.fs.readdir(path);
  } catch (e) {
    await ctx.stderr.write(`ls: ${operand}: ${errorText(e)}\n`);
    o.status = 1;
    return;
  }
  names = names.filter((n) => n !== "." && n !== "..");
  if (!flags.all && !flags.almostAll) names = names.filter((n) => !n.startsWith("."));
  if (flags.all) names.push(".", "..");
  names.sort(compareNames);
  const needStat = flags.long || flags.classify || flags.recursive;
  const entries: LsEntry[] = [];
  for (const name of names) {
    if (!needStat) {
      entries.push({ name, mode: 0, nlink: 0, uid: 0, gid: 0, size: 0, mtimeMs: 0 });
      continue;
    }
    try {
      entries.push(await statEntry(ctx, joinPath(path, name), name, false));
    } catch (e) {
      await ctx.stderr.write(`ls: ${joinPath(operand, name)}: ${errorText(e)}\n`);
      o.status = 1;
    }
  }
  await printEntries(o, entries, true);
  if (!flags.recursive) return;
  for (const e of entries) {
    if (e.name === "." || e.name === ".." || !isDirMode(e.mode)) continue;
    if (ctx.signal.aborted) return;
    await listDirectory(o, joinPath(operand, e.name), true);
  }
}

const program: Program = {
  name: "ls",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "ls", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "1AaFdlR");
      const has = new Set(parsed.opts.map((x) => x.opt));
      const flags: Flags = {
        all: has.has("a"),
        almostAll: has.has("A"),
        dirsAsFiles: has.has("d"),
        classify: has.has("F"),
        long: has.has("l"),
        recursive: has.has("R") && !has.has("d"),
        onePerLine: has.has("1") || !ctx.stdout.isatty,
      };
      let width = Number.parseInt(ctx.env.COLUMNS ?? "", 10) || 80;
      if (ctx.stdout.tty)
        width = (await ctx.stdout.tty.getSize().catch(() => ({ cols: width }))).cols || width;
      const o: Out = { ctx, flags, width, status: 0, printed: false };

      const operands = parsed.operands.length ? [...parsed.operands] : ["."];
      // Symlink operands are followed unless the link itself is asked about (-l, -d, -F).
      const followOperands = !flags.long && !flags.dirsAsFiles && !flags.classify;
      const files: LsEntry[] = [];
      const dirs: string[] = [];
      const errors: Array<[string, unknown]> = [];
      for (const operand of operands) {
        try {
          const path = resolvePath(ctx.cwd, operand);
          let e = await statEntry(ctx, path, operand, followOperands);
          if (!flags.dirsAsFiles && (e.mode & S_IFMT) === S_IFLNK) {
            // `ls -l linktodir` lists the link; `ls -l linktodir/` would list the directory.
            const target = await ctx.fs.stat(path).catch(() => null);
            if (target && isDirMode(target.mode) && operand.endsWith("/")) e = toEntry(operand, target);
          }
          if (isDirMode(e.mode) && !flags.dirsAsFiles) dirs.push(operand);
          else files.push(e);
        } catch (err) {
          errors.push([operand, err]);
        }
      }
      errors.sort((a, b) => compareNames(a[0], b[0]));
      for (const [operand, err] of errors) await ctx.stderr.write(`ls: ${operand}: ${errorText(err)}\n`);
      if (errors.length) o.status = 1;
      files.sort((a, b) => compareNames(a.name, b.name));
      dirs.sort(compareNames);
      await printEntries(o, files, false);
      const headers = operands.length > 1;
      for (const dir of dirs) {
        if (ctx.signal.aborted) return 1;
        await listDirectory(o, dir, headers);
      }
      return o.status;
    });
  },
};
export default program;
