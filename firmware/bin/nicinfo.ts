// nicinfo: driver-level information and counters of network interfaces, QNX layout.
import type { Nicinfo } from "../net/control/client.ts";
import type { Program } from "../program.ts";
import { getopt, optionMap } from "./lib/getopt.ts";
import { ifView, withNet } from "./lib/net-api.ts";
import { rephrase, runNetUtility } from "./lib/net-errors.ts";
import { dotLine, dotLines, formatNicinfo } from "./lib/net-nicinfo-format.ts";

const USAGE = `nicinfo - display network interface information

usage: nicinfo [-r] [interface ...]
Without an interface, every interface except lo0. -r adds the host port's raw counters.
SOCK=/prefix selects another io-pkt instance.
`;

/** The speed/duplex a driver reports among its details, if any ("1000 Mbps", "full"). */
function linkFacts(n: Nicinfo): { speedMbps?: number; fullDuplex?: boolean } {
  const out: { speedMbps?: number; fullDuplex?: boolean } = {};
  for (const { label, text } of n.details) {
    const k = label.toLowerCase();
    const num = /(\d+(?:\.\d+)?)/.exec(text);
    if (k.includes("speed") && num) out.speedMbps = Number(num[1]);
    if (k.includes("duplex")) out.fullDuplex = !/half/i.test(text);
  }
  return out;
}

export function formatNicinfoReply(n: Nicinfo, raw: boolean): string {
  const v = { ...ifView(n.info), ...linkFacts(n), rxDrops: n.port ? n.rxDrops : undefined };
  let out = formatNicinfo(v);
  const extra = n.details.filter(({ label }) => !/speed|duplex/i.test(label));
  if (n.port || extra.length) {
    out += "\n";
    if (n.port) out += dotLine("Host Port", n.port);
    for (const { label, text } of extra) out += dotLine(label, text);
  }
  if (raw) {
    out += "\n";
    out += dotLines([
      ["Port Packets Received", n.portRxPackets],
      ["Port Bytes Received", n.portRxBytes],
      ["Port Receive Drops", n.portRxDropped],
      ["Port Packets Transmitted", n.portTxPackets],
      ["Port Bytes Transmitted", n.portTxBytes],
      ["Port Transmit Errors", n.portTxErrors],
    ]);
  }
  return out;
}

const program: Program = {
  name: "nicinfo",
  usage: USAGE,
  main(ctx) {
    return runNetUtility(ctx.stderr, "nicinfo", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "rv");
      const raw = optionMap(parsed).has("r");
      return withNet(ctx, async (net) => {
        let names = parsed.operands;
        if (names.length === 0) {
          names = (await net.interfaces()).filter((i) => i.type !== "loopback").map((i) => i.name);
        }
        const parts: string[] = [];
        for (const name of names) {
          try {
            parts.push(formatNicinfoReply(await net.nicinfo(name), raw));
          } catch (e) {
            rephrase(e, "ENXIO", `${name}: no such interface`);
          }
        }
        await ctx.stdout.write(parts.join("\n"));
        return 0;
      });
    });
  },
};
export default program;
