// The shipped board buildfiles say what boards/ says: devc-ser on the board's console UART,
// io-pkt's pcap driver with the board's Ethernet options (its interface, quiet), gpio-manager
// with the board's heartbeat LED. A board file change that the buildfile misses fails here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findBoard } from "../../../boards/index.ts";
import { REPO_ROOT } from "../../../images/cli/paths.ts";

describe.each(["rpi3", "rpi4", "bbb"])("buildfiles/%s.build", (name) => {
  const board = findBoard(name)!;
  const text = readFileSync(join(REPO_ROOT, "buildfiles", `${name}.build`), "utf8");
  it("uses the board's console, Ethernet and GPIO facts", () => {
    expect(text).toContain(`[board=${name}]`);
    expect(text).toContain(`devc-ser -b${board.console.baud} ${board.console.device} &`);
    expect(board.console.kernelConsole?.split(",")[0]).toBe(board.console.device?.replace("/dev/", ""));
    expect(board.ethernet.driver).toBe("devnp-pcap");
    expect(board.ethernet.options).toContain(`if=${board.ethernet.hostInterface}`);
    expect(text).toContain(`io-pkt -d pcap ${board.ethernet.options},name=en`);
    expect(board.gpio.heartbeat).toBeDefined();
    expect(text).toContain("gpio-manager -H led &");
  });
});
