// st_mode bits and their `ls -l` spelling (drwxr-xr-x). The values are the POSIX ones QNX uses.

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;

const TYPE_CHAR: ReadonlyMap<number, string> = new Map([
  [S_IFSOCK, "s"],
  [S_IFLNK, "l"],
  [S_IFREG, "-"],
  [S_IFBLK, "b"],
  [S_IFDIR, "d"],
  [S_IFCHR, "c"],
  [S_IFIFO, "p"],
]);

/** `ls -l` mode column: type letter then rwx triplets with setuid/setgid/sticky folded in. */
export function formatMode(mode: number): string {
  const type = TYPE_CHAR.get(mode & S_IFMT) ?? "?";
  const triplet = (shift: number, special: boolean, on: string, off: string): string => {
    const bits = (mode >> shift) & 7;
    const x = bits & 1;
    return (bits & 4 ? "r" : "-") + (bits & 2 ? "w" : "-") + (special ? (x ? on : off) : x ? "x" : "-");
  };
  return (
    type +
    triplet(6, (mode & S_ISUID) !== 0, "s", "S") +
    triplet(3, (mode & S_ISGID) !== 0, "s", "S") +
    triplet(0, (mode & S_ISVTX) !== 0, "t", "T")
  );
}

/** `ls -F` suffix: / directory, @ symlink, * executable, | fifo, = socket. */
export function classifySuffix(mode: number): string {
  switch (mode & S_IFMT) {
    case S_IFDIR:
      return "/";
    case S_IFLNK:
      return "@";
    case S_IFIFO:
      return "|";
    case S_IFSOCK:
      return "=";
    case S_IFREG:
      return mode & 0o111 ? "*" : "";
    default:
      return "";
  }
}

export function isDirMode(mode: number): boolean {
  return (mode & S_IFMT) === S_IFDIR;
}
