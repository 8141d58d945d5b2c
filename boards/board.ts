// What netrino needs to know about a board: how to build its image (architecture, Debian
// packages, kernel, device trees), where its console and Ethernet are, and its GPIO map.
// Pure data: nothing here touches hardware (hal/ does, using these facts).

export type BoardArch = "host" | "arm64" | "armhf";

/** A header pin mapped to a GPIO controller line; hal/gpio turns (chip, line) into sysfs numbers. */
export interface GpioPin {
  /** Physical header pin (`11`, `P9_12`). */
  readonly pin: string;
  /** The name users know (`GPIO17`, `GPIO1_28`, `USR0`). */
  readonly name: string;
  /** The pin's number in /dev/gpio (BCM number on a Pi, 32 × bank + line on a BeagleBone). */
  readonly number: number;
  /**
   * The gpiochip: its label in /sys/class/gpio/gpiochip*\/label, or the name of its controller
   * device (`44e07000.gpio`) where labels follow probe order.
   */
  readonly chip: string;
  readonly line: number;
}

/**
 * The heartbeat LED: the first of `leds` present in /sys/class/leds (the kernel's LED driver
 * owns the line, so sysfs GPIO could not export it), else the GPIO pin `pin`.
 */
export interface BoardHeartbeat {
  readonly leds: readonly string[];
  readonly pin?: string;
}

export interface BoardConsole {
  /** `terminal`: the host process's stdin/stdout; `uart`: a serial device through serialport. */
  readonly kind: "terminal" | "uart";
  /** Host device for a UART console (`/dev/ttyS1`). */
  readonly device?: string;
  readonly baud: number;
  /** Kernel command-line console (`ttyS1,115200`) for images that boot Linux. */
  readonly kernelConsole?: string;
}

export interface BoardEthernet {
  /** io-pkt driver module for the board's Ethernet. */
  readonly driver: "devnp-vwire" | "devnp-pcap";
  /** Default driver options (`if=eth0`, `udp=127.0.0.1:…`). */
  readonly options: string;
  /** Kernel interface name (no udev runs before netrino, so kernel names stay). */
  readonly hostInterface?: string;
  /** The kernel driver behind it, for documentation and module loading. */
  readonly kernelDriver?: string;
}

export interface BoardDebian {
  readonly release: "trixie";
  readonly arch: "arm64" | "armhf";
  /** Archive components the packages come from (raspi-firmware is in non-free-firmware). */
  readonly components: readonly string[];
  /**
   * Packages unpacked for the image: the kernel (`linux-image-<flavour>`), boot firmware,
   * node, busybox-static, libpcap …; their library dependencies follow.
   */
  readonly packages: readonly string[];
  /** Kernel flavour: `arm64` or `armmp` (the kernel package is `linux-image-<flavour>`). */
  readonly kernelFlavour: string;
  /** Kernel modules loaded by /init before node starts (their dependencies first). */
  readonly kernelModules: readonly string[];
  /**
   * How the initramfs's shared archive is compressed: `xz` (smallest, for cards people
   * download) or `zstd` (a third larger, unpacks several times faster: for emulation, where
   * the CPU is slow and the size does not matter).
   */
  readonly initramfsCompression: "xz" | "zstd";
}

/** How the board's boot chain finds the kernel on the card. */
export type BoardBoot =
  /** VideoCore firmware from raspi-firmware reads config.txt and cmdline.txt from the FAT. */
  | {
      readonly loader: "raspberry-pi";
      readonly firmware: readonly string[];
      readonly config: readonly string[];
    }
  /** U-Boot from u-boot-omap (`target` directory): MLO + u-boot.img, then extlinux.conf. */
  | { readonly loader: "u-boot"; readonly target: string }
  /** QEMU loads kernel and initramfs itself (`netrino qemu` takes them from the card's FAT). */
  | {
      readonly loader: "qemu";
      /**
       * Kernel arguments added for emulation: `mitigations=off`, `nokaslr` (nothing to protect
       * from side channels in a CI guest; KASLR forces KPTI on, whose page-table switch on
       * every kernel entry is slow under TCG: about 1 s of a 12 s boot).
       */
      readonly kernelArgs: readonly string[];
    };

export interface BoardQemu {
  /** `qemu-system-aarch64` or `qemu-system-arm`. */
  readonly binary: string;
  /** `-M` value. */
  readonly machine: string;
  readonly cpu: string;
  /** NIC model on the virtual wire. */
  readonly nic: string;
}

export interface Board {
  readonly name: string;
  readonly description: string;
  readonly arch: BoardArch;
  readonly debian?: BoardDebian;
  /** Device tree blobs, relative to the kernel package's dtb directory. */
  readonly dtbs: readonly string[];
  /** What the card's boot partition holds besides kernel, initramfs and dtbs. */
  readonly boot?: BoardBoot;
  readonly console: BoardConsole;
  readonly ethernet: BoardEthernet;
  readonly gpio: {
    readonly backend: "mock" | "onoff";
    readonly pins: readonly GpioPin[];
    readonly heartbeat?: BoardHeartbeat;
  };
  /** How `netrino qemu` runs this board's image, if it can. */
  readonly qemu?: BoardQemu;
}
