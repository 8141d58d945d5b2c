import { describe, expect, it } from "vitest";
import {
  classifySuffix,
  formatMode,
  S_IFDIR,
  S_IFLNK,
  S_IFREG,
  S_IFCHR,
} from "../../../firmware/bin/lib/file-mode.ts";

describe("formatMode", () => {
  it.each([
    [S_IFDIR | 0o755, "drwxr-xr-x"],
    [S_IFREG | 0o644, "-rw-r--r--"],
    [S_IFLNK | 0o777, "lrwxrwxrwx"],
    [S_IFCHR | 0o666, "crw-rw-rw-"],
    [S_IFREG | 0o4755, "-rwsr-xr-x"],
    [S_IFREG | 0o2644, "-rw-r-Sr--"],
    [S_IFDIR | 0o1777, "drwxrwxrwt"],
    [0o644, "?rw-r--r--"],
  ])("%o → %s", (mode, text) => {
    expect(formatMode(mode)).toBe(text);
  });
  it("classifies for ls -F", () => {
    expect(classifySuffix(S_IFDIR | 0o755)).toBe("/");
    expect(classifySuffix(S_IFREG | 0o755)).toBe("*");
    expect(classifySuffix(S_IFREG | 0o644)).toBe("");
    expect(classifySuffix(S_IFLNK | 0o777)).toBe("@");
  });
});
