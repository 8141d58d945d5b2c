// errno values with QNX Neutrino numbering (<errno.h>), and the one error class of the runtime.

export const ERRNO = {
  EOK: 0,
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  ETXTBSY: 26,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  EPIPE: 32,
  EDOM: 33,
  ERANGE: 34,
  ENOMSG: 35,
  EDEADLK: 45,
  ENOLCK: 46,
  ECANCELED: 47,
  ENOTSUP: 48,
  ENODATA: 61,
  ETIME: 62,
  EPROTO: 71,
  EBADMSG: 77,
  ENAMETOOLONG: 78,
  EOVERFLOW: 79,
  EILSEQ: 88,
  ENOSYS: 89,
  ELOOP: 90,
  ENOTEMPTY: 93,
  EOPNOTSUPP: 103,
  ESTALE: 122,
  EINPROGRESS: 236,
  EALREADY: 237,
  ENOTSOCK: 238,
  EDESTADDRREQ: 239,
  EMSGSIZE: 240,
  EPROTOTYPE: 241,
  ENOPROTOOPT: 242,
  EPROTONOSUPPORT: 243,
  EAFNOSUPPORT: 247,
  EADDRINUSE: 248,
  EADDRNOTAVAIL: 249,
  ENETDOWN: 250,
  ENETUNREACH: 251,
  ENETRESET: 252,
  ECONNABORTED: 253,
  ECONNRESET: 254,
  ENOBUFS: 255,
  EISCONN: 256,
  ENOTCONN: 257,
  ESHUTDOWN: 258,
  ETIMEDOUT: 260,
  ECONNREFUSED: 261,
  EHOSTDOWN: 264,
  EHOSTUNREACH: 265,
  ENOREMOTE: 300,
  ESRVRFAULT: 312,
} as const;

export type Errno = keyof typeof ERRNO;

const MESSAGES: Partial<Record<Errno, string>> = {
  EOK: "No error",
  EPERM: "Operation not permitted",
  ENOENT: "No such file or directory",
  ESRCH: "No such process",
  EINTR: "Interrupted function call",
  EIO: "I/O error",
  ENXIO: "No such device or address",
  E2BIG: "Arg list too long",
  ENOEXEC: "Exec format error",
  EBADF: "Bad file descriptor",
  ECHILD: "No child processes",
  EAGAIN: "Resource temporarily unavailable",
  ENOMEM: "Not enough memory",
  EACCES: "Permission denied",
  EFAULT: "Bad address",
  EBUSY: "Resource busy",
  EEXIST: "File exists",
  EXDEV: "Improper link",
  ENODEV: "No such device",
  ENOTDIR: "Not a directory",
  EISDIR: "Is a directory",
  EINVAL: "Invalid argument",
  ENFILE: "Too many open files in system",
  EMFILE: "Too many open files",
  ENOTTY: "Inappropriate I/O control operation",
  ETXTBSY: "Text file busy",
  EFBIG: "File too large",
  ENOSPC: "No space left on device",
  ESPIPE: "Invalid seek",
  EROFS: "Read-only file system",
  EMLINK: "Too many links",
  EPIPE: "Broken pipe",
  EDOM: "Domain error",
  ERANGE: "Result too large",
  ENOMSG: "No message of desired type",
  EDEADLK: "Resource deadlock avoided",
  ENOLCK: "No locks available",
  ECANCELED: "Operation canceled",
  ENOTSUP: "Not supported",
  ENODATA: "No data available",
  ETIME: "Timer expired",
  EPROTO: "Protocol error",
  EBADMSG: "Bad message",
  ENAMETOOLONG: "File name too long",
  EOVERFLOW: "Value too large to be stored in data type",
  EILSEQ: "Illegal byte sequence",
  ENOSYS: "Function not implemented",
  ELOOP: "Too many levels of symbolic links",
  ENOTEMPTY: "Directory not empty",
  EOPNOTSUPP: "Operation not supported",
  ESTALE: "Stale NFS file handle",
  EINPROGRESS: "Operation now in progress",
  EALREADY: "Operation already in progress",
  ENOTSOCK: "Socket operation on non-socket",
  EDESTADDRREQ: "Destination address required",
  EMSGSIZE: "Message too long",
  EPROTOTYPE: "Protocol wrong type for socket",
  ENOPROTOOPT: "Protocol not available",
  EPROTONOSUPPORT: "Protocol not supported",
  EAFNOSUPPORT: "Address family not supported by protocol family",
  EADDRINUSE: "Address already in use",
  EADDRNOTAVAIL: "Can't assign requested address",
  ENETDOWN: "Network is down",
  ENETUNREACH: "Network is unreachable",
  ENETRESET: "Network dropped connection on reset",
  ECONNABORTED: "Software caused connection abort",
  ECONNRESET: "Connection reset by peer",
  ENOBUFS: "No buffer space available",
  EISCONN: "Socket is already connected",
  ENOTCONN: "Socket is not connected",
  ESHUTDOWN: "Can't send after socket shutdown",
  ETIMEDOUT: "Connection timed out",
  ECONNREFUSED: "Connection refused",
  EHOSTDOWN: "Host is down",
  EHOSTUNREACH: "No route to host",
  ENOREMOTE: "Must be done on local machine",
  ESRVRFAULT: "Server fault on msg pass",
};

const BY_NUMBER: ReadonlyMap<number, Errno> = new Map(
  (Object.keys(ERRNO) as Errno[]).map((name) => [ERRNO[name], name] as const),
);

export function errnoName(code: number): Errno | undefined {
  return BY_NUMBER.get(code);
}

export function strerror(e: Errno | number): string {
  const name = typeof e === "number" ? BY_NUMBER.get(e) : e;
  if (name === undefined) return `Unknown error ${e}`;
  return MESSAGES[name] ?? name;
}

export class KernelError extends Error {
  readonly errno: Errno;
  readonly code: number;
  constructor(errno: Errno, message?: string) {
    super(message ?? strerror(errno));
    this.name = "KernelError";
    this.errno = errno;
    this.code = ERRNO[errno];
  }

  /** Wraps any thrown value as a KernelError (unknown errors become EIO with their text). */
  static from(err: unknown): KernelError {
    if (err instanceof KernelError) return err;
    if (
      err &&
      typeof err === "object" &&
      "code" in err &&
      typeof err.code === "string" &&
      err.code in ERRNO
    ) {
      return new KernelError(err.code as Errno, (err as unknown as Error).message);
    }
    return new KernelError("EIO", err instanceof Error ? err.message : String(err));
  }
}

/** Type guard usable in `catch` blocks. */
export function isErrno(err: unknown, errno: Errno): boolean {
  return err instanceof KernelError && err.errno === errno;
}
