// The 40-pin header of the Raspberry Pi 3 and 4: physical pin → BCM GPIO line. The lines
// belong to the SoC's pin controller, whose gpiochip label differs per SoC.
import type { GpioPin } from "./board.ts";

const HEADER: ReadonlyArray<readonly [pin: number, bcm: number]> = [
  [3, 2],
  [5, 3],
  [7, 4],
  [8, 14],
  [10, 15],
  [11, 17],
  [12, 18],
  [13, 27],
  [15, 22],
  [16, 23],
  [18, 24],
  [19, 10],
  [21, 9],
  [22, 25],
  [23, 11],
  [24, 8],
  [26, 7],
  [27, 0],
  [28, 1],
  [29, 5],
  [31, 6],
  [32, 12],
  [33, 13],
  [35, 19],
  [36, 16],
  [37, 26],
  [38, 20],
  [40, 21],
];

export function raspberryPiHeader(chipLabel: string): GpioPin[] {
  return HEADER.map(([pin, bcm]) => ({
    pin: String(pin),
    name: `GPIO${bcm}`,
    number: bcm,
    chip: chipLabel,
    line: bcm,
  }));
}
