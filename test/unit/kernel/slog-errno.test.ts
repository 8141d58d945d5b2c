// The system log ring and the errno vocabulary (QNX numbering, strerror texts).
import { describe, expect, it } from "vitest";
import {
  ERRNO,
  KernelError,
  ManualClock,
  SLOG_SEVERITY,
  SystemLog,
  errnoName,
  isErrno,
  strerror,
  type SlogEntry,
} from "../../../firmware/kernel/index.ts";

describe("SystemLog", () => {
  it("keeps the newest entries in a bounded ring and counts the lost ones", () => {
    const log = new SystemLog(new ManualClock(), 4);
    for (let i = 0; i < 6; i++) log.log(1, 0, 5, `m${i}`);
    expect(log.entries().map((e) => e.text)).toEqual(["m2", "m3", "m4", "m5"]);
    expect(log.entries().map((e) => e.seq)).toEqual([2, 3, 4, 5]);
    expect(log.lost).toBe(2);
    expect(log.entries(3).map((e) => e.text)).toEqual(["m4", "m5"]);
    expect(log.entries(0).map((e) => e.text)).toEqual(["m2", "m3", "m4", "m5"]);
    log.clear();
    expect(log.entries()).toEqual([]);
    expect(log.lost).toBe(0);
  });

  it("clamps severities to 0-7 and stamps wall time, codes and pid", () => {
    const clock = new ManualClock(0, 1000);
    const log = new SystemLog(clock);
    clock.advance(5);
    const e = log.log(7, 3, 42, "x", 99);
    expect(e).toMatchObject({ time: 1005, major: 7, minor: 3, severity: 7, pid: 99, text: "x" });
    expect(log.log(1, 0, -3, "y").severity).toBe(0);
    expect(SLOG_SEVERITY).toMatchObject({ SHUTDOWN: 0, ERROR: 2, INFO: 5, DEBUG2: 7 });
  });

  it("streams new entries to subscribers until they unsubscribe", () => {
    const log = new SystemLog(new ManualClock());
    const seen: SlogEntry[] = [];
    const off = log.subscribe((e) => seen.push(e));
    log.log(1, 0, 2, "one");
    off();
    log.log(1, 0, 2, "two");
    expect(seen.map((e) => e.text)).toEqual(["one"]);
  });
});

describe("errno", () => {
  it("uses QNX numbers", () => {
    expect(ERRNO).toMatchObject({
      EOK: 0,
      ENOENT: 2,
      ESRCH: 3,
      EINTR: 4,
      EBADF: 9,
      EAGAIN: 11,
      EACCES: 13,
      ENOTDIR: 20,
      EINVAL: 22,
      ENOSYS: 89,
      ELOOP: 90,
      ENOTSUP: 48,
      EADDRINUSE: 248,
      ETIMEDOUT: 260,
      ECONNREFUSED: 261,
      EHOSTDOWN: 264,
    });
  });

  it("gives strerror texts by name or number", () => {
    expect(strerror("ENOENT")).toBe("No such file or directory");
    expect(strerror(3)).toBe("No such process");
    expect(strerror(260)).toBe("Connection timed out");
    expect(strerror(9999)).toBe("Unknown error 9999");
    expect(errnoName(90)).toBe("ELOOP");
    expect(errnoName(9999)).toBeUndefined();
  });

  it("has KernelError carry errno, code and a default message", () => {
    const e = new KernelError("EACCES");
    expect(e).toBeInstanceOf(Error);
    expect([e.errno, e.code, e.message, e.name]).toEqual(["EACCES", 13, "Permission denied", "KernelError"]);
    expect(new KernelError("EIO", "disk on fire").message).toBe("disk on fire");
    expect(isErrno(e, "EACCES")).toBe(true);
    expect(isErrno(e, "EPERM")).toBe(false);
    expect(isErrno(new Error("x"), "EACCES")).toBe(false);
  });

  it("wraps foreign errors: Node's errno codes keep their name, anything else is EIO", () => {
    const nodeErr = Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT" });
    expect(KernelError.from(nodeErr).errno).toBe("ENOENT");
    expect(KernelError.from(Object.assign(new Error("weird"), { code: "EWEIRD" })).errno).toBe("EIO");
    expect(KernelError.from("text").message).toBe("text");
    const k = new KernelError("EBUSY");
    expect(KernelError.from(k)).toBe(k);
  });
});
