// Raspberry Pi 4 Model B (BCM2711, arm64). Console on the mini UART (ttyS1 with
// enable_uart=1), on-chip Gigabit Ethernet (bcmgenet), ACT LED on GPIO 42.
import type { Board } from "./board.ts";
import { raspberryPiHeader } from "./raspberry-pi-gpio.ts";

export const RPI4: Board = {
  name: "rpi4",
  description: "Raspberry Pi 4 Model B (BCM2711, arm64)",
  arch: "arm64",
  debian: {
    release: "trixie",
    arch: "arm64",
    components: ["main", "non-free-firmware"],
    packages: ["linux-image-arm64", "raspi-firmware", "nodejs", "busybox-static", "libpcap0.8t64"],
    kernelFlavour: "arm64",
    // GENET's MDIO bus is a softdep and the PHY driver matches by alias: both named here.
    kernelModules: ["mdio-bcm-unimac", "broadcom", "genet"],
    initramfsCompression: "xz",
  },
  dtbs: ["broadcom/bcm2711-rpi-4-b.dtb"],
  boot: {
    loader: "raspberry-pi",
    // The cut-down VideoCore firmware (no codecs, camera or 3D, which netrino never uses):
    // a third of the size, and gpu_mem=16 leaves the rest of the RAM to Linux.
    firmware: ["start4cd.elf", "fixup4cd.dat"],
    // core_freq keeps the mini UART's clock (and so its baud rate) fixed.
    config: [
      "arm_64bit=1",
      "enable_uart=1",
      "upstream_kernel=1",
      "core_freq=360",
      "gpu_mem=16",
      "start_file=start4cd.elf",
      "fixup_file=fixup4cd.dat",
    ],
  },
  console: { kind: "uart", device: "/dev/ttyS1", baud: 115200, kernelConsole: "ttyS1,115200" },
  ethernet: {
    driver: "devnp-pcap",
    options: "if=eth0,quiet",
    hostInterface: "eth0",
    kernelDriver: "bcmgenet",
  },
  // The ACT LED (GPIO 42) belongs to the kernel's leds-gpio driver: driven through /sys/class/leds.
  gpio: {
    backend: "onoff",
    pins: raspberryPiHeader("pinctrl-bcm2711"),
    heartbeat: { leds: ["ACT", "led0"] },
  },
};
