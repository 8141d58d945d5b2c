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
    packages: ["linux-image-arm64", "raspi-firmware", "nodejs", "busybox-static"],
    kernelFlavour: "arm64",
    kernelModules: ["smsc95xx", "lan78xx"],
  },
  dtbs: ["broadcom/bcm2837-rpi-3-b.dtb", "broadcom/bcm2837-rpi-3-b-plus.dtb"],
  bootFiles: ["bootcode.bin", "start.elf", "fixup.dat", "config.txt", "cmdline.txt"],
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
  qemuMachine: "raspi3b",
};
