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
  /** Packages fetched into the image (kernel, firmware, node, busybox …). */
  readonly packages: readonly string[];
  /** Kernel flavour: `arm64` or `armmp`. */
  readonly kernelFlavour: string;
  /** Kernel modules loaded before node starts. */
  readonly kernelModules: readonly string[];
}

export interface Board {
  readonly name: string;
  readonly description: string;
  readonly arch: BoardArch;
  readonly debian?: BoardDebian;
  /** Device tree blobs, relative to the kernel package's dtb directory. */
  readonly dtbs: readonly string[];
  /** Boot loader files and templates the SD-image step writes (to be completed there). */
  readonly bootFiles: readonly string[];
  readonly console: BoardConsole;
  readonly ethernet: BoardEthernet;
  readonly gpio: {
    readonly backend: "mock" | "onoff";
    readonly pins: readonly GpioPin[];
    readonly heartbeat?: BoardHeartbeat;
  };
  /** QEMU machine that boots this board's kernel, if any. */
  readonly qemuMachine?: string;
}
