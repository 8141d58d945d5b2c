// `mount -T io-pkt nosuch.so` while io-pkt runs: the module is missing, not the manager.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Runtime } from "./runtime.ts";

describe("mount -T io-pkt", () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await Runtime.boot();
    await rt.startIoPkt(["-d", "vwire", "hub=mount-test", "-t", "1"]);
  });
  afterAll(async () => rt.shutdown());

  it("an unknown module is reported as such, not as a missing manager", async () => {
    const r = await rt.sh(["mount", "-T", "io-pkt", "devnp-nosuch.so"]);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toContain("no manager");
    expect(r.stderr).toMatch(/^mount: devnp-nosuch\.so: /);
  });

  it("a missing manager is still named", async () => {
    const r = await rt.sh(["mount", "-T", "io-pkt", "lsm-sample.so"], { sock: "/nostack" });
    expect(r.stderr).toBe("mount: no manager for type io-pkt (/nostack/dev/mount/io-pkt not found)\n");
  });
});
