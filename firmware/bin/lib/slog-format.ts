// Layout of system log entries for sloginfo (classic slogger) and slog2info (slogger2).
import { strftime } from "./date-format.ts";

export interface LogRecord {
  /** Wall-clock time of the entry, epoch milliseconds. */
  timeMs: number;
  major: number;
  minor: number;
  /** 0 (shutdown) … 7 (debug2), as QNX's _SLOG_* severities. */
  severity: number;
  text: string;
  /** Who logged it, when known: slog2info shows `name.pid`. */
  pid?: number;
  source?: string;
}

export const SEVERITY_NAMES = [
  "SHUTDOWN",
  "CRITICAL",
  "ERROR",
  "WARNING",
  "NOTICE",
  "INFO",
  "DEBUG1",
  "DEBUG2",
];

export const SLOGINFO_HEADER = `${"Time".padEnd(16)}${"Sev".padStart(4)} ${"Major".padStart(5)} ${"Minor".padStart(6)} Args`;

/** `Jan 13 16:37:55    2     8      0 text` */
export function formatSloginfo(r: LogRecord, utc: boolean): string {
  return (
    `${strftime("%b %d %H:%M:%S", r.timeMs, utc).padEnd(16)}${String(r.severity).padStart(4)} ` +
    `${String(r.major).padStart(5)} ${String(r.minor).padStart(6)} ${r.text}`
  );
}

/** `Jan 13 16:37:55.123  io-pkt.4099   main  5  text`: slog2info's time, buffer set, buffer, level. */
export function formatSlog2info(r: LogRecord, utc: boolean): string {
  const ms = String(Math.floor(r.timeMs) % 1000).padStart(3, "0");
  const set = `${r.source ?? `major${r.major}`}${r.pid === undefined ? "" : `.${r.pid}`}`;
  return (
    `${strftime("%b %d %H:%M:%S", r.timeMs, utc)}.${ms}  ${set.padEnd(20)} ` +
    `${"main".padEnd(8)} ${String(r.severity).padStart(2)}  ${r.text}`
  );
}
