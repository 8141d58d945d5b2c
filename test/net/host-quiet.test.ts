// devnp-pcap `quiet` against real Linux: a "board" namespace whose interface even holds an
// address answers ping and ARP from a peer before, and neither after quietHostInterface ran
// in it (root, iproute2, iputils ping and arping). All sysctls touched are per namespace.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../images/cli/paths.ts";
import { canUseNetns, hasCommand, requirement } from "../helpers/requirements.ts";
import { NetnsLab, nsExec } from "./lib/netns.ts";

const skip = requirement("host-quiet", {
  "root and network namespaces": canUseNetns(),
  "ping (iputils)": hasCommand("ping"),
  "arping (iputils)": hasCommand("arping"),
});

describe.skipIf(skip)("devnp-pcap quiet on a real interface", () => {
  let lab: NetnsLab;
  let board = "";
  let peer = "";
  let dev = "";
  let peerDev = "";

  beforeAll(() => {
    lab = new NetnsLab("i13q");
    board = lab.namespace();
    peer = lab.namespace();
    const v = lab.vethBetween(board, "10.77.13.1/24", peer, "10.77.13.2/24");
    dev = v.a;
    peerDev = v.b;
  });
  afterAll(() => lab?.cleanup());

  const answers = async (): Promise<{ ping: boolean; arp: boolean }> => {
    const ping = await nsExec(peer, "ping", ["-c", "1", "-W", "1", "10.77.13.1"]);
    await nsExec(peer, "ip", ["neigh", "flush", "dev", peerDev]);
    const arp = await nsExec(peer, "arping", ["-c", "1", "-w", "1", "-I", peerDev, "10.77.13.1"]);
    return { ping: ping.status === 0, arp: arp.status === 0 };
  };

  it("Linux stops answering ARP and ping on it; the link stays up", async () => {
    expect(await answers()).toEqual({ ping: true, arp: true });
    const script = `import { quietHostInterface } from ${JSON.stringify(`${REPO_ROOT}/hal/eth/host-quiet.ts`)}; quietHostInterface(${JSON.stringify(dev)});`;
    const r = await nsExec(board, `${REPO_ROOT}/node_modules/.bin/tsx`, ["-e", script]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(await answers()).toEqual({ ping: false, arp: false });
    const sysctl = async (name: string): Promise<string> =>
      (await nsExec(board, "sysctl", ["-n", name])).stdout.trim();
    expect(await sysctl(`net.ipv4.conf.${dev}.arp_ignore`)).toBe("8");
    expect(await sysctl(`net.ipv6.conf.${dev}.disable_ipv6`)).toBe("1");
    const link = await nsExec(board, "ip", ["-o", "link", "show", dev]);
    expect(link.stdout).toMatch(/[<,]UP[,>]/);
  });
});
