// `gpio-manager`, the program: picks a backend, registers /dev/gpio, daemonizes, serves.
import type { Program } from "../program.ts";
import { runUtility } from "../bin/lib/errors.ts";
import { getopt, optionMap, UsageError } from "../bin/lib/getopt.ts";
import { boardNames, DEFAULT_BOARD, findBoard } from "../../boards/index.ts";
import { KernelError } from "../kernel/errno.ts";
import { openBoardGpio, type BoardGpio, type BoardGpioOptions } from "./board-backend.ts";
import { GpioManager } from "./gpio-manager.ts";
import { SimGpioBackend } from "./sim-backend.ts";

const USAGE = `gpio-manager - GPIO resource manager (/dev/gpio)

usage: gpio-manager [-b backend] [-B board] [-p pins] [-H pin|led[,ms]]
Options:
 -b backend  sim: software pins (the default on board host)
             onoff: the board's pins through sysfs GPIO (the default on a board)
             mock: the board's pin map, simulated
 -B board    the board whose pins and LED to use (default: the image's, $NETRINO_BOARD)
 -p pins     the pins to offer, comma separated (sim backend; default 0-27)
 -H pin,ms   heartbeat: toggle output pin every ms milliseconds (default 500);
             -H led uses the board's heartbeat LED (ACT on a Pi, usr0 on a BeagleBone)
/dev/gpio/<pin>: read gives 0 or 1; write 0, 1, low, high, in or out.
On a board, <pin> is the BCM number (Pi) or 32 x bank + line (BeagleBone).
`;

/** "4,17,22-24" → [4, 17, 22, 23, 24]. */
export function parsePinList(text: string): number[] {
  const pins: number[] = [];
  for (const part of text.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new UsageError(`invalid pin list -- ${text}`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 1024) throw new UsageError(`invalid pin range -- ${part}`);
    for (let p = a; p <= b; p++) pins.push(p);
  }
  return pins;
}

/** What gpio-manager serves: a backend and, for a board, its heartbeat LED. */
export function openBackend(
  name: string,
  opts: { pins?: string; board?: string; boardOptions?: BoardGpioOptions } = {},
): BoardGpio {
  if (name === "sim")
    return {
      backend: new SimGpioBackend(parsePinList(opts.pins ?? "0-27")),
      heartbeat: null,
      heartbeatName: null,
    };
  if (name !== "onoff" && name !== "mock") throw new UsageError(`unknown backend -- ${name}`);
  const boardName = opts.board ?? DEFAULT_BOARD;
  const board = findBoard(boardName);
  if (!board) throw new UsageError(`unknown board -- ${boardName} (boards: ${boardNames().join(", ")})`);
  return openBoardGpio(board, { ...opts.boardOptions, backend: name });
}

const program: Program = {
  name: "gpio-manager",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "gpio-manager", USAGE, async () => {
      const opts = optionMap(getopt(ctx.argv.slice(1), "b:B:p:H:"));
      const board = opts.get("B") ?? ctx.env.NETRINO_BOARD ?? DEFAULT_BOARD;
      const onBoard = findBoard(board)?.gpio.backend === "onoff";
      const opened = openBackend(opts.get("b") ?? (onBoard ? "onoff" : "sim"), {
        pins: opts.get("p"),
        board,
      });
      const { backend } = opened;
      const mgr = new GpioManager(ctx.thread, backend);
      const hb = opts.get("H");
      let hbText = "";
      if (hb !== undefined) {
        const m = /^(\d+|led)(?:,(\d+))?$/.exec(hb);
        if (!m) throw new UsageError(`invalid heartbeat -- ${hb}`);
        const ms = m[2] === undefined ? 500 : Math.max(10, Number(m[2]));
        if (m[1] === "led") {
          if (!opened.heartbeat) throw new KernelError("ENODEV", `board ${board} has no heartbeat LED here`);
          mgr.startHeartbeat(opened.heartbeat, ms);
          hbText = `, heartbeat on ${opened.heartbeatName}`;
        } else mgr.startHeartbeat(Number(m[1]), ms);
      }
      mgr.log(`gpio-manager: ${backend.name} backend, ${backend.pins().length} pins at /dev/gpio${hbText}`);
      // Registered: like a QNX driver, let the startup script go on (procmgr_daemon).
      ctx.process.detach();
      try {
        await mgr.serve(ctx.thread);
      } finally {
        mgr.stop();
        backend.close();
      }
      return 0;
    });
  },
};
export default program;
