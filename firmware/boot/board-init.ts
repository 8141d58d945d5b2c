// PID 1 on a board: /init (a busybox script in the initramfs) has mounted /proc, /sys, /dev
// and /data and loaded the board's kernel modules, then exec'd node with this file. It boots
// the card's image (/netrino/image.ifs) the way `netrino boot` does on a host and never exits:
// when the runtime shuts down the board powers off; on a fatal error it logs, opens an
// emergency shell on the console and reboots when that shell ends.
import { spawnSync } from "node:child_process";
import { bootHost } from "./host-boot.ts";

const IMAGE = "/netrino/image.ifs";
const BUSYBOX = "/bin/busybox";

function say(text: string): void {
  process.stderr.write(`netrino-init: ${text}\n`);
}

/** Leaves node's event loop alive forever: PID 1 exiting would panic the kernel. */
function never(): void {
  setInterval(() => undefined, 1 << 30);
}

function power(how: "poweroff" | "reboot"): void {
  spawnSync(BUSYBOX, ["sync"]);
  // FAT's dirty bit is cleared only by an unmount or a read-only remount (-r: when files are
  // still open): otherwise every boot finds /data "not properly unmounted".
  spawnSync(BUSYBOX, ["umount", "-r", "/data"]);
  spawnSync(BUSYBOX, [how, "-f"], { stdio: "inherit" });
  say(`${how} failed; halting here`);
  never();
}

function emergency(why: string): void {
  say(`${why}\nnetrino-init: emergency shell (exit to reboot)`);
  spawnSync(BUSYBOX, ["sh"], { stdio: "inherit", env: { PATH: "/bin", HOME: "/", TERM: "linux" } });
  power("reboot");
}

async function main(): Promise<void> {
  let status: number;
  try {
    status = await bootHost({ file: IMAGE, env: process.env });
  } catch (e) {
    emergency(`the runtime failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return;
  }
  if (status !== 0 && status !== 130 && status !== 143) {
    emergency(`the runtime ended with status ${status}`);
    return;
  }
  power("poweroff");
}

process.on("uncaughtException", (e) => say(`uncaught: ${e.stack ?? e.message}`));
void main();
