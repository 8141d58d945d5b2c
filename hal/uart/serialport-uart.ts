// A real UART or a pty through the `serialport` package. serialport loads its native
// binding when imported, so it is imported on first open: hal/ stays importable on a host
// where the binding cannot load, and the failure becomes a clear KernelError.
import type { SerialPortStream } from "@serialport/stream";
import { KernelError } from "../../firmware/kernel/errno.ts";
import { StreamUart, type StreamOpenOptions } from "./stream-uart.ts";
import { DEFAULT_UART_SETTINGS, mergeSettings, type UartSettings } from "./uart-port.ts";

export class SerialportUart extends StreamUart {
  constructor(path: string, settings: Partial<UartSettings> = {}) {
    super(path, mergeSettings(DEFAULT_UART_SETTINGS, settings));
  }

  protected async create(opts: StreamOpenOptions): Promise<SerialPortStream> {
    let mod: typeof import("serialport");
    try {
      mod = await import("serialport");
    } catch (e) {
      throw new KernelError("ENOSYS", `serialport: cannot load its native binding: ${(e as Error).message}`);
    }
    return new mod.SerialPort(opts);
  }
}
