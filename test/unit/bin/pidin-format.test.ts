import { describe, expect, it } from "vitest";
import {
  formatArgs,
  formatFds,
  formatMem,
  formatSize,
  formatThreads,
  pidinName,
} from "../../../firmware/bin/lib/pidin-format.ts";
import type { ProcView } from "../../../firmware/bin/lib/proc-view.ts";

const procs: ProcView[] = [
  {
    pid: 1,
    name: "procnto",
    argv: ["procnto", "-v"],
    uid: 0,
    threads: [
      { tid: 1, name: "", priority: 0, policy: "f", state: "READY", blocked: "" },
      { tid: 2, name: "", priority: 255, policy: "r", state: "RECEIVE", blocked: "1" },
    ],
    fds: [],
  },
  {
    pid: 4099,
    name: "/proc/boot/devc-ser-serialport",
    argv: ["devc-ser"],
    uid: 0,
    threads: [{ tid: 1, name: "", priority: 10, policy: "r", state: "REPLY", blocked: "1" }],
    fds: [{ fd: 0, serverPid: 4099, mode: "rw", offset: 0, path: "/dev/ser1" }],
    memory: { code: 2048, data: 200 * 1024, stack: 20 * 1024 * 1024 },
  },
];

describe("pidin", () => {
  it("prints the default thread view", () => {
    expect(formatThreads(procs)).toEqual([
      "     pid tid name               prio STATE       Blocked",
      "       1   1 procnto              0f READY",
      "       1   2 procnto            255r RECEIVE     1",
      "    4099   1 evc-ser-serialport  10r REPLY       1",
    ]);
  });
  it("prints arguments and descriptors", () => {
    expect(formatArgs(procs)).toEqual(["     pid Arguments", "       1 procnto -v", "    4099 devc-ser"]);
    expect(formatFds(procs)).toEqual([
      "     pid name",
      "       1 procnto",
      "    4099 evc-ser-serialport",
      "          0   4099 rw        0 /dev/ser1",
    ]);
  });
  it("prints memory sizes", () => {
    expect(formatSize(undefined)).toBe("-");
    expect(formatSize(2048)).toBe("2048");
    expect(formatSize(200 * 1024)).toBe("200K");
    const mem = formatMem(procs);
    expect(mem[0]).toMatch(/STATE\s+code\s+data\s+stack$/);
    expect(mem[1]).toMatch(/READY\s+-\s+-\s+-$/);
    expect(mem[3]).toMatch(/REPLY\s+2048\s+200K\s+20M$/);
  });
  it("strips the leading slash of names", () => {
    expect(pidinName("/bin/ksh")).toBe("bin/ksh");
  });
});
