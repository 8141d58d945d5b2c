// /dev/random and /dev/urandom: bytes from the host's CSPRNG; writes (entropy) are accepted.
import { randomFillSync } from "node:crypto";
import type { ResourceManager } from "../resmgr/resmgr.ts";

export function attachDevRandom(
  rm: ResourceManager,
  paths: string[] = ["/dev/random", "/dev/urandom"],
): void {
  for (const path of paths) {
    rm.attach(path, {
      type: "file",
      mode: 0o666,
      handlers: {
        read: (_ctx, _ocb, nbytes) => randomFillSync(new Uint8Array(nbytes)),
        write: (_ctx, _ocb, data) => data.byteLength,
      },
    });
  }
}
