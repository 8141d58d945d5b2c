// Board `host`: the development machine. Console on the terminal, Ethernet on the virtual
// wire (UDP on loopback, no privileges), simulated GPIO pins.
import type { Board, GpioPin } from "./board.ts";

const MOCK_PINS: GpioPin[] = Array.from({ length: 8 }, (_, i) => ({
  pin: String(i),
  name: `GPIO${i}`,
  number: i,
  chip: "gpio-mock",
  line: i,
}));

export const HOST: Board = {
  name: "host",
  description: "the development machine (console on the terminal, virtual Ethernet, mock GPIO)",
  arch: "host",
  dtbs: [],
  console: { kind: "terminal", baud: 115200 },
  ethernet: { driver: "devnp-vwire", options: "udp=127.0.0.1:47300" },
  gpio: { backend: "mock", pins: MOCK_PINS, heartbeat: { leds: [], pin: "GPIO0" } },
};
