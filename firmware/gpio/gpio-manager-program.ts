// `gpio-manager`, the program: picks a backend, registers /dev/gpio, daemonizes, serves.
import type { Program } from "../program.ts";
import { runUtility } from "../bin/lib/errors.ts";
import { getopt, optionMap, UsageError } from "../bin/lib/getopt.ts";
import type { GpioBackend } from "./gpio-backend.ts";
import { GpioManager } from "./gpio-manager.ts";
import { SimGpioBackend } from "./sim-backend.ts";

const USAGE = `gpio-manager - GPIO resource manager (/dev/gpio)

usage: gpio-manager [-b backend] [-p pins] [-H pin[,ms]]
Options:
 -b backend  sim (software pins; the default on board host)
 -p pins     the pins to offer, comma separated (sim backend; default 0-27)
 -H pin,ms   heartbeat LED: toggle output pin every ms milliseconds (default 500)
/dev/gpio/<pin>: read gives 0 or 1; write 0, 1, low, high, in or out.
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

/**
 * The backend for `-b`. Hardware backends (onoff) come from hal/gpio; boot code that has one
 * constructs GpioManager with it directly.
 */
export function openBackend(name: string, pins: number[]): GpioBackend {
  if (name === "sim") return new SimGpioBackend(pins);
  throw new UsageError(`unknown backend -- ${name}`);
}

const program: Program = {
  name: "gpio-manager",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "gpio-manager", USAGE, async () => {
      const opts = optionMap(getopt(ctx.argv.slice(1), "b:p:H:"));
      const pins = parsePinList(opts.get("p") ?? "0-27");
      const backend = openBackend(opts.get("b") ?? "sim", pins);
      const mgr = new GpioManager(ctx.thread, backend);
      const hb = opts.get("H");
      if (hb !== undefined) {
        const m = /^(\d+)(?:,(\d+))?$/.exec(hb);
        if (!m) throw new UsageError(`invalid heartbeat -- ${hb}`);
        mgr.startHeartbeat(Number(m[1]), m[2] === undefined ? 500 : Math.max(10, Number(m[2])));
      }
      mgr.log(`gpio-manager: ${backend.name} backend, ${pins.length} pins at /dev/gpio`);
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
