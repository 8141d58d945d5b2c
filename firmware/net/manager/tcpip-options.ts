// `-p tcpip opts`: the built-in stack's options. An unknown option does not stop io-pkt: it
// is logged as `tcpip: unrecognized option "x"`, as the reference does; a bad value of a known
// option is logged too and the default kept.
import { parseModuleOptions } from "../module-options.ts";
import { TCPIP } from "../modules/catalog.ts";
import { normalizePrefix } from "../control/paths.ts";

export interface TcpipOptions {
  prefix: string;
  rxPrio: number;
  timerPrio: number;
  threadsMin: number;
  threadsMax: number;
  forward: boolean;
}

/** Defaults. threads_min is smaller than QNX's 15: our resource-manager threads only block in RECEIVE. */
export function defaultTcpipOptions(): TcpipOptions {
  return { prefix: "", rxPrio: 21, timerPrio: 21, threadsMin: 4, threadsMax: 200, forward: false };
}

/** Options of the reference that do not apply here, with the reason logged when given. */
const IGNORED: ReadonlyArray<readonly [string, string]> = [
  ["forward6", "this stack has no IPv6"],
  ["somaxconn", "this stack has no TCP sockets"],
  ["reuseport_unicast", "this stack has no UDP sockets"],
];

/** Applies one `-p tcpip` option string to `into`; returns the messages to log. */
export function applyTcpipOptions(into: TcpipOptions, text: string): string[] {
  const parsed = parseModuleOptions(TCPIP.options, text, "tcpip");
  const messages = parsed.diagnostics.map((d) =>
    d.message.startsWith("Unknown option")
      ? `tcpip: unrecognized option "${d.option}"`
      : `tcpip: ${d.message}`,
  );
  const v = parsed.values;
  if (typeof v.prefix === "string") into.prefix = normalizePrefix(v.prefix);
  if (typeof v.rx_prio === "number") into.rxPrio = v.rx_prio;
  if (typeof v.timer_pulse_prio === "number") into.timerPrio = v.timer_pulse_prio;
  if (typeof v.threads_min === "number") into.threadsMin = v.threads_min;
  if (typeof v.threads_max === "number") into.threadsMax = v.threads_max;
  if (v.forward === true) into.forward = true;
  // Known options this stack has nothing to apply to: said, not silently swallowed.
  if (v.fastforward === 0)
    messages.push("tcpip: fastforward=0 ignored: forwarding has one path here, the fast one");
  for (const [name, why] of IGNORED) {
    if (v[name] !== undefined) messages.push(`tcpip: ${name} ignored: ${why}`);
  }
  if (into.threadsMax < into.threadsMin) {
    messages.push(
      `tcpip: threads_max ${into.threadsMax} is below threads_min ${into.threadsMin}; using ${into.threadsMin}`,
    );
    into.threadsMax = into.threadsMin;
  }
  return messages;
}
