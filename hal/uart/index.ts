// hal/uart: serial ports for devc-ser.
export * from "./uart-port.ts";
export { SerialportUart } from "./serialport-uart.ts";
export { TerminalUart, type TerminalUartOptions } from "./terminal-uart.ts";
export { MockUart, MockUartPeer } from "./mock-uart.ts";
