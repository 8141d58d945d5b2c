// What `netrino flash` needs to know about a target disk before touching it, and the one
// place that asks the host (lsblk, findmnt, blockdev from util-linux). Injectable, so every
// refusal is testable without real disks.
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";

export interface DiskInfo {
  /** Canonical device path (`/dev/sdb`). */
  readonly path: string;
  /** lsblk TYPE: disk, part, loop, rom, lvm … */
  readonly type: string;
  readonly sizeBytes: number;
  /** The kernel calls it removable or hot-pluggable, or it hangs on USB / an MMC slot. */
  readonly removable: boolean;
  /** lsblk TRAN (usb, sata, nvme, mmc …), when known. */
  readonly transport: string | null;
  /** Every mount of the disk and of anything on it (partitions, LVM, crypt): device → mountpoint. */
  readonly mounts: readonly { device: string; mountpoint: string }[];
}

export interface DiskFacts {
  /** Facts of a block device; an Error whose message names the problem when it is not one. */
  describe(device: string): DiskInfo;
  /** The whole disks the running system's root filesystem lives on (empty when not on a disk). */
  systemDisks(): string[];
  /** Writes the device's dirty buffers and drops its cache, so a read-back reads the medium. */
  flushBuffers(device: string): void;
}

interface LsblkDevice {
  name?: string;
  path?: string;
  type?: string;
  size?: number | string;
  rm?: boolean | string;
  hotplug?: boolean | string;
  tran?: string | null;
  mountpoints?: (string | null)[];
  children?: LsblkDevice[];
}

const flag = (v: boolean | string | undefined): boolean => v === true || v === "1";

/** lsblk's JSON for one device tree → DiskInfo (exported for tests of the parsing). */
export function diskInfoFromLsblk(json: string, device: string): DiskInfo {
  const parsed = JSON.parse(json) as { blockdevices?: LsblkDevice[] };
  const top = parsed.blockdevices?.[0];
  if (!top) throw new Error(`${device}: lsblk does not know this device`);
  const mounts: { device: string; mountpoint: string }[] = [];
  const walk = (d: LsblkDevice): void => {
    for (const m of d.mountpoints ?? [])
      if (m) mounts.push({ device: d.path ?? d.name ?? "?", mountpoint: m });
    for (const c of d.children ?? []) walk(c);
  };
  walk(top);
  const tran = top.tran ?? null;
  const name = top.name ?? "";
  return {
    path: top.path ?? device,
    type: top.type ?? "disk",
    sizeBytes: Number(top.size ?? 0),
    removable:
      flag(top.rm) || flag(top.hotplug) || tran === "usb" || tran === "mmc" || /^mmcblk\d+$/.test(name),
    transport: tran,
    mounts,
  };
}

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** The host's facts through util-linux. */
export function hostDiskFacts(): DiskFacts {
  return {
    describe(device) {
      let st;
      try {
        st = statSync(device);
      } catch {
        throw new Error(`${device}: No such device`);
      }
      if (!st.isBlockDevice())
        throw new Error(`${device}: not a block device (give a whole disk such as /dev/sdb)`);
      let json: string;
      try {
        json = run("lsblk", ["-J", "-b", "-o", "NAME,PATH,TYPE,SIZE,RM,HOTPLUG,TRAN,MOUNTPOINTS", device]);
      } catch (e) {
        throw new Error(`${device}: lsblk failed: ${(e as Error).message.split("\n")[0]}`);
      }
      return diskInfoFromLsblk(json, device);
    },
    systemDisks() {
      let source: string;
      try {
        source = run("findmnt", ["-n", "-o", "SOURCE", "-T", "/"]).trim();
      } catch {
        return [];
      }
      if (!source.startsWith("/dev/")) return []; // overlay, tmpfs: not on a disk we could be given
      try {
        // -s walks from the root's device up to the disks under it (through LVM, crypt, RAID).
        const tree = JSON.parse(run("lsblk", ["-J", "-s", "-o", "PATH,TYPE", source])) as {
          blockdevices?: LsblkDevice[];
        };
        const disks: string[] = [];
        const walk = (d: LsblkDevice): void => {
          if (d.type === "disk" && d.path) disks.push(d.path);
          for (const c of d.children ?? []) walk(c);
        };
        for (const d of tree.blockdevices ?? []) walk(d);
        return disks;
      } catch {
        return [];
      }
    },
    flushBuffers(device) {
      run("blockdev", ["--flushbufs", device]);
    },
  };
}
