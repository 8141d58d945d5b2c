// hal/gpio: GPIO pins for the gpio driver.
export * from "./gpio-backend.ts";
export { lineOf, sysfsNumber, type GpioLine, type GpioPinMap } from "./pin-map.ts";
export { readGpioChips, type GpioChip } from "./sysfs-chips.ts";
export { OnoffBackend, type OnoffBackendOptions } from "./onoff-gpio.ts";
export { MockGpio } from "./mock-gpio.ts";
export { SysfsLed, SYSFS_LEDS } from "./sysfs-led.ts";
