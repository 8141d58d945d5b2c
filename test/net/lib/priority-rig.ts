// The receive-priority set-up the priority test and bench share: two namespaces, each behind
// a veth pair whose other end io-pkt (two threads) drives through devnp-pcap — en0 at a high
// receive priority, en1 at a low one. Linux holds <net>.1/24 on its ends, we hold <net>.2.
import { Runtime } from "../../unit/netutil/runtime.ts";
import type { NetnsLab, VethPair } from "./netns.ts";

export interface PriorityRig {
  rt: Runtime;
  nsHi: string;
  nsLo: string;
  hi: VethPair;
  lo: VethPair;
}

/** `hiNet`/`loNet`: the first three octets ("10.75.0"); `priority`: en0's and en1's. */
export async function bootPriorityRig(
  lab: NetnsLab,
  hiNet: string,
  loNet: string,
  priority: { hi: number; lo: number },
): Promise<PriorityRig> {
  const nsHi = lab.namespace();
  const nsLo = lab.namespace();
  const hi = lab.veth(nsHi, `${hiNet}.1/24`);
  const lo = lab.veth(nsLo, `${loNet}.1/24`);
  const rt = await Runtime.boot();
  try {
    await rt.startIoPkt([
      "-t",
      "2",
      "-d",
      "pcap",
      `if=${hi.ours},priority=${priority.hi}`,
      "-d",
      "pcap",
      `if=${lo.ours},priority=${priority.lo}`,
    ]);
    await rt.ok(["ifconfig", "en0", `${hiNet}.2/24`]);
    await rt.ok(["ifconfig", "en1", `${loNet}.2/24`]);
  } catch (e) {
    // The caller never sees this runtime, so it cannot shut it down.
    await rt.shutdown();
    throw e;
  }
  return { rt, nsHi, nsLo, hi, lo };
}
