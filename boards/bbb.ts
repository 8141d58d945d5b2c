// BeagleBone Black (TI AM335x, armhf). Debian's armmp kernel is built with omap-serial, not
// 8250-omap, so the kernel names the console UART ttyO0 (SERIAL_OMAP_CONSOLE=y). Ethernet is the CPSW
// (cpsw / am65-cpsw-nuss family, kernel name eth0). GPIO banks 0–3 are 32-line chips labelled
// by their register address.
import type { Board, GpioPin } from "./board.ts";

// Banks by controller device (labels follow probe order since 5.15, so they cannot name a bank).
const BANK_DEVICES = ["44e07000.gpio", "4804c000.gpio", "481ac000.gpio", "481ae000.gpio"];

function bbbPin(pin: string, bank: number, line: number, name?: string): GpioPin {
  return {
    pin,
    name: name ?? `GPIO${bank}_${line}`,
    number: 32 * bank + line,
    chip: BANK_DEVICES[bank],
    line,
  };
}

export const BBB: Board = {
  name: "bbb",
  description: "BeagleBone Black (TI AM335x, armhf)",
  arch: "armhf",
  debian: {
    release: "trixie",
    arch: "armhf",
    components: ["main"],
    packages: ["linux-image-armmp", "u-boot-omap", "nodejs", "busybox-static", "libpcap0.8t64"],
    kernelFlavour: "armmp",
    // The 6.12 DT enables the switch-mode CPSW (ti_cpsw_new); LAN8710A PHY and gmii-sel PHY mux.
    kernelModules: ["smsc", "phy-gmii-sel", "davinci_mdio", "ti_cpsw_new"],
    initramfsCompression: "xz",
  },
  dtbs: ["am335x-boneblack.dtb"],
  boot: { loader: "u-boot", target: "am335x_evm" },
  console: { kind: "uart", device: "/dev/ttyO0", baud: 115200, kernelConsole: "ttyO0,115200n8" },
  ethernet: { driver: "devnp-pcap", options: "if=eth0,quiet", hostInterface: "eth0", kernelDriver: "cpsw" },
  gpio: {
    backend: "onoff",
    pins: [
      bbbPin("P8_03", 1, 6),
      bbbPin("P8_07", 2, 2),
      bbbPin("P8_08", 2, 3),
      bbbPin("P8_09", 2, 5),
      bbbPin("P8_10", 2, 4),
      bbbPin("P8_11", 1, 13),
      bbbPin("P8_12", 1, 12),
      bbbPin("P9_12", 1, 28),
      bbbPin("P9_14", 1, 18),
      bbbPin("P9_15", 1, 16),
      bbbPin("P9_23", 1, 17),
      bbbPin("P9_27", 3, 19),
      bbbPin("USR0", 1, 21, "USR0"),
      bbbPin("USR1", 1, 22, "USR1"),
      bbbPin("USR2", 1, 23, "USR2"),
      bbbPin("USR3", 1, 24, "USR3"),
    ],
    // usr0 is a leds-gpio LED on Debian's kernel; its GPIO (1_21) is the fallback.
    heartbeat: { leds: ["beaglebone:green:usr0"], pin: "USR0" },
  },
};
