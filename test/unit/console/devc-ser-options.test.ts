import { findBoard } from "../../../boards/index.ts";
import { describe, expect, it } from "vitest";
import { parseDevcSerArgs } from "../../../firmware/console/devc-ser-options.ts";
import { UsageError } from "../../../firmware/bin/lib/getopt.ts";

describe("devc-ser options", () => {
  it("QNX style: -b115200 -u1 /dev/ttyS0 registers /dev/ser1", () => {
    const [s] = parseDevcSerArgs(["-b115200", "-u1", "/dev/ttyS0"]);
    expect(s).toMatchObject({
      backend: "serial",
      device: "/dev/ttyS0",
      unit: 1,
      path: "/dev/ser1",
      edit: true,
    });
    expect(s.settings).toEqual({
      baudRate: 115200,
      dataBits: 8,
      parity: "none",
      stopBits: 1,
      rtscts: false,
      xon: false,
    });
  });

  it("numbers several devices from -u, options apply to the devices after them", () => {
    const specs = parseDevcSerArgs(["-u", "2", "-b", "9600", "/dev/ttyS0", "-E", "-f", "/dev/ttyUSB0"]);
    expect(specs.map((s) => [s.path, s.device, s.settings.baudRate, s.edit, s.settings.rtscts])).toEqual([
      ["/dev/ser2", "/dev/ttyS0", 9600, true, false],
      ["/dev/ser3", "/dev/ttyUSB0", 9600, false, true],
    ]);
  });

  it("-o sets data bits, parity and stop bits; -s turns on XON/XOFF", () => {
    const [s] = parseDevcSerArgs(["-o", "bits=7,par=even,stopb=2,hwflow", "-s", "/dev/pts/3"]);
    expect(s.settings).toMatchObject({ dataBits: 7, parity: "even", stopBits: 2, rtscts: true });
    expect(s.ixon).toBe(true);
  });

  it("-t terminal and -t mock need no device", () => {
    expect(parseDevcSerArgs(["-t", "terminal"])[0]).toMatchObject({ backend: "terminal", path: "/dev/ser1" });
    expect(parseDevcSerArgs(["-tmock", "-u3"])[0]).toMatchObject({
      backend: "mock",
      device: "mock:/dev/ser3",
      path: "/dev/ser3",
    });
  });

  it("accepts -c clk/div for compatibility", () => {
    expect(parseDevcSerArgs(["-c1843200/16", "/dev/ttyS0"])).toHaveLength(1);
  });

  it.each([
    [["-x", "/dev/ttyS0"], "illegal option -- x"],
    [["-b"], "option requires an argument -- b"],
    [["-b", "fast", "/dev/ttyS0"], "invalid baud rate -- fast"],
    [["-o", "bits=9", "/dev/ttyS0"], "invalid data bits -- 9"],
    [["-o", "par=mark", "/dev/ttyS0"], "invalid parity -- mark"],
    [["-o", "speed=1", "/dev/ttyS0"], "unknown -o option -- speed"],
    [["-t", "usb"], "unknown backend -- usb"],
    [[], "no device given"],
  ])("%j is a usage error: %s", (args, message) => {
    expect(() => parseDevcSerArgs(args)).toThrow(UsageError);
    expect(() => parseDevcSerArgs(args)).toThrow(message);
  });

  it("opens the board's console UART when given no device", () => {
    for (const name of ["rpi3", "rpi4", "bbb"]) {
      const board = findBoard(name)!;
      const [spec] = parseDevcSerArgs(["-b115200"], board.console.device);
      expect(spec).toMatchObject({ backend: "serial", device: board.console.device, path: "/dev/ser1" });
    }
    expect(findBoard("bbb")!.console.device).toBe("/dev/ttyO0");
    expect(parseDevcSerArgs(["/dev/ttyUSB0"], "/dev/ttyS1")[0].device).toBe("/dev/ttyUSB0");
  });
});
