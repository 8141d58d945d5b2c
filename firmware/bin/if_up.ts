// if_up: wait until network interfaces are up and configured (startup scripts run it after
// ifconfig, before starting services that need the network).
import { KernelError } from "../kernel/errno.ts";
import type { IfInfo } from "../net/control/client.ts";
import { IFF_RUNNING, IFF_UP } from "../net/stack/ifnet.ts";
import type { Program } from "../program.ts";
import { getopt, parseCount, UsageError } from "./lib/getopt.ts";
import { withNet } from "./lib/net-api.ts";
import { runNetUtility } from "./lib/net-errors.ts";

const USAGE = `if_up - wait for network interfaces to be up and configured

usage: if_up [-l] [-a] [-q] [-r retries] [-s sleep] interface ...
Checks each interface: UP and RUNNING with at least one IPv4 address (-a: the address alone,
whatever the flags; -l: also the link active). Retries every sleep seconds (default 1), at
most retries times (default 5). Exit status 0 when every interface passed, 1 otherwise.
SOCK=/prefix selects another io-pkt instance.
`;

export interface IfUpCheck {
  needFlags: boolean;
  needLink: boolean;
}

/** Why `i` is not ready yet, or null when it is. */
export function notReady(i: IfInfo | undefined, c: IfUpCheck): string | null {
  if (i === undefined) return "no such interface";
  if (c.needFlags && (i.flags & (IFF_UP | IFF_RUNNING)) !== (IFF_UP | IFF_RUNNING)) return "not up";
  if (c.needLink && !i.linkUp) return "no carrier";
  if (i.addrs.length === 0) return "no address";
  return null;
}

const program: Program = {
  name: "if_up",
  usage: USAGE,
  main(ctx) {
    return runNetUtility(ctx.stderr, "if_up", USAGE, async () => {
      const p = getopt(ctx.argv.slice(1), "laqpr:s:");
      let retries = 5;
      let sleepMs = 1000;
      const check: IfUpCheck = { needFlags: true, needLink: false };
      let quiet = false;
      for (const { opt, value } of p.opts) {
        if (opt === "l") check.needLink = true;
        else if (opt === "a") check.needFlags = false;
        else if (opt === "q") quiet = true;
        else if (opt === "r") retries = parseCount(value, "retries");
        else if (opt === "s") {
          if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value)) throw new UsageError(`illegal sleep -- ${value}`);
          sleepMs = Number(value) * 1000;
        }
      }
      if (p.operands.length === 0) throw new UsageError("");
      return withNet(ctx, async (net) => {
        let pending = p.operands.map((name) => ({ name, why: "" }));
        for (let attempt = 0; ; attempt++) {
          const ifs = await net.interfaces().catch((e: unknown) => {
            if (e instanceof KernelError) return [] as IfInfo[];
            throw e;
          });
          const byName = new Map(ifs.map((i) => [i.name, i]));
          pending = pending
            .map(({ name }) => ({ name, why: notReady(byName.get(name), check) ?? "" }))
            .filter((x) => x.why !== "");
          if (pending.length === 0) return 0;
          if (attempt >= retries || ctx.signal.aborted) break;
          await ctx.thread.sleep(sleepMs);
        }
        if (!quiet) for (const { name, why } of pending) await ctx.stderr.write(`if_up: ${name}: ${why}\n`);
        return 1;
      });
    });
  },
};
export default program;
