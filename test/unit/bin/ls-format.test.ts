import { describe, expect, it } from "vitest";
import {
  compareNames,
  defaultIdName,
  formatColumns,
  formatLong,
  totalBlocks,
  type LsEntry,
} from "../../../firmware/bin/lib/ls-format.ts";
import { S_IFDIR, S_IFLNK, S_IFREG } from "../../../firmware/bin/lib/file-mode.ts";

const NOW = Date.UTC(2024, 10, 23, 12, 0);
const opts = { nowMs: NOW, utc: true, classify: false, userName: defaultIdName, groupName: defaultIdName };

describe("ls long format", () => {
  it("lays out columns like BSD ls -l", () => {
    const entries: LsEntry[] = [
      { name: "bin", mode: S_IFDIR | 0o755, nlink: 2, uid: 0, gid: 0, size: 0, mtimeMs: NOW },
      { name: "motd", mode: S_IFREG | 0o644, nlink: 1, uid: 100, gid: 0, size: 1234, mtimeMs: NOW },
      {
        name: "sh",
        mode: S_IFLNK | 0o777,
        nlink: 1,
        uid: 0,
        gid: 0,
        size: 14,
        mtimeMs: NOW,
        linkTarget: "/proc/boot/ksh",
      },
    ];
    expect(formatLong(entries, opts)).toEqual([
      "drwxr-xr-x  2 root  root     0 Nov 23 12:00 bin",
      "-rw-r--r--  1 100   root  1234 Nov 23 12:00 motd",
      "lrwxrwxrwx  1 root  root    14 Nov 23 12:00 sh -> /proc/boot/ksh",
    ]);
    expect(totalBlocks(entries)).toBe(0 + 3 + 1);
  });
  it("appends -F suffixes before the link arrow", () => {
    const e: LsEntry = { name: "x", mode: S_IFREG | 0o755, nlink: 1, uid: 0, gid: 0, size: 1, mtimeMs: NOW };
    expect(formatLong([e], { ...opts, classify: true })[0]).toMatch(/ x\*$/);
  });
});

describe("ls columns", () => {
  it("fills down the columns", () => {
    expect(formatColumns(["a", "b", "c", "d", "e"], 10)).toEqual(["a  c  e", "b  d"]);
  });
  it("uses one column when names are wide", () => {
    expect(formatColumns(["long-name-1", "long-name-2"], 12)).toEqual(["long-name-1", "long-name-2"]);
  });
  it("is empty for no names", () => {
    expect(formatColumns([], 80)).toEqual([]);
  });
  it("sorts in byte order", () => {
    expect(["b", "B", "a", "_"].sort(compareNames)).toEqual(["B", "_", "a", "b"]);
  });
});
