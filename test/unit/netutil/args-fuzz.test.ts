// Fuzz: the utilities' command-line parsers take any argument vector and either return a
// command or throw a UsageError (which prints usage); nothing else escapes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../../firmware/bin/lib/getopt.ts";
import { parseAddrOperand } from "../../../firmware/bin/lib/net-addr-args.ts";
import { lookupHosts } from "../../../firmware/net/resolver.ts";
import { parseIfconfigArgs } from "../../../firmware/bin/lib/net-ifconfig-args.ts";
import { parseRouteArgs } from "../../../firmware/bin/lib/net-route-args.ts";
import { splitAssignment } from "../../../firmware/bin/lib/net-sysctl-format.ts";
import { parsePingArgs } from "../../../firmware/bin/ping.ts";

const RUNS = Number(process.env.FUZZ_ITERATIONS ?? 20_000);

// Tokens the parsers know, plus addresses, numbers and junk, so deep paths are reached.
const token = fc.oneof(
  fc.constantFrom(
    "-a",
    "-l",
    "-u",
    "-d",
    "-n",
    "-c",
    "-i",
    "-s",
    "-t",
    "-W",
    "-w",
    "-f",
    "-D",
    "-I",
    "-net",
    "-host",
    "-netmask",
    "-ifp",
    "-iface",
    "-mtu",
    "-reject",
    "inet",
    "alias",
    "-alias",
    "delete",
    "netmask",
    "broadcast",
    "up",
    "down",
    "mtu",
    "destroy",
    "promisc",
    "add",
    "get",
    "show",
    "flush",
    "default",
    "en0",
    "--",
    "",
    "0",
    "24",
    "/24",
    "0xffffff00",
    "255.255.255.0",
  ),
  fc.ipV4(),
  fc.tuple(fc.ipV4(), fc.integer({ min: -1, max: 40 })).map(([a, l]) => `${a}/${l}`),
  fc.integer({ min: -5, max: 70000 }).map(String),
  fc.string({ maxLength: 12 }),
);
const argv = fc.array(token, { maxLength: 8 });

function onlyUsageErrors(parse: (args: string[]) => unknown): (args: string[]) => void {
  return (args) => {
    try {
      parse(args);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
    }
  };
}

describe("command-line parsers under random input", () => {
  it("ifconfig", () => fc.assert(fc.property(argv, onlyUsageErrors(parseIfconfigArgs)), { numRuns: RUNS }));
  it("route", () => fc.assert(fc.property(argv, onlyUsageErrors(parseRouteArgs)), { numRuns: RUNS }));
  it("ping", () => fc.assert(fc.property(argv, onlyUsageErrors(parsePingArgs)), { numRuns: RUNS }));

  it("address operands stay in range", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 20 }), fc.ipV4()), (text) => {
        const r = parseAddrOperand(text);
        if (r === null) return;
        expect(r.addr).toBeGreaterThanOrEqual(0);
        expect(r.addr).toBeLessThanOrEqual(0xffffffff);
        if (r.prefixLen !== null) expect(r.prefixLen).toBeLessThanOrEqual(32);
      }),
      { numRuns: RUNS },
    );
  });

  it("hosts text and sysctl assignments never throw", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 10 }), (text, name) => {
        lookupHosts(text, name);
        splitAssignment(text);
      }),
      { numRuns: RUNS },
    );
  });
});
