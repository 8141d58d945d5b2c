// The fault injector selected by driver options, end to end without privileges: two io-pkt
// instances on one in-process hub, the second with corrupt= on receive. Its stack drops the
// corrupted frames on their checksums and counts them (netstat -s); nicinfo shows what the
// injector did.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Runtime } from "./runtime.ts";

const T = 30_000;

describe("impairment options under a driver", () => {
  let rt: Runtime;

  beforeAll(async () => {
    rt = await Runtime.boot();
    await rt.startIoPkt(["-d", "vwire", "hub=m11imp,mac=020000000001"]);
    await rt.startIoPkt(
      [
        "-d",
        "vwire",
        "hub=m11imp,mac=020000000002,corrupt=40%,impair=rx,seed=9",
        "-p",
        "tcpip",
        "prefix=/n2",
      ],
      { sock: "/n2" },
    );
    await rt.ok(["ifconfig", "en0", "10.6.0.1/24", "up"]);
    await rt.ok(["ifconfig", "en0", "10.6.0.2/24", "up"], { sock: "/n2" });
  }, T);

  afterAll(async () => {
    await rt?.shutdown();
  });

  it(
    "corrupted frames fail their checksum, are dropped and counted; nicinfo shows the counters",
    async () => {
      const ping = await rt.sh(["ping", "-c", "20", "-i", "0.02", "-W", "200", "10.6.0.2"]);
      const m = /(\d+) packets transmitted, (\d+) packets received/.exec(ping.stdout);
      expect(m).not.toBeNull();
      const [sent, got] = [Number(m![1]), Number(m![2])];
      expect(sent).toBe(20);
      expect(got).toBeLessThan(sent);
      const nic = await rt.ok(["nicinfo", "en0"], { sock: "/n2" });
      const line =
        /Impairment rx \.+ corrupt 40% seed 9: (\d+) frames, 0 lost, 0 duplicated, 0 reordered, (\d+) corrupted, 0 delayed, 0 overflow\n/.exec(
          nic,
        );
      expect(line).not.toBeNull();
      const corrupted = Number(line![2]);
      expect(corrupted).toBeGreaterThan(0);
      expect(nic).toMatch(/Impairment tx \.+ none\n/);
      // Every corrupted echo request is an ICMP checksum failure at the receiver; the other
      // corrupted frames were ARP (past its header nothing checks them).
      const stats = await rt.ok(["netstat", "-s", "-p", "icmp"], { sock: "/n2" });
      const bad = Number(/\t(\d+) bad checksums?\n/.exec(stats)?.[1] ?? "0");
      expect(bad).toBeGreaterThan(0);
      expect(bad).toBeLessThanOrEqual(corrupted);
      // Requests that got through were answered (the replies travel clean).
      expect(got).toBeGreaterThanOrEqual(sent - bad - (corrupted - bad));
    },
    T,
  );
});
