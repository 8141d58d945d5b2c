import { describe, expect, it } from "vitest";
import * as client from "../../../firmware/resmgr/client.ts";
import * as C from "../../../firmware/resmgr/io-constants.ts";
import { newKernel, runAs, startRamfs, str, text } from "../resmgr/harness.ts";

const ROOT = { uid: 0, gid: 0 };

describe("ramfs through the client library", () => {
  it("creates, writes, reads back, seeks and stats a file", async () => {
    const k = newKernel();
    await startRamfs(k);
    const out = await runAs(k, ROOT, async (t) => {
      const fd = await client.open(t, "/tmp/a.txt", C.O_RDWR | C.O_CREAT, 0o644);
      expect(await client.write(t, fd, text("hello world"))).toBe(11);
      await client.lseek(t, fd, 6);
      const part = str(await client.read(t, fd, 100));
      const st = await client.fstat(t, fd);
      await client.close(t, fd);
      return { part, st };
    });
    expect(out.part).toBe("world");
    expect(out.st.size).toBe(11);
    expect(out.st.mode & C.S_IFMT).toBe(C.S_IFREG);
    expect(out.st.mode & 0o777).toBe(0o644);
  });

  it("mkdir, readdir, rename, unlink, rmdir", async () => {
    const k = newKernel();
    await startRamfs(k);
    const names = await runAs(k, ROOT, async (t) => {
      await client.mkdir(t, "/tmp/d", 0o755);
      await client.close(t, await client.open(t, "/tmp/d/x", C.O_WRONLY | C.O_CREAT));
      await client.close(t, await client.open(t, "/tmp/d/y", C.O_WRONLY | C.O_CREAT));
      await client.rename(t, "/tmp/d/x", "/tmp/d/z");
      const before = (await client.readdir(t, "/tmp/d")).map((d) => d.name).sort();
      await expect(client.rmdir(t, "/tmp/d")).rejects.toMatchObject({ errno: "ENOTEMPTY" });
      await client.unlink(t, "/tmp/d/y");
      await client.unlink(t, "/tmp/d/z");
      await client.rmdir(t, "/tmp/d");
      await expect(client.stat(t, "/tmp/d")).rejects.toMatchObject({ errno: "ENOENT" });
      return before;
    });
    expect(names).toEqual(["y", "z"]);
  });

  it("symlinks inside the fs redirect, lstat sees the link, loops give ELOOP", async () => {
    const k = newKernel();
    await startRamfs(k);
    await runAs(k, ROOT, async (t) => {
      await client.mkdir(t, "/tmp/real");
      const fd = await client.open(t, "/tmp/real/f", C.O_WRONLY | C.O_CREAT);
      await client.write(t, fd, text("data"));
      await client.close(t, fd);
      await client.symlink(t, "real", "/tmp/ln");
      expect(str(await client.read(t, await client.open(t, "/tmp/ln/f"), 10))).toBe("data");
      expect((await client.lstat(t, "/tmp/ln")).mode & C.S_IFMT).toBe(C.S_IFLNK);
      expect(await client.readlink(t, "/tmp/ln")).toBe("real");
      await client.symlink(t, "/tmp/loop2", "/tmp/loop1");
      await client.symlink(t, "/tmp/loop1", "/tmp/loop2");
      await expect(client.stat(t, "/tmp/loop1")).rejects.toMatchObject({ errno: "ELOOP" });
      await expect(client.stat(t, "/tmp/real/f/x")).rejects.toMatchObject({ errno: "ENOTDIR" });
    });
  });

  it("hard links share data and survive unlink of the first name", async () => {
    const k = newKernel();
    await startRamfs(k);
    const s = await runAs(k, ROOT, async (t) => {
      const fd = await client.open(t, "/tmp/one", C.O_WRONLY | C.O_CREAT);
      await client.write(t, fd, text("shared"));
      await client.close(t, fd);
      await client.link(t, "/tmp/one", "/tmp/two");
      expect((await client.stat(t, "/tmp/one")).nlink).toBe(2);
      await client.unlink(t, "/tmp/one");
      return str(await client.read(t, await client.open(t, "/tmp/two"), 100));
    });
    expect(s).toBe("shared");
  });

  it("denies access by mode bits (EACCES) and lets root through", async () => {
    const k = newKernel();
    await startRamfs(k);
    await runAs(k, ROOT, async (t) => {
      const fd = await client.open(t, "/tmp/secret", C.O_WRONLY | C.O_CREAT, 0o600);
      await client.write(t, fd, text("x"));
      await client.close(t, fd);
      await client.mkdir(t, "/tmp/closed", 0o700);
    });
    await runAs(k, { uid: 100, gid: 100 }, async (t) => {
      await expect(client.open(t, "/tmp/secret")).rejects.toMatchObject({ errno: "EACCES" });
      await expect(client.open(t, "/tmp/closed/x", C.O_WRONLY | C.O_CREAT)).rejects.toMatchObject({
        errno: "EACCES",
      });
      await expect(client.chmod(t, "/tmp/secret", 0o666)).rejects.toMatchObject({ errno: "EPERM" });
      // The creator may write its own new file whatever the mode says.
      const fd = await client.open(t, "/tmp/mine", C.O_WRONLY | C.O_CREAT | C.O_EXCL, 0o400);
      await client.write(t, fd, text("ok"));
      await client.close(t, fd);
    });
    await runAs(k, ROOT, async (t) => {
      await client.close(t, await client.open(t, "/tmp/secret", C.O_RDWR));
    });
  });

  it("enforces the size limit with ENOSPC", async () => {
    const k = newKernel();
    const { fs } = await startRamfs(k, "/tmp", { maxBytes: 1000 });
    await runAs(k, ROOT, async (t) => {
      const fd = await client.open(t, "/tmp/big", C.O_WRONLY | C.O_CREAT);
      await client.write(t, fd, new Uint8Array(900));
      await expect(client.write(t, fd, new Uint8Array(200))).rejects.toMatchObject({ errno: "ENOSPC" });
      await client.close(t, fd);
      await client.unlink(t, "/tmp/big");
    });
    expect(fs.used).toBe(0);
  });

  it("chown, utimes and O_APPEND / O_TRUNC", async () => {
    const k = newKernel();
    await startRamfs(k);
    const st = await runAs(k, ROOT, async (t) => {
      let fd = await client.open(t, "/tmp/f", C.O_WRONLY | C.O_CREAT);
      await client.write(t, fd, text("abc"));
      await client.close(t, fd);
      fd = await client.open(t, "/tmp/f", C.O_WRONLY | C.O_APPEND);
      await client.write(t, fd, text("def"));
      await client.close(t, fd);
      expect((await client.stat(t, "/tmp/f")).size).toBe(6);
      await client.chown(t, "/tmp/f", 5, 6);
      await client.utimes(t, "/tmp/f", 1000, 2000);
      await client.close(t, await client.open(t, "/tmp/f", C.O_WRONLY | C.O_TRUNC));
      return client.stat(t, "/tmp/f");
    });
    expect(st.uid).toBe(5);
    expect(st.gid).toBe(6);
    expect(st.atime).toBe(1000);
    expect(st.size).toBe(0);
  });
});
