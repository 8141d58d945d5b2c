// /dev/null: reads end at once, writes vanish.
import type { ResourceManager } from "../resmgr/resmgr.ts";

export function attachDevNull(rm: ResourceManager, path = "/dev/null"): void {
  rm.attach(path, {
    type: "file",
    mode: 0o666,
    handlers: {
      read: () => new Uint8Array(0),
      write: (_ctx, _ocb, data) => data.byteLength,
    },
  });
}
