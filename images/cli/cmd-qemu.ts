// `netrino qemu IMAGE [--wire HOST:PORT] [--port N] [--mac MAC]`: boots a card image of a
// board with a `qemu` entry under QEMU. Kernel, initramfs and command line come from the
// card's boot partition (mtools, no root); the card itself is the guest's virtio disk (its
// data partition is /data); the serial console is this terminal; the guest's Ethernet is on
// the UDP virtual wire host nodes use (-netdev socket,udp=…).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { findBoard } from "../../boards/index.ts";
import { BOOT_START } from "../card/card.ts";
import { parseArgs } from "./args.ts";
import type { CliIo } from "./io.ts";

export const QEMU_USAGE = "usage: netrino qemu IMAGE [--wire HOST:PORT] [--port N] [--mac MAC]\n";

export async function qemuCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, ["--wire", "--port", "--mac"], []);
  if (args.error || args.positional.length !== 1) {
    io.stderr(`netrino qemu: ${args.error ?? "expected one card image"}\n${QEMU_USAGE}`);
    return 2;
  }
  const img = resolve(io.cwd, args.positional[0]);
  const boardName = basename(img).replace(/\.img$/, "");
  const board = findBoard(boardName);
  if (!board?.qemu) {
    io.stderr(`netrino qemu: ${args.positional[0]}: not an image of a QEMU board (qemu-arm64, qemu-armhf)\n`);
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), "netrino-qemu-"));
  try {
    const part = `${img}@@${BOOT_START}`;
    const r = spawnSync("mcopy", ["-n", "-i", part, "::vmlinuz", "::initrd.img", "::cmdline.txt", dir], {
      encoding: "utf8",
      env: { ...process.env, MTOOLS_SKIP_CHECK: "1" },
    });
    if (r.error || r.status !== 0) {
      io.stderr(
        `netrino qemu: ${args.positional[0]}: cannot read the boot partition: ${r.error?.message ?? r.stderr.trim()}\n`,
      );
      return 1;
    }
    const wire = args.options.get("--wire")?.at(-1) ?? "127.0.0.1:47300";
    const port = args.options.get("--port")?.at(-1) ?? "47390";
    const mac = args.options.get("--mac")?.at(-1) ?? "52:54:00:47:00:90";
    const q = board.qemu;
    const qargs = [
      ["-M", q.machine, "-cpu", q.cpu, "-m", "1024", "-nographic", "-no-reboot"],
      // One emulated CPU per host core (up to 2): node's processes start side by side.
      ["-smp", String(Math.min(2, availableParallelism()))],
      ["-kernel", join(dir, "vmlinuz"), "-initrd", join(dir, "initrd.img")],
      ["-append", readFileSync(join(dir, "cmdline.txt"), "utf8").trim()],
      ["-drive", `file=${img},format=raw,if=virtio,snapshot=off`],
      ["-netdev", `socket,id=n0,udp=${wire},localaddr=127.0.0.1:${port}`],
      // romfile= : no option ROM (iPXE) is needed to boot a kernel directly.
      ["-device", `${q.nic},netdev=n0,mac=${mac},romfile=`],
    ].flat();
    const child = spawn(q.binary, qargs, { stdio: "inherit" });
    return await new Promise<number>((done) => {
      child.on("error", (e) => {
        io.stderr(`netrino qemu: cannot run ${q.binary} (package qemu-system-arm): ${e.message}\n`);
        done(1);
      });
      child.on("exit", (code) => done(code ?? 1));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
