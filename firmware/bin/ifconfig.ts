// ifconfig: show and configure network interfaces of the io-pkt instance $SOCK selects.
import { strerror } from "../kernel/errno.ts";
import type { Program } from "../program.ts";
import { rephrase, runNetUtility } from "./lib/net-errors.ts";
import { ifView, withNet } from "./lib/net-api.ts";
import { parseIfconfigArgs } from "./lib/net-ifconfig-args.ts";
import type { IfChange } from "./lib/net-ifconfig-args.ts";
import { formatIfconfig, formatIfList } from "./lib/net-ifconfig-format.ts";
import type { IfInfo, NetControl } from "../net/control/client.ts";

const USAGE = `ifconfig - configure network interface parameters

usage: ifconfig [-a]
       ifconfig -l [-u | -d]
       ifconfig interface [inet] [addr[/len]] [netmask mask] [broadcast addr]
                [alias | -alias | delete] [up | down] [mtu n] [promisc | -promisc] [destroy]
Without arguments (or -a) shows every interface; with one, that interface. An address
replaces the interface's primary address (and brings it up); with "alias" it is added;
"delete" (or -alias) removes it. The netmask may be dotted (255.255.255.0), hex
(0xffffff00) or a prefix length (24, or addr/24). "destroy" removes the interface and
unloads its driver once it has none left. SOCK=/prefix selects another io-pkt instance.
`;

async function lookup(net: NetControl, ifname: string): Promise<IfInfo> {
  try {
    return await net.interface(ifname);
  } catch (e) {
    return rephrase(e, "ENXIO", `interface ${ifname} does not exist`);
  }
}

async function apply(net: NetControl, ifname: string, c: IfChange): Promise<void> {
  // Fails with ENXIO before changing anything.
  const ifi = await lookup(net, ifname);
  if (c.destroy) {
    await net.destroy(ifname);
    return;
  }
  if (c.mtu !== null) {
    try {
      await net.setMtu(ifname, c.mtu);
    } catch (e) {
      rephrase(e, "EINVAL", `SIOCSIFMTU: ${strerror("EINVAL")} (${ifname} takes 68..${ifi.maxMtu})`);
    }
  }
  if (c.promisc !== null) await net.setPromisc(ifname, c.promisc);
  if (c.addrOp === "delete") {
    const addr = c.addr ?? (await net.interface(ifname)).addrs[0]?.addr;
    if (addr === undefined) return;
    try {
      await net.deleteAddress(ifname, addr);
    } catch (e) {
      rephrase(e, "EADDRNOTAVAIL", `SIOCDIFADDR: ${strerror("EADDRNOTAVAIL")}`);
    }
  } else if (c.addrOp !== null && c.addr !== null) {
    const spec = { addr: c.addr, prefixLen: c.prefixLen ?? 32, broadcast: c.broadcast ?? undefined };
    if (c.addrOp === "alias") await net.addAlias(ifname, spec);
    else await net.setAddress(ifname, spec);
  }
  if (c.up !== null) await net.setUp(ifname, c.up);
}

const program: Program = {
  name: "ifconfig",
  usage: USAGE,
  main(ctx) {
    return runNetUtility(ctx.stderr, "ifconfig", USAGE, () =>
      withNet(ctx, async (net) => {
        const cmd = parseIfconfigArgs(ctx.argv.slice(1));
        switch (cmd.kind) {
          case "list": {
            const ifs = (await net.interfaces()).map(ifView);
            await ctx.stdout.write(ifs.map(formatIfconfig).join(""));
            return 0;
          }
          case "names":
            await ctx.stdout.write(formatIfList((await net.interfaces()).map(ifView), cmd.only));
            return 0;
          case "show":
            await ctx.stdout.write(formatIfconfig(ifView(await lookup(net, cmd.ifname))));
            return 0;
          case "change":
            await apply(net, cmd.ifname, cmd.change);
            return 0;
        }
      }),
    );
  },
};
export default program;
