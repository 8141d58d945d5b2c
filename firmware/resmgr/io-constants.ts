// Numbers shared by clients and managers: message types, connect subtypes, open flags and
// st_mode bits. Values follow QNX's <sys/iomsg.h>, <fcntl.h> and <sys/stat.h> where QNX has
// the same thing; netrino additions are marked.

/** I/O message types (QNX `_IO_*`, `_IO_BASE` = 0x100). */
export const IO_CONNECT = 0x100;
export const IO_READ = 0x101;
export const IO_WRITE = 0x102;
export const IO_STAT = 0x104;
export const IO_NOTIFY = 0x105;
export const IO_DEVCTL = 0x106;
export const IO_LSEEK = 0x109;
export const IO_CHMOD = 0x10a;
/** _IO_FDINFO: the offset of another process's open file (pidin fds). */
export const IO_FDINFO = 0x10e;
export const IO_CHOWN = 0x10b;
export const IO_UTIME = 0x10c;
export const IO_DUP = 0x115;
export const IO_CLOSE = 0x116;

/** _IO_CONNECT subtypes. 2..7 are QNX's; the rest are netrino's (QNX combines messages instead). */
export const CONNECT_OPEN = 2;
export const CONNECT_UNLINK = 3;
export const CONNECT_RENAME = 4;
export const CONNECT_MKDIR = 5; // QNX: _IO_CONNECT_MKNOD with S_IFDIR
export const CONNECT_READLINK = 6;
export const CONNECT_LINK = 7;
export const CONNECT_STAT = 16;
export const CONNECT_SYMLINK = 17;
export const CONNECT_CHMOD = 18;
export const CONNECT_CHOWN = 19;
export const CONNECT_UTIME = 20;
export const CONNECT_RMDIR = 21;

export const CONNECT_SUBTYPES: readonly number[] = [
  CONNECT_OPEN,
  CONNECT_UNLINK,
  CONNECT_RENAME,
  CONNECT_MKDIR,
  CONNECT_READLINK,
  CONNECT_LINK,
  CONNECT_STAT,
  CONNECT_SYMLINK,
  CONNECT_CHMOD,
  CONNECT_CHOWN,
  CONNECT_UTIME,
  CONNECT_RMDIR,
];

/** eflag bits of _IO_CONNECT. */
export const EFLAG_DIR = 0x01; // the path had a trailing slash: it must name a directory
export const EFLAG_NOFOLLOW = 0x10; // do not follow a symlink in the last component (lstat, readlink, unlink)

/** extraType of _IO_CONNECT: what the extra bytes carry. */
export const EXTRA_NONE = 0;
export const EXTRA_PATH = 1; // rename source, link target, symlink target (UTF-8)
export const EXTRA_IDS = 2; // chown: uid u32, gid u32
export const EXTRA_TIMES = 3; // utime: atime i64 ms, mtime i64 ms

/** Open flags (QNX <fcntl.h>, octal). */
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_ACCMODE = 0o3;
export const O_APPEND = 0o10;
export const O_NONBLOCK = 0o200;
export const O_CREAT = 0o400;
export const O_TRUNC = 0o1000;
export const O_EXCL = 0o2000;
export const O_NOCTTY = 0o4000;
export const O_CLOEXEC = 0o20000;
/** netrino: open a directory for reading its entries (opendir). */
export const O_DIRECTORY = 0o400000;

/** st_mode file type bits (QNX <sys/stat.h>). */
export const S_IFMT = 0o170000;
export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFDIR = 0o040000;
export const S_IFNAM = 0o050000;
export const S_IFBLK = 0o060000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFSOCK = 0o140000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;

/** access() bits. */
export const F_OK = 0;
export const X_OK = 1;
export const W_OK = 2;
export const R_OK = 4;

/** lseek whence. */
export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;

/** _IO_NOTIFY conditions (poll-like). */
export const NOTIFY_INPUT = 0x1;
export const NOTIFY_OUTPUT = 0x2;
export const NOTIFY_OBAND = 0x4;
export const NOTIFY_HUP = 0x10;

/** Longest path a message may carry (PATH_MAX), the longest name (NAME_MAX). */
export const PATH_MAX = 1024;
export const NAME_MAX = 255;
/** Largest data payload in one _IO_READ/_IO_WRITE/_IO_DEVCTL (bigger transfers loop). */
export const IO_MAX_DATA = 1 << 20;
/** How many symlinks one resolution may follow before ELOOP (QNX SYMLOOP_MAX). */
export const SYMLOOP_MAX = 16;

/** Pulse code QNX uses to tell a server that a client connection went away. */
export const PULSE_CODE_DISCONNECT = -33;

export function isDirMode(mode: number): boolean {
  return (mode & S_IFMT) === S_IFDIR;
}
export function isRegMode(mode: number): boolean {
  return (mode & S_IFMT) === S_IFREG;
}
export function isLinkMode(mode: number): boolean {
  return (mode & S_IFMT) === S_IFLNK;
}
