// /dev/slog: reading returns the system log (kernel.slog) as text, one entry a line, as
// sloginfo prints it; writing a line logs it ("sev:text" sets the severity 0–7, else 5/INFO).
import { SLOG_MAJOR, SLOG_SEVERITY, type SlogEntry } from "../kernel/slog.ts";
import type { ResourceManager } from "../resmgr/resmgr.ts";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** "Jan 01 00:00:05    5     8     0 text" (UTC, as sloginfo's columns). */
export function formatSlogLine(e: SlogEntry): string {
  const d = new Date(e.time);
  const stamp = `${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `${stamp}    ${e.severity} ${String(e.major).padStart(5)} ${String(e.minor).padStart(5)} ${e.text}\n`;
}

/** "3:disk full" → severity 3, "disk full"; anything else → INFO. */
export function parseSlogWrite(line: string): { severity: number; text: string } {
  const m = /^([0-7]):(.*)$/s.exec(line);
  if (m) return { severity: Number(m[1]), text: m[2] as string };
  return { severity: SLOG_SEVERITY.INFO, text: line };
}

export function attachSlog(rm: ResourceManager, path = "/dev/slog"): void {
  const kernel = rm.thread.kernel;
  const enc = new TextEncoder();
  rm.attach(path, {
    type: "file",
    mode: 0o666,
    handlers: {
      open: (ctx) => ({ attr: ctx.attach.attr, data: null }),
      read: (_ctx, ocb, nbytes, offset) => {
        // A snapshot per open: the offset stays meaningful while new entries arrive.
        if (!ocb.data) ocb.data = enc.encode(kernel.slog.entries().map(formatSlogLine).join(""));
        const all = ocb.data as Uint8Array;
        return all.slice(offset, offset + nbytes);
      },
      write: (ctx, _ocb, data) => {
        for (const line of new TextDecoder().decode(data).split("\n")) {
          if (line === "") continue;
          const { severity, text } = parseSlogWrite(line);
          kernel.slog.log(SLOG_MAJOR.PROGRAM, 0, severity, text, ctx.info.pid);
        }
        return data.byteLength;
      },
      stat: (_ctx, attr) => {
        attr.size = 0;
      },
    },
  });
}
