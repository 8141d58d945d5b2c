import { beforeEach, describe, expect, it } from "vitest";
import { boot, sh, type Booted } from "./harness.ts";

let b: Booted;
beforeEach(async () => {
  b = await boot();
});
const run = (...argv: string[]) => sh(b.kernel, argv);

describe("file utilities on ramfs", () => {
  it("touch creates an empty file that ls lists and cat prints", async () => {
    expect(await run("touch", "/tmp/a")).toMatchObject({ status: 0, stderr: "" });
    expect((await run("ls", "/tmp")).stdout).toBe("a\n");
    expect(await run("cat", "/tmp/a")).toEqual({ status: 0, stdout: "", stderr: "" });
  });

  it("reports missing files as BSD tools do", async () => {
    expect(await run("ls", "/nope")).toEqual({
      status: 1,
      stdout: "",
      stderr: "ls: /nope: No such file or directory\n",
    });
    expect(await run("cat", "/tmp/nope")).toMatchObject({
      status: 1,
      stderr: "cat: /tmp/nope: No such file or directory\n",
    });
    expect(await run("rm", "/tmp/nope")).toMatchObject({
      status: 1,
      stderr: "rm: /tmp/nope: No such file or directory\n",
    });
    expect(await run("rm", "-f", "/tmp/nope")).toEqual({ status: 0, stdout: "", stderr: "" });
  });

  it("prints usage for bad options", async () => {
    const r = await run("ls", "-Z");
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("ls: illegal option -- Z\nusage: ls [-1AaFdlR] [file ...]\n");
  });

  it("mkdir -p, cp, mv, ls -R, rm -r", async () => {
    expect((await run("mkdir", "-p", "/tmp/x/y/z")).status).toBe(0);
    expect((await run("mkdir", "/tmp/x")).stderr).toBe("mkdir: /tmp/x: File exists\n");
    await run("touch", "/tmp/x/f");
    expect((await run("cp", "/tmp/x/f", "/tmp/x/y/g")).status).toBe(0);
    expect((await run("cp", "/tmp/x", "/tmp/q")).stderr).toBe("cp: /tmp/x is a directory (not copied).\n");
    expect((await run("cp", "-r", "/tmp/x", "/tmp/q")).status).toBe(0);
    expect((await run("mv", "/tmp/q/f", "/tmp/q/h")).status).toBe(0);
    expect((await run("ls", "-R", "/tmp/q")).stdout).toBe("h\ny\n\n/tmp/q/y:\ng\nz\n\n/tmp/q/y/z:\n");
    expect((await run("rmdir", "/tmp/q")).stderr).toBe("rmdir: /tmp/q: Directory not empty\n");
    expect((await run("rm", "/tmp/q")).stderr).toBe("rm: /tmp/q: is a directory\n");
    expect((await run("rm", "-r", "/tmp/q")).status).toBe(0);
    expect((await run("ls", "/tmp")).stdout).toBe("x\n");
  });

  it("ln -s and ls -l show the link; ls -F classifies", async () => {
    await run("mkdir", "/tmp/d");
    expect((await run("ln", "-s", "/tmp/d", "/tmp/l")).status).toBe(0);
    const l = await run("ls", "-l", "/tmp");
    expect(l.stdout).toMatch(/^total \d+\n/);
    expect(l.stdout).toMatch(/\ndrwxr-xr-x +\d+ root +root +\d+ \w{3} [ \d]\d \d\d:\d\d d\n/);
    expect(l.stdout).toMatch(/\nlrwxrwxrwx +1 root +root +\d+ .* l -> \/tmp\/d\n/);
    expect((await run("ls", "-F", "/tmp")).stdout).toBe("d/\nl@\n");
    expect((await run("ls", "-d", "/tmp/d")).stdout).toBe("/tmp/d\n");
  });

  it("ls -a shows dot files and . ..", async () => {
    await run("touch", "/tmp/.hidden", "/tmp/v");
    expect((await run("ls", "/tmp")).stdout).toBe("v\n");
    expect((await run("ls", "-a", "/tmp")).stdout).toBe(".\n..\n.hidden\nv\n");
    expect((await run("ls", "-A", "/tmp")).stdout).toBe(".hidden\nv\n");
  });
});
