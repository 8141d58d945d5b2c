// io-pkt's command line: `-d drv [opts]` (repeatable), `-p proto [opts]` (repeatable),
// `-t n`, `-P prio`, `-i n`, `-v`. The token after a module name is its option string unless
// it starts with `-` (io-pkt's rule). Option letters may carry their value attached, as QNX
// scripts write them (-t2, -dmx6x, -ptcpip, -vv). The linter uses this same parser, so it
// accepts exactly what the runtime accepts; the positions below are for its messages.
import { KernelError } from "../../kernel/errno.ts";

export interface ModuleArg {
  name: string;
  options: string;
  /** Where the name is: index in argv and offset in that word (2 when joined: `-dmx6x`). */
  nameAt?: { arg: number; offset: number };
  /** Index in argv of the option string, when there is one. */
  optionsArg?: number;
}

/** A usage error, with the index of the argument at fault. */
export class IoPktUsageError extends KernelError {
  readonly arg: number;
  constructor(arg: number, message: string) {
    super("EINVAL", message);
    this.arg = arg;
  }
}

export interface IoPktArgs {
  drivers: ModuleArg[];
  protocols: ModuleArg[];
  /** -t: L2 worker threads (undefined: one per CPU). */
  threads?: number;
  /** -P: main thread priority (default 21). */
  priority: number;
  /** -i: stack instance (mount type io-pkt<n>). */
  instance: number;
  verbose: boolean;
}

export const IO_PKT_USAGE = `io-pkt - network manager

usage: io-pkt [-d driver [options]] ... [-p protocol [options]] ... [-t threads] [-P priority] [-i instance] [-v]
Options:
 -d driver    load driver devnp-<driver> (or the module at a path starting with /)
 -p protocol  load protocol or filter lsm-<protocol>; tcpip is built in and only takes options:
              prefix=/path, rx_prio=n (rx_pulse_prio=n), timer_pulse_prio=n, forward,
              threads_min=n, threads_max=n
 -t threads   layer-2 worker threads (default: one per CPU)
 -P priority  main thread priority (default 21)
 -i instance  stack instance; mount requests then use -T io-pkt<instance>
 -v           verbose
Driver options (every driver): mac=, lan=/unit=, mtu=, mru=, speed=, duplex=, media=, phy=,
 iftype=, nomulticast, promiscuous, verbose[=n], priority=, name=
Example: io-pkt -d vwire hub=lan0,priority=50 -p tcpip prefix=/alt -t 2
`;

function intArg(arg: number, opt: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined || !/^\d+$/.test(text)) {
    throw new IoPktUsageError(arg, `option -${opt} requires a number`);
  }
  const n = Number(text);
  if (n < min || n > max) throw new IoPktUsageError(arg, `option -${opt}: ${n} out of range ${min}-${max}`);
  return n;
}

/** Parses argv (without argv[0]); EINVAL with a usage-style message on errors. */
export function parseIoPktArgs(args: readonly string[]): IoPktArgs {
  const out: IoPktArgs = { drivers: [], protocols: [], priority: 21, instance: 0, verbose: false };
  let i = 0;
  const value = (opt: string, attached: string): string | undefined => {
    if (attached !== "") return attached;
    const v = args[++i];
    if (v === undefined) throw new IoPktUsageError(i - 1, `option -${opt} requires an argument`);
    return v;
  };
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith("-") || a.length < 2) throw new IoPktUsageError(i, `unexpected argument "${a}"`);
    const opt = a[1] as string;
    const attached = a.slice(2);
    const at = i;
    switch (opt) {
      case "d":
      case "p": {
        const name = value(opt, attached) as string;
        if (name.startsWith("-")) throw new IoPktUsageError(at, `option -${opt} requires a module name`);
        const nameAt = attached !== "" ? { arg: at, offset: 2 } : { arg: i, offset: 0 };
        const m: ModuleArg = { name, options: "", nameAt };
        const next = args[i + 1];
        if (next !== undefined && !next.startsWith("-")) {
          m.options = next;
          m.optionsArg = ++i;
        }
        (opt === "d" ? out.drivers : out.protocols).push(m);
        break;
      }
      case "t":
        out.threads = intArg(at, "t", value("t", attached), 1, 64);
        break;
      case "P":
        out.priority = intArg(at, "P", value("P", attached), 1, 255);
        break;
      case "i":
        out.instance = intArg(at, "i", value("i", attached), 0, 255);
        break;
      case "v":
        if (attached !== "" && !/^v*$/.test(attached)) throw new IoPktUsageError(at, `unknown option ${a}`);
        out.verbose = true;
        break;
      default:
        throw new IoPktUsageError(at, `unknown option -${opt}`);
    }
  }
  return out;
}
