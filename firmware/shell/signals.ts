// Signal names and numbers as QNX Neutrino numbers them (what `kill -l` lists and what the
// exit status 128+n of a killed job encodes).
export const SIGNALS: readonly (readonly [string, number])[] = [
  ["HUP", 1],
  ["INT", 2],
  ["QUIT", 3],
  ["ILL", 4],
  ["TRAP", 5],
  ["ABRT", 6],
  ["EMT", 7],
  ["FPE", 8],
  ["KILL", 9],
  ["BUS", 10],
  ["SEGV", 11],
  ["SYS", 12],
  ["PIPE", 13],
  ["ALRM", 14],
  ["TERM", 15],
  ["USR1", 16],
  ["USR2", 17],
  ["CHLD", 18],
  ["PWR", 19],
  ["WINCH", 20],
  ["URG", 21],
  ["POLL", 22],
  ["STOP", 23],
  ["TSTP", 24],
  ["CONT", 25],
  ["VTALRM", 26],
  ["PROF", 27],
  ["XCPU", 28],
  ["XFSZ", 29],
];

/** "INT", "SIGINT", "2" → "SIGINT"; null when unknown. */
export function signalName(spec: string): string | null {
  const s = spec.toUpperCase();
  if (/^\d+$/.test(s)) {
    const hit = SIGNALS.find(([, n]) => n === Number(s));
    return hit ? `SIG${hit[0]}` : null;
  }
  const bare = s.startsWith("SIG") ? s.slice(3) : s;
  return SIGNALS.some(([n]) => n === bare) ? `SIG${bare}` : null;
}

export function signalNumber(name: string): number {
  const bare = name.toUpperCase().replace(/^SIG/, "");
  return SIGNALS.find(([n]) => n === bare)?.[1] ?? 0;
}
