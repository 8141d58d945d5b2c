// Board `qemu-armhf`: QEMU's `virt` machine with Debian's armmp kernel. The armmp kernel has no
// LPAE, so the PCIe window must stay low (`highmem=off`) for virtio-net-pci to appear.
import type { Board } from "./board.ts";

export const QEMU_ARMHF: Board = {
  name: "qemu-armhf",
  description: "QEMU virt machine, Cortex-A15 (armhf)",
  arch: "armhf",
  debian: {
    release: "trixie",
    arch: "armhf",
    components: ["main"],
    packages: ["linux-image-armmp", "nodejs", "busybox-static", "libpcap0.8t64"],
    kernelFlavour: "armmp",
    kernelModules: ["virtio_blk", "virtio_net"],
    initramfsCompression: "zstd",
  },
  dtbs: [],
  boot: { loader: "qemu", kernelArgs: ["mitigations=off"] },
  console: { kind: "terminal", baud: 115200, kernelConsole: "ttyAMA0,115200" },
  ethernet: { driver: "devnp-pcap", options: "if=eth0", hostInterface: "eth0", kernelDriver: "virtio_net" },
  gpio: { backend: "mock", pins: [] },
  qemu: { binary: "qemu-system-arm", machine: "virt,highmem=off", cpu: "cortex-a15", nic: "virtio-net-pci" },
};
