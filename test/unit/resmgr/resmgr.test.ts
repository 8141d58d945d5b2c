import { describe, expect, it } from "vitest";
import { settle } from "../../helpers/wait.ts";
import * as client from "../../../firmware/resmgr/client.ts";
import * as C from "../../../firmware/resmgr/io-constants.ts";
import { startManager } from "../../../firmware/resmgr/start-manager.ts";
import { attachDevNull } from "../../../firmware/fs/dev-null.ts";
import { attachDevZero } from "../../../firmware/fs/dev-zero.ts";
import { Imagefs } from "../../../firmware/fs/imagefs.ts";
import { makeFsClient } from "../../../firmware/resmgr/fs-client.ts";
import { newKernel, runAs, startRamfs, str, text } from "./harness.ts";

const ROOT = { uid: 0, gid: 0 };

describe("resource manager framework", () => {
  it("serves a file attachment; mount points show up in readdir of their directory", async () => {
    const k = newKernel();
    await startManager(k, { name: "devs" }, (rm) => {
      attachDevNull(rm);
      attachDevZero(rm);
    });
    const { names, zeros, st } = await runAs(k, ROOT, async (t) => {
      const fd = await client.open(t, "/dev/zero");
      const zeros = await client.read(t, fd, 5);
      await client.close(t, fd);
      const nfd = await client.open(t, "/dev/null", C.O_WRONLY);
      expect(await client.write(t, nfd, text("gone"))).toBe(4);
      await client.close(t, nfd);
      const st = await client.stat(t, "/dev");
      return { names: (await client.readdir(t, "/dev")).map((d) => d.name).sort(), zeros, st };
    });
    expect(names).toEqual(["null", "zero"]);
    expect([...zeros]).toEqual([0, 0, 0, 0, 0]);
    expect(st.mode & C.S_IFMT).toBe(C.S_IFDIR);
  });

  it("union directories: two managers on one path merge, ENOENT falls through", async () => {
    const k = newKernel();
    const now = 0;
    await startManager(k, { name: "imagefs" }, (rm) =>
      new Imagefs(rm, [
        { path: "/u/from-image", mode: 0o644, uid: 0, gid: 0, data: text("image"), mtime: now },
        { path: "/u/both", mode: 0o644, uid: 0, gid: 0, data: text("image-both"), mtime: now },
      ]).mount(),
    );
    await startRamfs(k, "/u");
    const res = await runAs(k, ROOT, async (t) => {
      const fd = await client.open(t, "/u/both", C.O_WRONLY | C.O_CREAT);
      await client.write(t, fd, text("ram-both"));
      await client.close(t, fd);
      const fs = makeFsClient(t);
      return {
        names: await fs.readdir("/u"),
        both: await fs.readFile("/u/both", "utf8"),
        image: await fs.readFile("/u/from-image", "utf8"),
        rootNames: await fs.readdir("/"),
      };
    });
    expect(res.names).toEqual(["both", "from-image"]);
    expect(res.both).toBe("ram-both");
    expect(res.image).toBe("image");
    expect(res.rootNames).toContain("u");
  });

  it("imagefs is read-only: EROFS", async () => {
    const k = newKernel();
    await startManager(k, { name: "imagefs" }, (rm) =>
      new Imagefs(rm, [{ path: "/img/f", mode: 0o755, uid: 0, gid: 0, data: text("x"), mtime: 0 }]).mount(),
    );
    await runAs(k, ROOT, async (t) => {
      await expect(client.open(t, "/img/f", C.O_WRONLY)).rejects.toMatchObject({ errno: "EROFS" });
      await expect(client.open(t, "/img/new", C.O_WRONLY | C.O_CREAT)).rejects.toMatchObject({
        errno: "EROFS",
      });
      await expect(client.unlink(t, "/img/f")).rejects.toMatchObject({ errno: "EROFS" });
      await expect(client.chmod(t, "/img/f", 0o777)).rejects.toMatchObject({ errno: "EROFS" });
    });
  });

  it("path-space symlinks and ENOTDIR below a file", async () => {
    const k = newKernel();
    await startRamfs(k);
    k.paths.symlink("/tmp", "/scratch");
    await runAs(k, ROOT, async (t) => {
      const fs = makeFsClient(t);
      await fs.writeFile("/scratch/x", "via link");
      expect(await fs.readFile("/tmp/x", "utf8")).toBe("via link");
      expect((await fs.lstat("/scratch")).isSymbolicLink()).toBe(true);
      expect(await fs.readlink("/scratch")).toBe("/tmp");
      expect(await fs.realpath("/scratch/x")).toBe("/tmp/x");
      await expect(fs.stat("/tmp/x/y")).rejects.toMatchObject({ errno: "ENOTDIR" });
      await expect(fs.stat("/nowhere")).rejects.toMatchObject({ errno: "ENOENT" });
    });
  });

  it("releases OCBs and connections when a client process dies without closing", async () => {
    const k = newKernel();
    const { rm } = await startRamfs(k);
    const baseConns = k.counts.connections;
    const baseChans = k.counts.channels;
    await runAs(k, ROOT, async (t) => {
      await client.open(t, "/tmp/a", C.O_WRONLY | C.O_CREAT);
      await client.open(t, "/tmp/a");
      await client.dup(t, 0);
      expect(rm.openCount).toBe(3);
      expect(k.counts.connections).toBe(baseConns + 3);
    });
    await settle(() => rm.openCount === 0, "the dead process's opens to be closed");
    expect(rm.openCount).toBe(0);
    expect(k.counts.connections).toBe(baseConns);
    expect(k.counts.channels).toBe(baseChans);
  });

  it("dup shares the offset; a handle is only valid on its own connection", async () => {
    const k = newKernel();
    await startRamfs(k);
    const out = await runAs(k, ROOT, async (t) => {
      const fd = await client.open(t, "/tmp/f", C.O_RDWR | C.O_CREAT);
      await client.write(t, fd, text("abcdef"));
      await client.lseek(t, fd, 0);
      const fd2 = await client.dup(t, fd);
      const a = str(await client.read(t, fd, 2));
      const b = str(await client.read(t, fd2, 2));
      // Forge: use fd2's connection with fd's handle.
      const e1 = t.process.fds.get(fd)!;
      const e2 = t.process.fds.get(fd2)!;
      t.process.fds.set(fd2, { ...e2, handle: e1.handle });
      await expect(client.read(t, fd2, 1)).rejects.toMatchObject({ errno: "EBADF" });
      return a + b;
    });
    expect(out).toBe("abcd");
  });

  it("a dead manager makes its paths go away and clients get an error, not a hang", async () => {
    const k = newKernel();
    const { process } = await startRamfs(k);
    process.signal("SIGKILL");
    await process.wait();
    await runAs(k, ROOT, async (t) => {
      await expect(client.open(t, "/tmp/x")).rejects.toMatchObject({ errno: "ENOENT" });
    });
  });
});

