// Signal numbers as QNX Neutrino defines them (<signal.h>) and their default actions.

export const SIGNALS = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGEMT: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGBUS: 10,
  SIGSEGV: 11,
  SIGSYS: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGUSR1: 16,
  SIGUSR2: 17,
  SIGCHLD: 18,
  SIGPWR: 19,
  SIGWINCH: 20,
  SIGURG: 21,
  SIGPOLL: 22,
  SIGSTOP: 23,
  SIGTSTP: 24,
  SIGCONT: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGXCPU: 28,
  SIGXFSZ: 29,
} as const;

export type Signal = keyof typeof SIGNALS;

export type SignalAction = "terminate" | "ignore" | "stop" | "continue";

export function defaultAction(sig: Signal): SignalAction {
  switch (sig) {
    case "SIGCHLD":
    case "SIGWINCH":
    case "SIGURG":
    case "SIGPWR":
      return "ignore";
    case "SIGSTOP":
    case "SIGTSTP":
      return "stop";
    case "SIGCONT":
      return "continue";
    default:
      return "terminate";
  }
}

const BY_NUMBER: ReadonlyMap<number, Signal> = new Map(
  (Object.keys(SIGNALS) as Signal[]).map((s) => [SIGNALS[s], s] as const),
);

/** "INT", "SIGINT", "2" → "SIGINT"; undefined when unknown. */
export function parseSignal(text: string): Signal | undefined {
  if (/^\d+$/.test(text)) return BY_NUMBER.get(Number(text));
  const name = (
    text.toUpperCase().startsWith("SIG") ? text.toUpperCase() : "SIG" + text.toUpperCase()
  ) as Signal;
  return name in SIGNALS ? name : undefined;
}

export function signalName(signo: number): Signal | undefined {
  return BY_NUMBER.get(signo);
}
