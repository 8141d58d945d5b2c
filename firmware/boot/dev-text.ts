// /dev/text: the kernel's own console (QNX procnto's), where the startup script writes before
// `reopen` moves it to a real terminal. Writes go to a sink (the host's stdout when booting
// on the host); reads are at end of file.
import type { ResourceManager } from "../resmgr/resmgr.ts";

export const DEV_TEXT = "/dev/text";

export function attachDevText(rm: ResourceManager, sink: (bytes: Uint8Array) => void, path = DEV_TEXT): void {
  rm.attach(path, {
    type: "file",
    mode: 0o666,
    handlers: {
      read: () => new Uint8Array(0),
      write: (_ctx, _ocb, data) => {
        try {
          sink(data.slice());
        } catch {
          // a console that went away swallows output, like a disconnected UART
        }
        return data.byteLength;
      },
    },
  });
}
