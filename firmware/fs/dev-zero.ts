// /dev/zero: as many zero bytes as asked for; writes vanish.
import type { ResourceManager } from "../resmgr/resmgr.ts";

export function attachDevZero(rm: ResourceManager, path = "/dev/zero"): void {
  rm.attach(path, {
    type: "file",
    mode: 0o666,
    handlers: {
      read: (_ctx, _ocb, nbytes) => new Uint8Array(nbytes),
      write: (_ctx, _ocb, data) => data.byteLength,
    },
  });
}
