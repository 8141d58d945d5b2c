// The QEMU card from the same pipeline as the boards: `netrino build
// buildfiles/qemu-arm64.build`, then `netrino qemu` boots it under qemu-system-aarch64 to the
// shell prompt on the serial console; `pidin` lists node's processes and `shutdown` powers
// the guest off (QEMU exits 0). Needs network access to a Debian mirror (or a filled
// NETRINO_CACHE) and packages qemu-system-arm, mtools, dosfstools, fdisk, bmap-tools.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const IMG = join(ROOT, "images", "out", "qemu-arm64.img");
const haveQemu = !spawnSync("qemu-system-aarch64", ["--version"]).error;
const need = haveQemu || process.env.CI === "true";

describe.skipIf(!need)("qemu-arm64 card image (needs qemu-system-arm)", () => {
  it("builds, boots to the prompt, runs pidin and powers off on shutdown", async () => {
    const build = spawnSync(
      process.execPath,
      ["images/cli/netrino.js", "build", "buildfiles/qemu-arm64.build"],
      {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, SOURCE_DATE_EPOCH: "1700000000" },
      },
    );
    expect(build.status, build.stderr).toBe(0);
    expect(build.stdout).toContain("qemu-arm64.img");

    const q = spawn(process.execPath, ["images/cli/netrino.js", "qemu", IMG, "--port", "47391"], {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    const waitFor = (text: string): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (out.includes(text)) {
            q.stdout.off("data", check);
            resolve();
          }
        };
        q.stdout.on("data", check);
        check();
      });
    q.stdout.on("data", (b: Buffer) => (out += b.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => q.on("exit", resolve));
    await waitFor("Welcome to netrino");
    await waitFor("# ");
    q.stdin.write("pidin\r");
    await waitFor("ksh");
    q.stdin.write("shutdown\r");
    expect(await exited).toBe(0);
    expect(out).toContain("reboot: Power down");
  }, 300_000);
});
