// serialport's mock binding as a UART, with its far end exposed for tests: what the runtime
// writes arrives at `peer`, what a test writes with `peer.write` arrives at onData.
import type { SerialPortStream } from "@serialport/stream";
import { SerialPortMock } from "serialport";
import { KernelError } from "../../firmware/kernel/errno.ts";
import { StreamUart, type StreamOpenOptions } from "./stream-uart.ts";
import { DEFAULT_UART_SETTINGS, mergeSettings, toBytes, type UartSettings } from "./uart-port.ts";

/** The device side of a mock UART. */
export class MockUartPeer {
  private readonly uart: MockUart;
  private chunks: Uint8Array[] = [];
  private listener: ((bytes: Uint8Array) => void) | null = null;

  constructor(uart: MockUart) {
    this.uart = uart;
  }

  /** Bytes "typed" at the device: delivered to the UART's onData. */
  write(data: Uint8Array | string): void {
    this.uart.inject(toBytes(data));
  }

  /** Every byte the runtime wrote so far, and forget them. */
  take(): Uint8Array {
    const all = Buffer.concat(this.chunks);
    this.chunks = [];
    return new Uint8Array(all);
  }

  takeText(): string {
    return new TextDecoder().decode(this.take());
  }

  /** Called with each chunk the runtime writes. */
  onData(cb: (bytes: Uint8Array) => void): void {
    this.listener = cb;
  }

  /** @internal */
  received(bytes: Uint8Array): void {
    this.chunks.push(new Uint8Array(bytes));
    this.listener?.(bytes);
  }
}

export class MockUart extends StreamUart {
  readonly peer: MockUartPeer = new MockUartPeer(this);

  /** `path` names the mock device; it is created in serialport's mock registry unless
   * `createDevice` is false (to test opening a device that is not there). */
  constructor(path: string, settings: Partial<UartSettings> = {}, opts: { createDevice?: boolean } = {}) {
    super(path, mergeSettings(DEFAULT_UART_SETTINGS, settings));
    if (opts.createDevice ?? true) SerialPortMock.binding.createPort(path, { echo: false, record: false });
  }

  protected async create(opts: StreamOpenOptions): Promise<SerialPortStream> {
    return new SerialPortMock(opts);
  }

  protected override written(data: Uint8Array): void {
    this.peer.received(data);
  }

  /** @internal */
  inject(bytes: Uint8Array): void {
    const port = this.stream as SerialPortMock | null;
    if (!port?.isOpen || !port.port) throw new KernelError("EBADF", `${this.path} is not open`);
    port.port.emitData(Buffer.from(bytes));
  }
}
