// Board `qemu-arm64`: QEMU's `virt` machine with Debian's arm64 kernel, for CI and for trying
// an image without hardware. Console on the PL011 (ttyAMA0, the terminal `netrino qemu` runs
// in); Ethernet is virtio-net on the UDP virtual wire the host nodes use.
import type { Board } from "./board.ts";

export const QEMU_ARM64: Board = {
  name: "qemu-arm64",
  description: "QEMU virt machine, Cortex-A57 (arm64)",
  arch: "arm64",
  debian: {
    release: "trixie",
    arch: "arm64",
    components: ["main"],
    packages: ["linux-image-arm64", "nodejs", "busybox-static", "libpcap0.8t64"],
    kernelFlavour: "arm64",
    kernelModules: ["virtio_blk", "virtio_net"],
    initramfsCompression: "zstd",
  },
  dtbs: [],
  boot: { loader: "qemu", kernelArgs: ["mitigations=off", "nokaslr"] },
  console: { kind: "terminal", baud: 115200, kernelConsole: "ttyAMA0,115200" },
  ethernet: { driver: "devnp-pcap", options: "if=eth0", hostInterface: "eth0", kernelDriver: "virtio_net" },
  gpio: { backend: "mock", pins: [] },
  qemu: { binary: "qemu-system-aarch64", machine: "virt", cpu: "cortex-a57", nic: "virtio-net-pci" },
};
