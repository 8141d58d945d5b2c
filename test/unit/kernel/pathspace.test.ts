// The pathname space: longest-prefix resolution, union directories, file prefixes,
// procmgr_symlink links and the virtual directories registrations create.
import { describe, expect, it } from "vitest";
import { PathSpace, SYMLOOP_MAX, normalizePath } from "../../../firmware/kernel/index.ts";
import { gate, manualKernel, settle } from "./helpers.ts";

/** pid:chid of every match, most specific first, with the rest of the path. */
function who(ps: PathSpace, path: string): string[] {
  return ps.resolve(path).map((m) => `${m.reg.pid}:${m.rest}`);
}

function errnoOf(f: () => unknown): string {
  try {
    f();
    return "ok";
  } catch (e) {
    return (e as { errno: string }).errno;
  }
}

describe("normalizePath", () => {
  it("collapses //, ., .. and trailing slashes, relative to cwd", () => {
    expect(normalizePath("//a/./b/../c/")).toBe("/a/c");
    expect(normalizePath("/..")).toBe("/");
    expect(normalizePath("x/y", "/home/u")).toBe("/home/u/x/y");
    expect(normalizePath("../z", "/home/u/")).toBe("/home/z");
  });
});

describe("resolution", () => {
  it("prefers the longest prefix and falls back to shorter ones", () => {
    const ps = new PathSpace();
    ps.attach("/", { pid: 1, chid: 1 });
    ps.attach("/dev", { pid: 2, chid: 1 });
    ps.attach("/dev/ser1", { pid: 3, chid: 1, type: "file" });
    expect(who(ps, "/dev/ser1")).toEqual(["3:", "2:ser1", "1:dev/ser1"]);
    expect(who(ps, "/dev/null")).toEqual(["2:null", "1:dev/null"]);
    expect(who(ps, "/devices")).toEqual(["1:devices"]);
    expect(who(ps, "/")).toEqual(["1:"]);
  });

  it("orders managers on one prefix: before, then newest first, then after", () => {
    const ps = new PathSpace();
    ps.attach("/tmp", { pid: 10, chid: 1, order: "after" });
    ps.attach("/tmp", { pid: 11, chid: 1 });
    ps.attach("/tmp", { pid: 12, chid: 1, order: "before" });
    ps.attach("/tmp", { pid: 13, chid: 1 });
    ps.attach("/tmp/", { pid: 14, chid: 1, order: "after" });
    expect(who(ps, "/tmp/f")).toEqual(["12:f", "13:f", "11:f", "14:f", "10:f"]);
  });

  it("fails with ENOTDIR below a file prefix and ENOENT where nothing matches", () => {
    const ps = new PathSpace();
    ps.attach("/dev/null", { pid: 2, chid: 1, type: "file" });
    expect(errnoOf(() => ps.resolve("/dev/null/x"))).toBe("ENOTDIR");
    expect(errnoOf(() => ps.resolve("/etc/passwd"))).toBe("ENOENT");
    ps.attach("/", { pid: 1, chid: 1 });
    expect(errnoOf(() => ps.resolve("/dev/null/x"))).toBe("ENOTDIR");
    expect(who(ps, "/etc/passwd")).toEqual(["1:etc/passwd"]);
  });

  it("treats directories made only by deeper registrations as virtual (no manager, no ENOENT)", () => {
    const ps = new PathSpace();
    ps.attach("/dev/ser1", { pid: 2, chid: 1, type: "file" });
    ps.attach("/dev/io-pkt/en0", { pid: 3, chid: 1, type: "file" });
    ps.symlink("/dev/ser1", "/dev/console");
    expect(ps.resolve("/dev")).toEqual([]);
    expect(ps.isVirtualDir("/dev")).toBe(true);
    expect(ps.children("/dev")).toEqual([
      { name: "console", type: "link" },
      { name: "io-pkt", type: "dir" },
      { name: "ser1", type: "file" },
    ]);
    expect(ps.children("/")).toEqual([{ name: "dev", type: "dir" }]);
    expect(ps.isVirtualDir("/dev/ser1")).toBe(false);
  });

  it("rejects relative prefixes and detaches one registration by id", () => {
    const ps = new PathSpace();
    expect(errnoOf(() => ps.attach("tmp", { pid: 1, chid: 1 }))).toBe("EINVAL");
    const id = ps.attach("/a", { pid: 1, chid: 1, handle: 42 });
    expect(ps.resolve("/a/b")[0].reg.handle).toBe(42);
    expect(ps.detach(id)).toBe(true);
    expect(ps.detach(id)).toBe(false);
    expect(ps.count).toBe(0);
  });
});

