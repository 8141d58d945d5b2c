// cp and mv with several sources: the target must be a directory, each source goes to
// target/basename, and one failing source sets the exit status without stopping the rest.
import { beforeEach, describe, expect, it } from "vitest";
import { boot, sh, type Booted } from "./harness.ts";

let b: Booted;
beforeEach(async () => {
  b = await boot();
});
const run = (...argv: string[]) => sh(b.kernel, argv);

describe("cp and mv operands", () => {
  it("refuse several sources into something that is not a directory, doing nothing", async () => {
    await run("touch", "/tmp/a", "/tmp/b", "/tmp/c");
    for (const prog of ["cp", "mv"]) {
      expect(await run(prog, "/tmp/a", "/tmp/b", "/tmp/c")).toEqual({
        status: 1,
        stdout: "",
        stderr: `${prog}: /tmp/c: Not a directory\n`,
      });
      expect(await run(prog, "/tmp/a", "/tmp/b", "/tmp/none")).toMatchObject({
        status: 1,
        stderr: `${prog}: /tmp/none: Not a directory\n`,
      });
    }
    expect((await run("ls", "/tmp")).stdout).toBe("a\nb\nc\n");
  });

  it("need a source and a target", async () => {
    for (const prog of ["cp", "mv"]) {
      const r = await run(prog, "/tmp/a");
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^usage: ${prog} `));
    }
  });

  it("copy several sources into a directory, going on past a missing one", async () => {
    await run("mkdir", "/tmp/d");
    await run("touch", "/tmp/a", "/tmp/b");
    const r = await run("cp", "/tmp/a", "/tmp/missing", "/tmp/b", "/tmp/d");
    expect(r).toMatchObject({ status: 1, stderr: "cp: /tmp/missing: No such file or directory\n" });
    expect((await run("ls", "/tmp/d")).stdout).toBe("a\nb\n");
    expect((await run("cp", "/tmp/a", "/tmp/a")).stderr).toBe(
      "cp: /tmp/a and /tmp/a are identical (not copied).\n",
    );
    expect((await run("cp", "-R", "/tmp/d", "/tmp/d/e")).stderr).toBe(
      "cp: cannot copy /tmp/d into itself (/tmp/d/e)\n",
    );
  });

  it("move several sources into a directory, and never into themselves", async () => {
    await run("mkdir", "/tmp/d");
    await run("touch", "/tmp/a", "/tmp/b");
    expect(await run("mv", "/tmp/a", "/tmp/b", "/tmp/d")).toEqual({ status: 0, stdout: "", stderr: "" });
    expect((await run("ls", "/tmp", "/tmp/d")).stdout).toBe("/tmp:\nd\n\n/tmp/d:\na\nb\n");
    expect(await run("mv", "/tmp/d", "/tmp/d/e")).toMatchObject({
      status: 1,
      stderr: "mv: cannot rename /tmp/d to a subdirectory of itself, /tmp/d/e\n",
    });
  });
});
