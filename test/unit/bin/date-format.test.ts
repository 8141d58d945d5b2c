import { describe, expect, it } from "vitest";
import { defaultDate, lsTime, strftime } from "../../../firmware/bin/lib/date-format.ts";

const T = Date.UTC(2024, 10, 3, 9, 5, 7); // Sun Nov  3 09:05:07 UTC 2024

describe("strftime", () => {
  it("expands the common conversions in UTC", () => {
    expect(strftime("%Y-%m-%d %H:%M:%S", T, true)).toBe("2024-11-03 09:05:07");
    expect(strftime("%a %A %b %B %e %j %y %C", T, true)).toBe("Sun Sunday Nov November  3 308 24 20");
    expect(strftime("%D %T %R %F", T, true)).toBe("11/03/24 09:05:07 09:05 2024-11-03");
    expect(strftime("%I %l %p %u %w %s %z %Z %%", T, true)).toBe(`09  9 AM 7 0 ${T / 1000} +0000 UTC %`);
    expect(strftime("a%nb%tc", T, true)).toBe("a\nb\tc");
  });
  it("keeps unknown conversions and a trailing percent", () => {
    expect(strftime("%Q %", T, true)).toBe("%Q %");
  });
  it("prints date's default format", () => {
    expect(defaultDate(T, true)).toBe("Sun Nov  3 09:05:07 UTC 2024");
  });
});

describe("lsTime", () => {
  it("shows the time for recent files and the year for old ones", () => {
    expect(lsTime(T, T + 86_400_000, true)).toBe("Nov  3 09:05");
    expect(lsTime(T, T + 365 * 86_400_000, true)).toBe("Nov  3  2024");
    expect(lsTime(T + 30 * 86_400_000, T, true)).toBe("Dec  3  2024");
  });
});
