// devc-ser: the serial driver. Opens each UART (a real one or a pty through serialport, the
// host terminal, or serialport's mock), registers /dev/ser<unit> served by the terminal
// resource manager, then detaches from its parent as QNX drivers do once they are ready.
import { DEFAULT_BOARD, findBoard } from "../../boards/index.ts";
import { parseDevcSerArgs, type SerialDeviceSpec } from "../console/devc-ser-options.ts";
import { openPort } from "../console/open-port.ts";
import { TtyDevice } from "../console/tty-manager.ts";
import type { UartPort } from "../../hal/uart/uart-port.ts";
import type { Termios } from "../program.ts";
import type { Program } from "../program.ts";
import { ResourceManager } from "../resmgr/resmgr.ts";
import { errorText, runUtility } from "./lib/errors.ts";

const USAGE = `devc-ser - serial driver (UARTs, ptys, the host terminal)

usage: devc-ser [-b baud] [-c clk[/div]] [-e|-E] [-f|-F] [-s|-S] [-u unit]
                [-t serial|terminal|mock] [-o opts] [device ...]
Options (they apply to the devices after them):
 -b baud     baud rate (default 115200)
 -c clk      input clock of the UART (accepted for compatibility; unused)
 -e          edit mode: canonical input with echo (default)
 -E          raw mode
 -f / -F     enable / disable hardware (RTS/CTS) flow control (default off)
 -s / -S     enable / disable software (XON/XOFF) flow control (default off)
 -u unit     first unit number: the device is /dev/ser<unit> (default 1)
 -t backend  serial: a host device such as /dev/ttyS0 or a pty (default);
             terminal: this process's terminal; mock: serialport's mock
 -o opts     bits=5|6|7|8,par=none|even|odd,stopb=1|2,baud=N,hwflow,nohwflow
Example: devc-ser -b115200 -u1 /dev/ttyS0      registers /dev/ser1
`;

function modeFor(spec: SerialDeviceSpec): Partial<Termios> {
  const base = { ixon: spec.ixon };
  if (spec.edit) return base;
  return { ...base, icanon: false, echo: false, isig: false, icrnl: false, onlcr: false };
}

const program: Program = {
  name: "devc-ser",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "devc-ser", USAGE, async () => {
      const board = findBoard(ctx.env.NETRINO_BOARD ?? DEFAULT_BOARD);
      const specs = parseDevcSerArgs(ctx.argv.slice(1), board?.console.device);
      const ports: UartPort[] = [];
      const closeAll = async (): Promise<void> => {
        await Promise.all(ports.splice(0).map((p) => p.close().catch(() => undefined)));
      };
      for (const spec of specs) {
        try {
          ports.push(await openPort(spec));
        } catch (e) {
          await ctx.stderr.write(`devc-ser: ${spec.device}: ${errorText(e)}\n`);
          await closeAll();
          return 1;
        }
      }
      const rm = new ResourceManager(ctx.thread);
      specs.forEach(
        (spec, i) => new TtyDevice(rm, { path: spec.path, port: ports[i], termios: modeFor(spec) }),
      );
      // Give the terminal back (cooked mode, restored window) before processes are killed.
      ctx.kernel.onShutdown(closeAll);
      const stop = (): void => {
        rm.stop();
        void closeAll();
      };
      if (ctx.signal.aborted) stop();
      else ctx.signal.addEventListener("abort", stop, { once: true });
      ctx.process.detach();
      await rm.loop(ctx.thread);
      await closeAll();
      return 0;
    });
  },
};
export default program;
