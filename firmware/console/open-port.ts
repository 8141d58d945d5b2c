// Makes the hal UART a devc-ser device spec names. Backends load lazily, so a host whose
// serialport binding cannot load still boots with the terminal console.
import type { UartPort } from "../../hal/uart/uart-port.ts";
import type { SerialDeviceSpec } from "./devc-ser-options.ts";

export async function openPort(spec: SerialDeviceSpec): Promise<UartPort> {
  let port: UartPort;
  switch (spec.backend) {
    case "terminal": {
      const { TerminalUart } = await import("../../hal/uart/terminal-uart.ts");
      port = new TerminalUart({ settings: spec.settings });
      break;
    }
    case "mock": {
      const { MockUart } = await import("../../hal/uart/mock-uart.ts");
      port = new MockUart(spec.device, spec.settings);
      break;
    }
    default: {
      const { SerialportUart } = await import("../../hal/uart/serialport-uart.ts");
      port = new SerialportUart(spec.device, spec.settings);
    }
  }
  await port.open();
  return port;
}
