// Raspberry Pi 3 Model B/B+ (BCM2837, arm64). Console on the mini UART (ttyS1 with
// enable_uart=1; the PL011 serves Bluetooth). Ethernet is USB (smsc95xx on the 3B, lan78xx on
// the 3B+). Data known so far; the SD-image issue completes boot files and templates.
import type { Board } from "./board.ts";
import { raspberryPiHeader } from "./raspberry-pi-gpio.ts";

export const RPI3: Board = {
  name: "rpi3",
  description: "Raspberry Pi 3 Model B / B+ (BCM2837, arm64)",
  arch: "arm64",
  debian: {
    release: "trixie",
    arch: "arm64",
    components: ["main", "non-free-firmware"],
    packages: ["linux-image-arm64", "raspi-firmware", "nodejs", "busybox-static", "libpcap0.8t64"],
    kernelFlavour: "arm64",
    // USB host (dwc2 + its PHY), then the 3B's LAN9514 and the 3B+'s LAN7515 with their PHYs.
    kernelModules: ["phy-generic", "dwc2", "smsc", "smsc95xx", "microchip", "lan78xx"],
    initramfsCompression: "xz",
  },
  dtbs: ["broadcom/bcm2837-rpi-3-b.dtb", "broadcom/bcm2837-rpi-3-b-plus.dtb"],
  boot: {
    loader: "raspberry-pi",
    // The cut-down VideoCore firmware (no codecs, camera or 3D, which netrino never uses):
    // a third of the size, and gpu_mem=16 leaves the rest of the RAM to Linux.
    firmware: ["bootcode.bin", "start_cd.elf", "fixup_cd.dat"],
    config: [
      "arm_64bit=1",
      "enable_uart=1",
      "upstream_kernel=1",
      "core_freq=250",
      "gpu_mem=16",
      "start_file=start_cd.elf",
      "fixup_file=fixup_cd.dat",
    ],
  },
  console: { kind: "uart", device: "/dev/ttyS1", baud: 115200, kernelConsole: "ttyS1,115200" },
  ethernet: {
    driver: "devnp-pcap",
    options: "if=eth0,quiet",
    hostInterface: "eth0",
    kernelDriver: "smsc95xx/lan78xx",
  },
  // The ACT LED sits on the firmware's GPIO expander, owned by the kernel's leds-gpio driver.
  gpio: {
    backend: "onoff",
    pins: raspberryPiHeader("pinctrl-bcm2835"),
    heartbeat: { leds: ["ACT", "led0"] },
  },
};
