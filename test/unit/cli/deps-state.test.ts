// ensure-deps.js decides by content whether node_modules is current, so `npm test`'s pretest
// is a no-op after a checkout that only touched package-lock.json's mtime.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { installDiff, type LockRecord } from "../../../images/cli/deps-state.js";

const lock = {
  packages: {
    "": { name: "netrino", version: "0.1.0" },
    "node_modules/a": { version: "1.0.0" },
    "node_modules/pcap": { version: "3.1.0", optional: true },
    "node_modules/@esbuild/linux-arm64": { version: "0.25.0", optional: true },
  },
};

describe("installDiff", () => {
  it("is empty when every locked package is installed at its version; missing optional ones are fine", () => {
    const installed = { packages: { "node_modules/a": { version: "1.0.0" } } };
    expect(installDiff(lock, installed)).toEqual([]);
  });

  it("names a missing, a different and an unlocked package", () => {
    expect(installDiff(lock, { packages: {} })).toEqual(["node_modules/a: not installed"]);
    expect(installDiff(lock, { packages: { "node_modules/a": { version: "0.9.0" } } })).toEqual([
      "node_modules/a: 0.9.0 installed, 1.0.0 locked",
    ]);
    const extra = {
      packages: { "node_modules/a": { version: "1.0.0" }, "node_modules/gone": { version: "2.0.0" } },
    };
    expect(installDiff(lock, extra)).toEqual(["node_modules/gone: installed but not locked"]);
  });

  it("finds this checkout's node_modules current", () => {
    const read = (p: string) => JSON.parse(readFileSync(p, "utf8")) as LockRecord;
    expect(installDiff(read("package-lock.json"), read("node_modules/.package-lock.json"))).toEqual([]);
  });
});
