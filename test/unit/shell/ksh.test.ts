import { describe, expect, it } from "vitest";
import { runKsh } from "../../../firmware/shell/ksh.ts";
import { makeOs } from "./helpers.ts";

function ksh(argv: string[], stdin = "", setup?: (os: ReturnType<typeof makeOs>) => void) {
  const os = makeOs(stdin);
  setup?.(os);
  return runKsh(os, { argv, env: { PATH: "/bin", HOME: "/home" }, cwd: "/" }).then((status) => ({
    status,
    out: os.stdout,
    err: os.stderr,
    os,
  }));
}

describe("ksh program", () => {
  it("runs -c with arg0 and arguments", async () => {
    const r = await ksh(["ksh", "-c", 'echo "$0:$1:$#"; exit 5', "name", "a1"]);
    expect(r.out).toBe("name:a1:1\n");
    expect(r.status).toBe(5);
  });

  it("runs a script file with arguments, skipping its #! line", async () => {
    const r = await ksh(["sh", "/tmp/s.sh", "x", "y"], "", (os) =>
      os.writeFileSync("/tmp/s.sh", "#!/bin/sh\nfor a; do echo arg $a; done\necho $0\n"),
    );
    expect(r.out).toBe("arg x\narg y\n/tmp/s.sh\n");
    expect(r.status).toBe(0);
  });

  it("reports a missing script", async () => {
    const r = await ksh(["ksh", "/nope.sh"]);
    expect(r.status).toBe(127);
    expect(r.err).toBe("ksh: /nope.sh: cannot open [No such file or directory]\n");
  });

  it("reads commands from a non-terminal stdin, multi-line constructs included", async () => {
    const r = await ksh(["ksh"], "echo one\nif true\nthen echo two\nfi\necho three | upper\n");
    expect(r.out).toBe("one\ntwo\nTHREE\n");
    expect(r.err).toBe("");
  });

  it("prompts with PS1 and PS2 when interactive (-i)", async () => {
    const r = await ksh(["ksh", "-i"], "echo 'a\nb'\nexit 3\n");
    expect(r.out).toBe("a\nb\n");
    expect(r.err).toBe("/ # > / # ");
    expect(r.status).toBe(3);
  });

  it("keeps going after a syntax error when interactive and stores history", async () => {
    const r = await ksh(["ksh", "-i"], "fi\necho ok\nhistory\n");
    expect(r.err).toContain("ksh: syntax error: line 1: 'fi' unexpected\n");
    expect(r.out).toBe("ok\n1       fi\n2       echo ok\n3       history\n");
  });

  it("reads /etc/profile and $HOME/.profile for a login shell", async () => {
    const r = await ksh(["-ksh", "-c", "echo $A$B"], "", (os) => {
      os.mkdir("/etc");
      os.mkdir("/home");
      os.writeFileSync("/etc/profile", "A=etc\n");
      os.writeFileSync("/home/.profile", "B=home\n");
    });
    expect(r.out).toBe("etchome\n");
  });

  it("prints Done notices for background jobs before the next prompt", async () => {
    const r = await ksh(["ksh", "-i"], "status 3 &\n:\n:\n");
    expect(r.err).toBe("/ # [1] 200\n[1] + Done (3)             status 3\n/ # / # / # ");
  });

  it("rejects unknown options", async () => {
    const r = await ksh(["ksh", "-Z"]);
    expect(r.status).toBe(2);
    expect(r.err).toBe("ksh: -Z: unknown option\n");
  });
});
