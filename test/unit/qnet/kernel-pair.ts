// Two kernels in one process joined by Qnet's kernel link over an in-memory pipe: each message
// is delivered whole on a later microtask, as a session would after reassembly. Node
// descriptors differ on purpose (alpha is nd 1 at bravo, bravo is nd 2 at alpha) so a test
// notices when one is used where the other belongs.
import { Kernel, ManualClock } from "../../../firmware/kernel/index.ts";
import { KernelError } from "../../../firmware/kernel/errno.ts";
import { QnetKernelLink, type KernelLinkOptions } from "../../../firmware/net/qnet/kernel-link.ts";

export interface KernelPair {
  a: Kernel;
  b: Kernel;
  clock: ManualClock;
  linkA: QnetKernelLink;
  linkB: QnetKernelLink;
  /** bravo's nd at alpha, alpha's nd at bravo. */
  ndOfB: number;
  ndOfA: number;
  /** Cuts the pipe (messages are lost from now on), or joins it again with `cut(false)`. */
  cut(down?: boolean): void;
  /** Every payload that crossed, as [from, bytes]. */
  traffic: [string, Uint8Array][];
}

function fail(name: string): never {
  throw new KernelError("ENOENT", `no node "${name}" in /net`);
}

export function kernelPair(opts: KernelLinkOptions = {}): KernelPair {
  const clock = new ManualClock();
  const a = new Kernel({ clock, nodeName: "alpha" });
  const b = new Kernel({ clock, nodeName: "bravo" });
  let up = true;
  const traffic: [string, Uint8Array][] = [];
  const ndOfB = 2;
  const ndOfA = 1;
  const names = (self: number, name: string) => (nd: number) => {
    if (nd !== self) throw new KernelError("EHOSTUNREACH", `nd ${nd} is not in /net`);
    return name;
  };
  const linkA: QnetKernelLink = new QnetKernelLink(
    a,
    {
      send: (nd, payload) => {
        if ((nd & 0xffff) !== ndOfB) throw new KernelError("EHOSTUNREACH", `nd ${nd} is not in /net`);
        traffic.push(["alpha", payload]);
        if (up) queueMicrotask(() => linkB.input(ndOfA, payload));
      },
      nodeName: names(ndOfB, "bravo"),
      nodeNd: (name) => ({ alpha: 0, bravo: ndOfB })[name] ?? fail(name),
    },
    opts,
  );
  const linkB: QnetKernelLink = new QnetKernelLink(
    b,
    {
      send: (nd, payload) => {
        if ((nd & 0xffff) !== ndOfA) throw new KernelError("EHOSTUNREACH", `nd ${nd} is not in /net`);
        traffic.push(["bravo", payload]);
        if (up) queueMicrotask(() => linkA.input(ndOfB, payload));
      },
      nodeName: names(ndOfA, "alpha"),
      nodeNd: (name) => ({ bravo: 0, alpha: ndOfA })[name] ?? fail(name),
    },
    opts,
  );
  a.netTransport = linkA;
  b.netTransport = linkB;
  return { a, b, clock, linkA, linkB, ndOfA, ndOfB, cut: (down = true) => (up = !down), traffic };
}
