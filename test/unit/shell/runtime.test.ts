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
});
