import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBuiltinManagers } from "../../../firmware/fs/builtin-managers.ts";
import { HostFs } from "../../../firmware/fs/host-fs.ts";
import { parseSlogWrite } from "../../../firmware/fs/slog-manager.ts";
import { makeFsClient } from "../../../firmware/resmgr/fs-client.ts";
import { startManager } from "../../../firmware/resmgr/start-manager.ts";
import { newKernel, runAs } from "../resmgr/harness.ts";

const ROOT = { uid: 0, gid: 0 };

describe("built-in managers", () => {
  it("/proc lists processes with cmdline and status", async () => {
    const k = newKernel();
    await startBuiltinManagers(k);
    const res = await runAs(k, ROOT, async (t) => {
      const fs = makeFsClient(t);
      const pid = t.process.pid;
      return {
        list: await fs.readdir("/proc"),
        cmdline: await fs.readFile(`/proc/${pid}/cmdline`, "utf8"),
        status: await fs.readFile("/proc/self/status", "utf8"),
        pid,
      };
    });
    expect(res.list).toContain(String(res.pid));
    expect(res.list).toContain("1");
    expect(res.cmdline).toBe("client\0");
    expect(res.status).toContain(`pid: ${res.pid}`);
    expect(res.status).toMatch(/tid=1 .*state=RUNNING|tid=1 .*state=REPLY/);
  });

  it("/dev/slog: writing logs a line with a severity, reading shows it", async () => {
    const k = newKernel();
    await startBuiltinManagers(k);
    const text = await runAs(k, ROOT, async (t) => {
      const fs = makeFsClient(t);
      await fs.writeFile("/dev/slog", "2:disk on fire\n", { flag: "w" });
      return fs.readFile("/dev/slog", "utf8");
    });
    const e = k.slog.entries().find((x) => x.text === "disk on fire");
    expect(e?.severity).toBe(2);
    expect(text).toContain("disk on fire");
    expect(parseSlogWrite("hello")).toEqual({ severity: 5, text: "hello" });
  });

  it("/dev/shmem and /tmp are separate ramfs instances; /dev lists the devices", async () => {
    const k = newKernel();
    await startBuiltinManagers(k);
    const res = await runAs(k, ROOT, async (t) => {
      const fs = makeFsClient(t);
      await fs.writeFile("/dev/shmem/seg", "x");
      return { dev: await fs.readdir("/dev"), tmp: await fs.readdir("/tmp") };
    });
    expect(res.dev).toEqual(expect.arrayContaining(["null", "zero", "random", "slog", "shmem", "pipe"]));
    expect(res.tmp).toEqual([]);
  });

  it("host-fs passes a host directory through, keeps links inside it, and can be read-only", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netrino-hostfs-"));
    try {
      writeFileSync(join(dir, "hello.txt"), "from host");
      symlinkSync("/hello.txt", join(dir, "abs-link"));
      const k = newKernel();
      await startManager(k, { name: "hostfs" }, (rm) => {
        new HostFs(rm, dir).mount("/data");
        new HostFs(rm, dir, { readOnly: true }).mount("/ro");
      });
      const res = await runAs(k, ROOT, async (t) => {
        const fs = makeFsClient(t);
        await fs.writeFile("/data/new.txt", "from netrino");
        await fs.mkdir("/data/sub");
        const viaLink = await fs.readFile("/data/abs-link", "utf8");
        await expect(fs.writeFile("/ro/x", "no")).rejects.toMatchObject({ errno: "EROFS" });
        return { list: await fs.readdir("/data"), viaLink, ro: await fs.readFile("/ro/hello.txt", "utf8") };
      });
      expect(readFileSync(join(dir, "new.txt"), "utf8")).toBe("from netrino");
      expect(res.list).toEqual(["abs-link", "hello.txt", "new.txt", "sub"]);
      expect(res.viaLink).toBe("from host");
      expect(res.ro).toBe("from host");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
