// The generic mount protocol between `mount`/`umount` and managers (netrino's stand-in for
// QNX's _IO_CONNECT_MOUNT). A manager that accepts mounts of type T attaches the file
// /dev/mount/T and answers DCMD_MOUNT on it; a manager asked to unmount a path gets
// DCMD_UNMOUNT on that path. Payloads are UTF-8 JSON so option strings pass unchanged.

/** devctl commands (netrino numbers, class 0x4D 'M'). */
export const DCMD_MOUNT = 0x4d01;
export const DCMD_UNMOUNT = 0x4d02;

/**
 * Where the manager for mount type `type` listens. For io-pkt the `SOCK` variable selects the
 * stack instance, whose paths all live under that prefix (as with the network utilities).
 */
export function mountTypePath(type: string, env: Record<string, string> = {}): string {
  const sock = type === "io-pkt" ? (env.SOCK ?? "").replace(/\/+$/, "") : "";
  return `${sock}/dev/mount/${type}`;
}

export interface MountRequest {
  /** The special device or module (`devnp-e1000.so`, `/dev/sd0t12`); "" if none. */
  special: string;
  /** The mount point; "" when the type does not need one (io-pkt modules). */
  dir: string;
  /** The -o option string, verbatim (comma separated). */
  options: string;
  readOnly: boolean;
}

export interface UnmountRequest {
  dir: string;
  force: boolean;
}

export function encodeMountRequest(r: MountRequest | UnmountRequest): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(r));
}

/** Parses a request; undefined if it is not well-formed (the manager answers EINVAL). */
export function decodeMountRequest(data: Uint8Array): MountRequest | undefined {
  try {
    const v = JSON.parse(new TextDecoder().decode(data)) as Partial<MountRequest>;
    if (typeof v.special !== "string" || typeof v.dir !== "string" || typeof v.options !== "string")
      return undefined;
    return { special: v.special, dir: v.dir, options: v.options, readOnly: v.readOnly === true };
  } catch {
    return undefined;
  }
}

export function decodeUnmountRequest(data: Uint8Array): UnmountRequest | undefined {
  try {
    const v = JSON.parse(new TextDecoder().decode(data)) as Partial<UnmountRequest>;
    if (typeof v.dir !== "string") return undefined;
    return { dir: v.dir, force: v.force === true };
  } catch {
    return undefined;
  }
}
