// An errno-carrying error like the kernel's KernelError, for the fake OS.
export class KernelLikeError extends Error {
  readonly errno: string;
  constructor(errno: string, message: string) {
    super(message);
    this.errno = errno;
  }
}
