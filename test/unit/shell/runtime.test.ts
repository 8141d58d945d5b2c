// The shell on the real runtime (kernel, ramfs, pipe manager): in-shell pipelines block on
// real pipes concurrently, redirections open files through the pathname space.
import { describe, expect, it } from "vitest";
import { startPipeManager } from "../../../firmware/resmgr/pipe.ts";
import ksh from "../../../firmware/shell/ksh.ts";
import { boot, run } from "../bin/harness.ts";

describe("ksh on the runtime", () => {
  it("runs builtin pipelines over real pipes and redirects through ramfs", async () => {
    const { kernel } = await boot();
    await startPipeManager(kernel);
    const script = [
      "echo hello | read v; echo got $v",
      "echo $v > /tmp/f; echo more >> /tmp/f",
      "while read l; do echo line $l; done < /tmp/f",
      "{ echo a; echo b; } | while read x; do echo piped $x; done",
      "x=$(echo sub); echo $x",
      "cd /tmp && pwd && echo f*",
      "read h <<EOF\nheredoc $v\nEOF",
      "echo $h",
    ].join("\n");
    const r = await run(kernel, ksh, ["ksh", "-c", script]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(
      "got hello\nline hello\nline more\npiped a\npiped b\nsub\n/tmp\nf\nheredoc hello\n",
    );
    expect(r.status).toBe(0);
    await kernel.shutdown();
  });

  it("lets read take the next lines of a script piped to the shell", async () => {
    const { kernel } = await boot();
    await startPipeManager(kernel);
    const r = await run(kernel, ksh, ["ksh"], {
      stdin: "read a\nhello there\necho got $a\necho $(case x in x) echo sub;; esac)\n",
    });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("got hello there\nsub\n");
    await kernel.shutdown();
  });

  it("reads a file of many lines through buffered input, and exec redirections hold", async () => {
    const { kernel } = await boot();
    await startPipeManager(kernel);
    const script = [
      'i=0; while ((i < 2000)); do echo "row $i"; ((i++)); done > /tmp/big',
      "n=0; while read r; do ((n++)); last=$r; done < /tmp/big; echo $n $last",
      "exec 3</tmp/big; read -u3 a; read -u3 b; echo $a/$b; exec 3<&-",
      "exec 4>&1 >/tmp/out; echo redirected; exec >&4 4>&-",
      "read x < /tmp/out; echo $x >&2; echo back",
    ].join("\n");
    const r = await run(kernel, ksh, ["ksh", "-c", script]);
    expect(r.stdout).toBe("2000 row 1999\nrow 0/row 1\nback\n");
    expect(r.stderr).toBe("redirected\n");
    expect(r.status).toBe(0);
    await kernel.shutdown();
  });
});