describe("symlinks (procmgr_symlink)", () => {
  it("expands absolute and relative targets, keeping the rest of the path", () => {
    const ps = new PathSpace();
    ps.symlink("/proc/boot", "/bin");
    ps.symlink("ser1", "/dev/console");
    ps.symlink("../usr/lib", "/opt/lib");
    expect(ps.expandLinks("/bin/ls")).toBe("/proc/boot/ls");
    expect(ps.expandLinks("/dev/console")).toBe("/dev/ser1");
    expect(ps.expandLinks("/opt/lib/libc.so")).toBe("/usr/lib/libc.so");
    expect(ps.expandLinks("/binaries")).toBe("/binaries");
    expect(ps.readSymlink("/bin")).toBe("/proc/boot");
  });

  it("leaves the last component alone when not following it (lstat, unlink)", () => {
    const ps = new PathSpace();
    ps.symlink("/a", "/l");
    ps.symlink("/b", "/a/m");
    expect(ps.expandLinks("/l", false)).toBe("/l");
    expect(ps.expandLinks("/l/m", false)).toBe("/a/m");
    expect(ps.expandLinks("/l/m")).toBe("/b");
  });

  it("follows chains and fails loops with ELOOP", () => {
    const ps = new PathSpace();
    ps.symlink("/y", "/x");
    ps.symlink("/x", "/y");
    expect(errnoOf(() => ps.expandLinks("/x/f"))).toBe("ELOOP");
    const chain = new PathSpace();
    for (let i = 0; i < SYMLOOP_MAX; i++) chain.symlink(`/l${i + 1}`, `/l${i}`);
    expect(chain.expandLinks("/l0")).toBe(`/l${SYMLOOP_MAX}`);
    // One link more than SYMLOOP_MAX in a chain is refused like a loop, as on QNX.
    chain.symlink("/l0", "/l-1");
    expect(errnoOf(() => chain.expandLinks("/l-1"))).toBe("ELOOP");
  });

  it("refuses a second link at the same path and can remove one", () => {
    const ps = new PathSpace();
    ps.symlink("/a", "/l");
    expect(errnoOf(() => ps.symlink("/b", "/l/"))).toBe("EEXIST");
    expect(ps.symlinks()).toEqual([["/l", "/a"]]);
    expect(ps.unlinkSymlink("/l")).toBe(true);
    expect(ps.expandLinks("/l")).toBe("/l");
  });
});

describe("path space and processes", () => {
  it("removes a process's registrations when it ends", async () => {
    const { k } = manualKernel();
    const mgr = k.spawn({
      name: "mgr",
      main: (t) => {
        const chid = t.ChannelCreate();
        k.paths.attach("/dev/thing", { pid: t.process.pid, chid, type: "file" });
        k.paths.attach("/srv", { pid: t.process.pid, chid });
        return gate().wait;
      },
    });
    const other = k.spawn({
      name: "other",
      main: (t) => {
        k.paths.attach("/srv", { pid: t.process.pid, chid: 1 });
        return gate().wait;
      },
    });
    await settle(k);
    expect(k.paths.resolve("/srv/x").map((m) => m.reg.pid)).toEqual([other.pid, mgr.pid]);
    mgr.signal("SIGKILL");
    await mgr.wait();
    expect(k.paths.resolve("/srv/x").map((m) => m.reg.pid)).toEqual([other.pid]);
    expect(errnoOf(() => k.paths.resolve("/dev/thing"))).toBe("ENOENT");
  });
});
