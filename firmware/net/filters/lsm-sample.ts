// lsm-sample: the template for filter modules. It hooks pfil in both directions on every
// interface, counts what it sees, optionally drops one IPv4 protocol (drop=icmp|udp|tcp) and
// optionally logs each packet (log). Its hook counters show in `netstat -s` under pfil. It
// also logs interfaces coming and going and addresses added and removed (pfil's watchers).
// Load it with `io-pkt -p sample drop=icmp` or `mount -T io-pkt -o drop=icmp lsm-sample.so`.
import { KernelError } from "../../kernel/errno.ts";
import type { OptionValue } from "../module-options.ts";
import { LSM_SAMPLE } from "../modules/catalog.ts";
import type { ModuleContext, ModuleDescriptor, ModuleInstance } from "../manager/module-descriptor.ts";
import type { Ifnet } from "../stack/ifnet.ts";
import type { Pbuf } from "../stack/pbuf.ts";
import { PFIL_DROP, PFIL_IN, PFIL_OUT, PFIL_PASS, type PfilWatcher } from "../stack/pfil.ts";
import { formatIpv4 } from "../wire/ipv4-addr.ts";

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_VLAN = 0x8100;
const PROTOCOLS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17 };

/** The IPv4 protocol number of a frame (pb.off at the Ethernet header), or -1. */
export function ipv4Protocol(pb: Pbuf): number {
  const b = pb.bytes;
  let off = pb.off + 12;
  let type = (b[off] << 8) | b[off + 1];
  if (type === ETHERTYPE_VLAN && pb.len >= 18 + 20) {
    off += 4;
    type = (b[off] << 8) | b[off + 1];
  }
  if (type !== ETHERTYPE_IPV4 || off + 2 + 20 > pb.off + pb.len) return -1;
  return b[off + 2 + 9];
}

const lsmSample: ModuleDescriptor = {
  kind: "filter",
  name: LSM_SAMPLE.name,
  options: LSM_SAMPLE.options,
  attach(ctx: ModuleContext, opts: Record<string, OptionValue>): ModuleInstance {
    const dropName = typeof opts.drop === "string" ? opts.drop : "none";
    const drop = dropName === "none" ? -1 : (PROTOCOLS[dropName] ?? -2);
    if (drop === -2) throw new KernelError("EINVAL", `lsm-sample: cannot drop "${dropName}"`);
    const log = opts.log === true;
    const fn = (pb: Pbuf, ifp: Ifnet, dir: number): number => {
      const proto = ipv4Protocol(pb);
      const verdict = drop >= 0 && proto === drop ? PFIL_DROP : PFIL_PASS;
      if (log) {
        const way = dir === PFIL_IN ? "in" : "out";
        ctx.log(
          6,
          `lsm-sample: ${ifp.name} ${way} ${pb.len} bytes proto ${proto} ${verdict === PFIL_DROP ? "dropped" : "passed"}`,
        );
      }
      return verdict;
    };
    const hook = ctx.stack.pfil.add({ name: "lsm-sample", dir: PFIL_IN | PFIL_OUT, fn });
    // Interface and address events: a real filter would re-resolve rules that name them.
    const watcher: PfilWatcher = {
      ifnet: (event, ifp) =>
        ctx.log(5, `lsm-sample: ${ifp.name} ${event === "attach" ? "attached" : "detached"}`),
      ifaddr: (event, ifp, ia) =>
        ctx.log(
          5,
          `lsm-sample: ${ifp.name} address ${formatIpv4(ia.addr)} ${event === "add" ? "added" : "deleted"}`,
        ),
    };
    ctx.stack.pfilWatchers.add(watcher);
    ctx.log(5, `lsm-sample: attached${drop >= 0 ? `, dropping ${dropName}` : ""}`);
    return {
      detach: () => {
        ctx.stack.pfil.remove(hook);
        ctx.stack.pfilWatchers.remove(watcher);
      },
    };
  },
};

export default lsmSample;
