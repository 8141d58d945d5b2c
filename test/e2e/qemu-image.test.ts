// The QEMU card from the same pipeline as the boards: `netrino build
// buildfiles/qemu-arm64.build`, then `netrino qemu` boots it under qemu-system-aarch64 to the
// shell prompt on the serial console. The guest's Ethernet (virtio eth0 through devnp-pcap and
// the cross-built pcap addon) is on the UDP wire of a host node (`netrino boot
// buildfiles/host.build`, hosting the wire's hub): the guest shows its address in `ifconfig`
// and pings the host node, `pidin` lists node's processes and `shutdown` powers the guest off
// (QEMU exits 0) with the data partition cleanly unmounted (fsck.fat). Needs a Debian mirror (or a filled NETRINO_CACHE), g++-aarch64-linux-gnu
// and packages qemu-system-arm, mtools, dosfstools, fdisk.
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConsoleProcess } from "./console-process.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const IMG = join(ROOT, "images", "out", "qemu-arm64.img");
const haveQemu = !spawnSync("qemu-system-aarch64", ["--version"]).error;
const need = haveQemu || process.env.CI === "true";
// A wire of this run: concurrent runs (and a developer's `npm start`) stay apart.
const HUB_PORT = 46400 + (process.pid % 900);
const QEMU_PORT = HUB_PORT + 1000;

describe.skipIf(!need)("qemu-arm64 card image (needs qemu-system-arm)", () => {
  const procs: ConsoleProcess[] = [];
  afterAll(() => procs.forEach((p) => p.stop()));

  it("builds, boots to the prompt, pings a host node on the wire, runs ifconfig and pidin, powers off", async () => {
    const build = spawnSync(
      process.execPath,
      ["images/cli/netrino.js", "build", "buildfiles/qemu-arm64.build"],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, SOURCE_DATE_EPOCH: "1700000000" } },
    );
    expect(build.status, build.stderr).toBe(0);
    expect(build.stdout).toContain("qemu-arm64.img");

    const host = new ConsoleProcess(
      [
        "images/cli/netrino.js",
        "boot",
        "buildfiles/host.build",
        "-D",
        `NETRINO_WIRE=127.0.0.1:${HUB_PORT}`,
        "-D",
        "NETRINO_IP=10.47.0.1",
      ],
      ROOT,
    );
    procs.push(host);
    await host.waitFor("/ # ");

    const t0 = performance.now();
    const guest = new ConsoleProcess(
      ["images/cli/netrino.js", "qemu", IMG, "--wire", `127.0.0.1:${HUB_PORT}`, "--port", String(QEMU_PORT)],
      ROOT,
    );
    procs.push(guest);
    await guest.waitFor("Welcome to netrino", 240_000);
    await guest.waitFor("# ", 60_000);
    console.log(`qemu-arm64 boot to prompt: ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const ifconfig = await guest.run("ifconfig en0", 30_000, "\r");
    expect(ifconfig).toContain("10.47.0.90");
    const ping = await guest.run("ping -c 3 10.47.0.1", 60_000, "\r");
    expect(ping).toMatch(/3 packets transmitted, 3 packets received/);
    // The host node learned the guest on the wire too.
    expect(await host.run("ping -c 1 10.47.0.90", 30_000)).toMatch(/1 packets received/);
    expect(await guest.run("pidin", 30_000, "\r")).toContain("io-pkt");

    guest.proc.stdin?.write("shutdown\r");
    expect(await guest.exited).toBe(0);
    expect(guest.output).toContain("reboot: Power down");
    // PID 1 unmounted /data before powering off: fsck.fat finds the FAT's dirty bit clear.
    const parts = JSON.parse(spawnSync("sfdisk", ["--json", IMG], { encoding: "utf8" }).stdout) as {
      partitiontable: { partitions: { start: number; size: number }[] };
    };
    const data = parts.partitiontable.partitions[1];
    const fat = join(tmpdir(), `netrino-data-${process.pid}.fat`);
    const fd = openSync(IMG, "r");
    const bytes = Buffer.alloc(data.size * 512);
    readSync(fd, bytes, 0, bytes.length, data.start * 512);
    closeSync(fd);
    writeFileSync(fat, bytes);
    const fsck = spawnSync("fsck.fat", ["-n", fat], { encoding: "utf8" });
    rmSync(fat);
    expect(fsck.stdout, fsck.stderr).not.toMatch(/Dirty bit/);
    expect(fsck.status).toBe(0);
  }, 600_000);
});