describe("resource manager thread pool", () => {
  it("grows to maxThreads while every thread is busy, warns once at the ceiling, then shrinks back", async () => {
    const k = newKernel();
    const gates: Array<() => void> = [];
    let exhausted = 0;
    const { rm } = await startManager(k, { name: "slow" }, (m) => {
      m.attach("/dev/slow", {
        type: "file",
        handlers: {
          devctl: () => new Promise((resolve) => gates.push(() => resolve({ ret: 0 }))),
        },
      });
      m.start(0, { maxThreads: 3, onExhausted: () => exhausted++ });
    });
    const call = () =>
      runAs(k, ROOT, async (t) => {
        const fd = await client.open(t, "/dev/slow");
        return (await client.devctl(t, fd, 1)).ret;
      });
    const settle = async () => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    };
    const calls = [call(), call(), call(), call()];
    await settle();
    // Three threads hold a request each (the ceiling); the fourth client waits for one.
    expect(gates).toHaveLength(3);
    expect(rm.threads).toEqual({ live: 3, idle: 0 });
    expect(exhausted).toBe(1);
    for (const g of gates.splice(0)) g();
    await settle();
    expect(gates).toHaveLength(1); // the fourth, served by a freed thread
    gates[0]();
    expect(await Promise.all(calls)).toEqual([0, 0, 0, 0]);
    await settle();
    expect(rm.threads).toEqual({ live: 1, idle: 1 });
  });
});
