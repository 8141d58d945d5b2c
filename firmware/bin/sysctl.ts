// sysctl: get or set the network stack's tunables and read its counters (NetBSD style).
import { KernelError, strerror } from "../kernel/errno.ts";
import type { Program } from "../program.ts";
import { getopt, optionMap, UsageError } from "./lib/getopt.ts";
import { sysctlView, withNet } from "./lib/net-api.ts";
import { NetUtilError, runNetUtility } from "./lib/net-errors.ts";
import { formatSysctl, formatSysctlSet, splitAssignment } from "./lib/net-sysctl-format.ts";

const USAGE = `sysctl - get or set network stack state

usage: sysctl [-n] name ...
       sysctl [-n] -w name=value ...
       sysctl [-n] -a
Names are NetBSD MIB names such as net.inet.ip.forwarding and net.inet.ip.ttl; a name that is
a prefix (net.inet.ip) lists everything under it. -n prints values only. Counter nodes
(net.inet.ip.stats …) print one line per field. SOCK=/prefix selects another io-pkt instance.
`;

function unknown(e: unknown, name: string): never {
  if (e instanceof KernelError && e.errno === "ENOENT")
    throw new NetUtilError("ENOENT", `unknown oid '${name}'`);
  if (e instanceof KernelError && (e.errno === "EPERM" || e.errno === "EINVAL")) {
    throw new NetUtilError(e.errno, `${name}: ${strerror(e.errno)}`);
  }
  throw e;
}

const program: Program = {
  name: "sysctl",
  usage: USAGE,
  main(ctx) {
    return runNetUtility(ctx.stderr, "sysctl", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "nawq");
      const o = optionMap(parsed);
      const valueOnly = o.has("n");
      const names = parsed.operands;
      if (!o.has("a") && names.length === 0) throw new UsageError("");
      return withNet(ctx, async (net) => {
        if (o.has("a")) {
          const all = (await net.sysctlList("")).map(sysctlView);
          await ctx.stdout.write(all.map((n) => formatSysctl(n, valueOnly)).join(""));
          return 0;
        }
        let status = 0;
        for (const arg of names) {
          const assign = splitAssignment(arg);
          if (o.has("w") || assign !== null) {
            if (assign === null) throw new UsageError(`${arg}: must be name=value`);
            try {
              const before = sysctlView(await net.sysctlGet(assign.name));
              const after = sysctlView(await net.sysctlSet(assign.name, assign.value));
              await ctx.stdout.write(formatSysctlSet(assign.name, before.value, after.value, valueOnly));
            } catch (e) {
              unknown(e, assign.name);
            }
            continue;
          }
          try {
            // A prefix (net.inet.ip) lists its subtree; a leaf prints itself.
            const nodes = (await net.sysctlList(arg)).map(sysctlView);
            await ctx.stdout.write(nodes.map((n) => formatSysctl(n, valueOnly)).join(""));
          } catch (e) {
            try {
              unknown(e, arg);
            } catch (err) {
              if (!(err instanceof NetUtilError)) throw err;
              await ctx.stderr.write(`sysctl: ${err.message}\n`);
              status = 1;
            }
          }
        }
        return status;
      });
    });
  },
};
export default program;
