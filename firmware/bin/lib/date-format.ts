// strftime(3) subset used by `date +format`, `ls -l` and the log viewers. Local time is the
// host's zone (the runtime has no zone database of its own); `utc` selects UTC as `date -u` does.

export const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
export const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const LONG_MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const LONG_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

export interface BrokenDownTime {
  year: number;
  month: number; // 0-11
  day: number; // 1-31
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
  yearDay: number; // 0-365
  millis: number;
  /** Minutes east of UTC. */
  offsetMinutes: number;
  zone: string;
}

export function breakDown(ms: number, utc: boolean): BrokenDownTime {
  const d = new Date(ms);
  if (utc) {
    const start = Date.UTC(d.getUTCFullYear(), 0, 1);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth(),
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      weekday: d.getUTCDay(),
      yearDay: Math.floor((ms - start) / 86_400_000),
      millis: d.getUTCMilliseconds(),
      offsetMinutes: 0,
      zone: "UTC",
    };
  }
  const start = new Date(d.getFullYear(), 0, 1).getTime();
  const offsetMinutes = -d.getTimezoneOffset();
  return {
    year: d.getFullYear(),
    month: d.getMonth(),
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    second: d.getSeconds(),
    weekday: d.getDay(),
    yearDay: Math.round(
      (new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() - start) / 86_400_000,
    ),
    millis: d.getMilliseconds(),
    offsetMinutes,
    zone: zoneName(d, offsetMinutes),
  };
}

function zoneName(d: Date, offsetMinutes: number): string {
  const m = /\(([^)]+)\)$/.exec(d.toString());
  const name = m?.[1] ?? "";
  // Node prints long names ("Coordinated Universal Time"); keep short abbreviations only.
  if (/^[A-Z]{2,5}$/.test(name)) return name;
  return offsetMinutes === 0 ? "UTC" : formatOffset(offsetMinutes);
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const a = Math.abs(minutes);
  return `${sign}${pad(Math.floor(a / 60), 2)}${pad(a % 60, 2)}`;
}

function pad(n: number, width: number, fill = "0"): string {
  return String(n).padStart(width, fill);
}

/**
 * Expands a strftime format: %a %A %b %h %B %c %C %d %D %e %F %H %I %j %k %l %m %M %n %p %r %R
 * %s %S %t %T %u %w %y %Y %z %Z %%. Unknown conversions are kept as written.
 */
export function strftime(format: string, ms: number, utc: boolean): string {
  const t = breakDown(ms, utc);
  let out = "";
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== "%" || i + 1 >= format.length) {
      out += c;
      continue;
    }
    const spec = format[++i];
    out += conversion(spec, t, ms, utc) ?? `%${spec}`;
  }
  return out;
}

function conversion(spec: string, t: BrokenDownTime, ms: number, utc: boolean): string | undefined {
  const hour12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
  switch (spec) {
    case "a":
      return DAYS[t.weekday];
    case "A":
      return LONG_DAYS[t.weekday];
    case "b":
    case "h":
      return MONTHS[t.month];
    case "B":
      return LONG_MONTHS[t.month];
    case "c":
      return strftime("%a %b %e %H:%M:%S %Y", ms, utc);
    case "C":
      return pad(Math.floor(t.year / 100), 2);
    case "d":
      return pad(t.day, 2);
    case "D":
      return strftime("%m/%d/%y", ms, utc);
    case "e":
      return pad(t.day, 2, " ");
    case "F":
      return strftime("%Y-%m-%d", ms, utc);
    case "H":
      return pad(t.hour, 2);
    case "I":
      return pad(hour12, 2);
    case "j":
      return pad(t.yearDay + 1, 3);
    case "k":
      return pad(t.hour, 2, " ");
    case "l":
      return pad(hour12, 2, " ");
    case "m":
      return pad(t.month + 1, 2);
    case "M":
      return pad(t.minute, 2);
    case "n":
      return "\n";
    case "p":
      return t.hour < 12 ? "AM" : "PM";
    case "r":
      return strftime("%I:%M:%S %p", ms, utc);
    case "R":
      return strftime("%H:%M", ms, utc);
    case "s":
      return String(Math.floor(ms / 1000));
    case "S":
      return pad(t.second, 2);
    case "t":
      return "\t";
    case "T":
      return strftime("%H:%M:%S", ms, utc);
    case "u":
      return String(t.weekday === 0 ? 7 : t.weekday);
    case "w":
      return String(t.weekday);
    case "y":
      return pad(t.year % 100, 2);
    case "Y":
      return String(t.year);
    case "z":
      return formatOffset(t.offsetMinutes);
    case "Z":
      return t.zone;
    case "%":
      return "%";
    default:
      return undefined;
  }
}

/** `date` with no format, as BSD/QNX print it: `Sat Nov 23 12:00:00 UTC 2024`. */
export function defaultDate(ms: number, utc: boolean): string {
  return strftime("%a %b %e %H:%M:%S %Z %Y", ms, utc);
}

const SIX_MONTHS_MS = 182.5 * 86_400_000;

/** `ls -l` time column: `Nov 23 12:00` within six months of now, else `Nov 23  2023`. */
export function lsTime(mtimeMs: number, nowMs: number, utc: boolean): string {
  const recent = mtimeMs <= nowMs + 3_600_000 && nowMs - mtimeMs < SIX_MONTHS_MS;
  return strftime(recent ? "%b %e %H:%M" : "%b %e  %Y", mtimeMs, utc);
}
