// Registry of the boards a buildfile may name with `[board=…]`.
import { BBB } from "./bbb.ts";
import type { Board } from "./board.ts";
import { HOST } from "./host.ts";
import { QEMU_ARM64 } from "./qemu-arm64.ts";
import { QEMU_ARMHF } from "./qemu-armhf.ts";
import { RPI3 } from "./rpi3.ts";
import { RPI4 } from "./rpi4.ts";

export type { Board } from "./board.ts";

export const BOARDS: readonly Board[] = [HOST, RPI3, RPI4, BBB, QEMU_ARM64, QEMU_ARMHF];
export const DEFAULT_BOARD = "host";

export function findBoard(name: string): Board | undefined {
  return BOARDS.find((b) => b.name === name);
}

export function boardNames(): string[] {
  return BOARDS.map((b) => b.name);
}
