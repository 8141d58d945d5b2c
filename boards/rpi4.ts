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
    packages: ["linux-image-arm64", "raspi-firmware", "nodejs", "busybox-static"],
    kernelFlavour: "arm64",
    kernelModules: ["genet"],
  },
  dtbs: ["broadcom/bcm2711-rpi-4-b.dtb"],
  bootFiles: ["start4.elf", "fixup4.dat", "config.txt", "cmdline.txt"],
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
