// devc-ser's command line, QNX devc-ser8250 style:
//   devc-ser [-b baud] [-c clk[/div]] [-e|-E] [-f|-F] [-s|-S] [-u unit] [-t serial|terminal|mock]
//            [-o opt,opt…] [device …]
// Each device operand gets the options seen before it and the next unit number. Without one,
// the serial backend opens the board's console UART.
import { DEFAULT_UART_SETTINGS, type Parity, type UartSettings } from "../../hal/uart/uart-port.ts";
import { UsageError } from "../bin/lib/getopt.ts";

export type SerialBackend = "serial" | "terminal" | "mock";

export interface SerialDeviceSpec {
  backend: SerialBackend;
  /** Host device ("/dev/ttyS0", "/dev/pts/3"), the mock's name, or "terminal". */
  device: string;
  unit: number;
  /** Registered path: /dev/ser<unit>. */
  path: string;
  settings: UartSettings;
  /** -e: edit (canonical, echo) mode; -E: raw. */
  edit: boolean;
  /** -s/-S: XON/XOFF flow control in the line discipline. */
  ixon: boolean;
}

export const DEVC_SER_OPTSTRING = "b:c:eEfFsSu:t:o:";

const PARITY: Record<string, Parity> = {
  none: "none",
  n: "none",
  even: "even",
  e: "even",
  odd: "odd",
  o: "odd",
};

function positiveInt(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) <= 0) throw new UsageError(`invalid ${what} -- ${text}`);
  return Number(text);
}

/** `-o bits=7,par=even,stopb=2` (QNX stty names), `-o hwflow`, `-o nohwflow`. */
function applyOpts(text: string, s: UartSettings): void {
  for (const item of text.split(",")) {
    if (item === "") continue;
    const [key, value = ""] = item.split("=", 2);
    switch (key) {
      case "bits": {
        const n = Number(value);
        if (n !== 5 && n !== 6 && n !== 7 && n !== 8) throw new UsageError(`invalid data bits -- ${value}`);
        s.dataBits = n;
        break;
      }
      case "par": {
        const p = PARITY[value];
        if (!p) throw new UsageError(`invalid parity -- ${value}`);
        s.parity = p;
        break;
      }
      case "stopb": {
        if (value !== "1" && value !== "2") throw new UsageError(`invalid stop bits -- ${value}`);
        s.stopBits = value === "2" ? 2 : 1;
        break;
      }
      case "baud":
        s.baudRate = positiveInt(value, "baud rate");
        break;
      case "hwflow":
        s.rtscts = true;
        break;
      case "nohwflow":
        s.rtscts = false;
        break;
      default:
        throw new UsageError(`unknown -o option -- ${key}`);
    }
  }
}

/**
 * `boardDevice`: the board's console UART (boards/<board> `console.device`), used when the
 * serial backend is given no device operand.
 */
export function parseDevcSerArgs(args: readonly string[], boardDevice?: string): SerialDeviceSpec[] {
  const specs: SerialDeviceSpec[] = [];
  const settings: UartSettings = { ...DEFAULT_UART_SETTINGS };
  let backend: SerialBackend = "serial";
  let edit = true;
  let ixon = false;
  let unit = 1;
  let i = 0;
  // Options and devices may alternate (QNX: options apply to the devices after them).
  while (i < args.length) {
    const a = args[i];
    if (a.startsWith("-") && a.length > 1) {
      // Parse one option word (and its argument) with the shared getopt rules.
      let j = 1;
      while (j < a.length) {
        const c = a[j];
        const at = DEVC_SER_OPTSTRING.indexOf(c);
        if (at < 0 || c === ":") throw new UsageError(`illegal option -- ${c}`);
        let value = "";
        if (DEVC_SER_OPTSTRING[at + 1] === ":") {
          if (j + 1 < a.length) value = a.slice(j + 1);
          else if (i + 1 < args.length) value = args[++i];
          else throw new UsageError(`option requires an argument -- ${c}`);
          j = a.length;
        } else j++;
        switch (c) {
          case "b":
            settings.baudRate = positiveInt(value, "baud rate");
            break;
          case "c":
            // The input clock and divisor of a real 8250; a host UART has its own. Checked, unused.
            for (const part of value.split("/")) positiveInt(part, "clock");
            break;
          case "e":
            edit = true;
            break;
          case "E":
            edit = false;
            break;
          case "f":
            settings.rtscts = true;
            break;
          case "F":
            settings.rtscts = false;
            break;
          case "s":
            ixon = true;
            break;
          case "S":
            ixon = false;
            break;
          case "u":
            unit = positiveInt(value, "unit");
            break;
          case "t":
            if (value !== "serial" && value !== "terminal" && value !== "mock")
              throw new UsageError(`unknown backend -- ${value}`);
            backend = value;
            break;
          case "o":
            applyOpts(value, settings);
            break;
        }
      }
      i++;
      continue;
    }
    specs.push(spec(backend, a, unit++, settings, edit, ixon));
    i++;
  }
  if (specs.length === 0) {
    if (backend === "serial") {
      if (!boardDevice) throw new UsageError("no device given (and the board has no console UART)");
      specs.push(spec(backend, boardDevice, unit, settings, edit, ixon));
      return specs;
    }
    specs.push(
      spec(backend, backend === "terminal" ? "terminal" : `mock:/dev/ser${unit}`, unit, settings, edit, ixon),
    );
  }
  return specs;
}

function spec(
  backend: SerialBackend,
  device: string,
  unit: number,
  settings: UartSettings,
  edit: boolean,
  ixon: boolean,
): SerialDeviceSpec {
  return { backend, device, unit, path: `/dev/ser${unit}`, settings: { ...settings }, edit, ixon };
}
