// Our receive path as io-pkt runs it, for benches: a Kernel with one io-pkt instance (the
// IoPkt core, driven directly so its counters can be sampled without a client round trip),
// devnp-pcap on a host interface, one IPv4 address and a static ARP entry for the sender.
import { availableParallelism } from "node:os";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import { makeContext } from "../../../firmware/exec.ts";
import { IoPkt } from "../../../firmware/net/manager/io-pkt-core.ts";
import { defaultTcpipOptions } from "../../../firmware/net/manager/tcpip-options.ts";

export interface IoPktOnPcap {
  io: IoPkt;
  stop(): Promise<void>;
}

export interface IoPktOnPcapSpec {
  ifname: string;
  addr: number;
  prefixLen: number;
  peerIp: number;
  peerMac: number;
  /** -t (default: the CPU count, as io-pkt's). */
  threads?: number;
}

export function startIoPktOnPcap(spec: IoPktOnPcapSpec): Promise<IoPktOnPcap> {
  const k = new Kernel({ nodeName: "bench" });
  return new Promise((resolve, reject) => {
    let release = (): void => {};
    const running = new Promise<void>((r) => (release = r));
    k.spawn({
      name: "io-pkt",
      argv: ["io-pkt", "-d", "pcap", `if=${spec.ifname}`],
      env: {},
      cwd: "/",
      uid: 0,
      gid: 0,
      priority: 21,
      main: async (t) => {
        let io: IoPkt | null = null;
        try {
          const ctx = await makeContext(k, t);
          io = new IoPkt(
            t,
            {
              ...defaultTcpipOptions(),
              instance: 0,
              threads: spec.threads ?? availableParallelism(),
              verbose: false,
            },
            ctx,
          );
          await io.loadModule("driver", "pcap", `if=${spec.ifname}`);
          const ifp = io.requireIf("en0");
          io.stack.addAddress(ifp, spec.addr, spec.prefixLen);
          io.stack.arp.addStatic(ifp, spec.peerIp, spec.peerMac);
        } catch (e) {
          await io?.shutdown();
          reject(e instanceof Error ? e : new Error(String(e)));
          return 1;
        }
        const ready = io;
        resolve({
          io: ready,
          stop: async () => {
            await ready.shutdown();
            release();
            await k.shutdown(100);
          },
        });
        await running;
        return 0;
      },
    });
  });
}
