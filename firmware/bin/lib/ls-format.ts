// Pure layout for `ls`: the BSD long format and the multi-column short format.
import { lsTime } from "./date-format.ts";
import { classifySuffix, formatMode, S_IFCHR, S_IFBLK, S_IFMT } from "./file-mode.ts";

export interface LsEntry {
  name: string;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
  /** Symlink target for `name -> target` in the long format. */
  linkTarget?: string;
  /** Device number for character/block devices (shown instead of the size). */
  rdev?: number;
}

export interface LongFormatOptions {
  nowMs: number;
  utc: boolean;
  classify: boolean;
  userName(uid: number): string;
  groupName(gid: number): string;
}

/** uid/gid 0 is root, everything else prints as its number (there is no user database yet). */
export function defaultIdName(id: number): string {
  return id === 0 ? "root" : String(id);
}

/** `total N`: 512-byte blocks, as BSD ls counts them. */
export function totalBlocks(entries: readonly LsEntry[]): number {
  let blocks = 0;
  for (const e of entries) blocks += Math.ceil(e.size / 512);
  return blocks;
}

/** One line per entry: `drwxr-xr-x  2 root  root  0 Nov 23 12:00 name`, columns aligned. */
export function formatLong(entries: readonly LsEntry[], o: LongFormatOptions): string[] {
  const users = entries.map((e) => o.userName(e.uid));
  const groups = entries.map((e) => o.groupName(e.gid));
  const sizes = entries.map(sizeColumn);
  const wLink = Math.max(0, ...entries.map((e) => String(e.nlink).length));
  const wUser = Math.max(0, ...users.map((u) => u.length));
  const wGroup = Math.max(0, ...groups.map((g) => g.length));
  const wSize = Math.max(0, ...sizes.map((s) => s.length));
  return entries.map((e, i) => {
    let name = e.name;
    if (o.classify) name += classifySuffix(e.mode);
    if (e.linkTarget !== undefined) name += ` -> ${e.linkTarget}`;
    return (
      `${formatMode(e.mode)}  ${String(e.nlink).padStart(wLink)} ` +
      `${users[i].padEnd(wUser)}  ${groups[i].padEnd(wGroup)}  ${sizes[i].padStart(wSize)} ` +
      `${lsTime(e.mtimeMs, o.nowMs, o.utc)} ${name}`
    );
  });
}

function sizeColumn(e: LsEntry): string {
  const type = e.mode & S_IFMT;
  if ((type === S_IFCHR || type === S_IFBLK) && e.rdev !== undefined) {
    return `${(e.rdev >>> 10) & 0x3fffff}, ${e.rdev & 0x3ff}`;
  }
  return String(e.size);
}

/**
 * BSD multi-column layout: names sorted down the columns, each column as wide as its longest
 * name plus a gap, as many columns as fit in `width`.
 */
export function formatColumns(names: readonly string[], width: number): string[] {
  if (names.length === 0) return [];
  const gap = 2;
  const colWidth = Math.max(...names.map((n) => n.length)) + gap;
  const cols = Math.max(1, Math.floor((width + gap) / colWidth));
  const rows = Math.ceil(names.length / cols);
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    let line = "";
    for (let c = 0; c < cols; c++) {
      const idx = c * rows + r;
      if (idx >= names.length) break;
      const last = (c + 1) * rows + r >= names.length;
      line += last ? names[idx] : names[idx].padEnd(colWidth);
    }
    lines.push(line);
  }
  return lines;
}

/** C-locale order (byte order), as ls sorts by default. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
