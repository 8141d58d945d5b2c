// devnp-pcap's `quiet`: the board's interface comes up with Linux answering nothing on it,
// against a simulated /proc/sys tree and an injected link command.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { quietHostInterface, quietSysctls } from "../../../hal/eth/host-quiet.ts";

let sys: string;
beforeEach(() => {
  sys = mkdtempSync(join(tmpdir(), "netrino-procsys-"));
  for (const [path] of quietSysctls("eth0")) {
    mkdirSync(join(sys, path, ".."), { recursive: true });
    writeFileSync(join(sys, path), "0\n");
  }
});
afterEach(() => rmSync(sys, { recursive: true, force: true }));

describe("quietHostInterface", () => {
  it("sets arp_ignore, disable_ipv6, icmp_echo_ignore_all and brings the link up", () => {
    const up: string[] = [];
    quietHostInterface("eth0", { procSys: sys, linkUp: (i) => void up.push(i) });
    const read = (p: string): string => readFileSync(join(sys, p), "utf8");
    expect(read("net/ipv4/conf/eth0/arp_ignore")).toBe("8");
    expect(read("net/ipv6/conf/eth0/disable_ipv6")).toBe("1");
    expect(read("net/ipv4/icmp_echo_ignore_all")).toBe("1");
    expect(read("net/ipv4/ip_forward")).toBe("0");
    expect(up).toEqual(["eth0"]);
  });

  it("names a missing interface, a missing /proc and a failing link command", () => {
    expect(() => quietHostInterface("eth1", { procSys: sys, linkUp: () => undefined })).toThrow(
      expect.objectContaining({
        errno: "ENODEV",
        message: expect.stringContaining("eth1: no such interface") as unknown,
      }),
    );
    expect(() =>
      quietHostInterface("eth0", { procSys: join(sys, "absent"), linkUp: () => undefined }),
    ).toThrow(/no such interface|is missing/);
    expect(() =>
      quietHostInterface("eth0", {
        procSys: sys,
        linkUp: () => {
          throw Object.assign(new Error("x"), { stderr: Buffer.from("ip: SIOCSIFFLAGS: No such device\n") });
        },
      }),
    ).toThrow("ip link set eth0 up: ip: SIOCSIFFLAGS: No such device");
    expect(() => quietHostInterface("../x", { procSys: sys })).toThrow(/invalid interface name/);
  });
});
