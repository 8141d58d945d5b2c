// arp: show and change the ARP cache of the io-pkt instance $SOCK selects (BSD style).
import { KernelError } from "../kernel/errno.ts";
import { formatIpv4 } from "../net/wire/ipv4-addr.ts";
import { formatMac, parseMac } from "../net/wire/mac.ts";
import type { Program } from "../program.ts";
import { getopt, optionMap, UsageError } from "./lib/getopt.ts";
import { requireIpv4 } from "./lib/net-addr-args.ts";
import { arpView, withNet } from "./lib/net-api.ts";
import { formatArpEntry, formatArpTable } from "./lib/net-arp-format.ts";
import { NetUtilError, runNetUtility } from "./lib/net-errors.ts";

const USAGE = `arp - address resolution display and control

usage: arp [-n] hostname
       arp [-n] -a
       arp -d hostname
       arp -d -a
       arp -s hostname ether_addr [temp] [pub]
-a lists every entry, -d deletes one (or all with -a), -s adds a static (permanent unless
"temp") entry, "pub" answers for it (proxy ARP). -n: numeric (names are never looked up).
SOCK=/prefix selects another io-pkt instance.
`;

const program: Program = {
  name: "arp",
  usage: USAGE,
  main(ctx) {
    return runNetUtility(ctx.stderr, "arp", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "nadsf:");
      const o = optionMap(parsed);
      const args = parsed.operands;
      return withNet(ctx, async (net) => {
        if (o.has("d")) {
          const targets = o.has("a") ? (await net.arpList()).map((e) => e.ip >>> 0) : [];
          if (!o.has("a")) {
            if (args.length !== 1) throw new UsageError("");
            targets.push(requireIpv4(args[0], "host"));
          }
          for (const ip of targets) {
            try {
              await net.arpDelete(ip);
            } catch (e) {
              if (e instanceof KernelError && (e.errno === "ESRCH" || e.errno === "ENOENT")) {
                throw new NetUtilError(e.errno, `${formatIpv4(ip)}: not in table`);
              }
              throw e;
            }
            await ctx.stdout.write(`${formatIpv4(ip)} (${formatIpv4(ip)}) deleted\n`);
          }
          return 0;
        }
        if (o.has("s")) {
          if (args.length < 2) throw new UsageError("");
          const ip = requireIpv4(args[0], "host");
          const mac = parseMac(args[1]);
          if (mac === null) throw new NetUtilError("EINVAL", `invalid Ethernet address '${args[1]}'`);
          const words = new Set(args.slice(2));
          for (const w of words)
            if (w !== "temp" && w !== "pub") throw new UsageError(`${w}: unknown modifier`);
          await net.arpSet(ip, formatMac(mac), { temp: words.has("temp"), pub: words.has("pub") });
          return 0;
        }
        const entries = (await net.arpList()).map(arpView);
        if (o.has("a")) {
          await ctx.stdout.write(formatArpTable(entries));
          return 0;
        }
        if (args.length !== 1) throw new UsageError("");
        const ip = requireIpv4(args[0], "host");
        const e = entries.find((x) => x.ip === ip);
        if (e === undefined) {
          await ctx.stdout.write(`${args[0]} (${formatIpv4(ip)}) -- no entry\n`);
          return 1;
        }
        await ctx.stdout.write(formatArpEntry(e));
        return 0;
      });
    });
  },
};
export default program;
