// uname: system identification. sysname is "QNX" so that scripts written for QNX recognise
// the system; release is netrino's version; machine/processor follow QNX's spelling of the CPU.
import type { Program } from "../program.ts";
import { runUtility } from "./lib/errors.ts";
import { getopt, UsageError } from "./lib/getopt.ts";

const USAGE = `uname - print system information

usage: uname [-amnprsv]
Options:
 -a  all of the below, in the order s n r v m p
 -m  machine (x86_64, aarch64le, armle-v7)
 -n  node name (the hostname)
 -p  processor (x86_64, aarch64, arm)
 -r  release (netrino's version)
 -s  system name: QNX (the default)
 -v  version: the runtime it is built on (netrino and the Node.js version)
`;

/** netrino's release; kept in step with package.json's version. */
export const NETRINO_RELEASE = "0.1.0";

const MACHINE: Readonly<Record<string, [machine: string, processor: string]>> = {
  x64: ["x86_64", "x86_64"],
  arm64: ["aarch64le", "aarch64"],
  arm: ["armle-v7", "arm"],
  ia32: ["x86pc", "x86"],
};

export interface UnameFields {
  s: string;
  n: string;
  r: string;
  v: string;
  m: string;
  p: string;
}

export function unameFields(hostname: string, arch: string, nodeVersion: string): UnameFields {
  const [m, p] = MACHINE[arch] ?? [arch, arch];
  return { s: "QNX", n: hostname, r: NETRINO_RELEASE, v: `netrino-node${nodeVersion}`, m, p };
}

/** The fields asked for, always in the order s n r v m p; -s alone when none is asked. */
export function unameLine(f: UnameFields, flags: ReadonlySet<string>): string {
  const all = flags.has("a");
  const order: Array<keyof UnameFields> = ["s", "n", "r", "v", "m", "p"];
  const chosen = order.filter((k) => all || flags.has(k));
  return (chosen.length ? chosen : (["s"] as const)).map((k) => f[k]).join(" ");
}

const program: Program = {
  name: "uname",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "uname", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "amnprsv");
      if (parsed.operands.length) throw new UsageError("");
      const flags = new Set(parsed.opts.map((o) => o.opt));
      const fields = unameFields(ctx.kernel.hostname, process.arch, process.versions.node);
      await ctx.stdout.write(unameLine(fields, flags) + "\n");
      return 0;
    });
  },
};
export default program;
