import { afterEach, describe, expect, it } from "vitest";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import { getaddrinfo, type ResolverContext } from "../../../firmware/net/resolver.ts";
import * as K from "../../../firmware/net/socket/constants.ts";
import { DNS_TYPE_A, DNS_TYPE_CNAME } from "../../../firmware/net/wire/dns.ts";
import { parseIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import { program, startIoPkt, withClient } from "../iopkt/harness.ts";
import { dnsResponse } from "./dns-server.ts";

const ip = (s: string) => parseIpv4(s) as number;

describe("resolver over UDP sockets", () => {
  let k: Kernel;
  afterEach(async () => {
    await k.shutdown(50);
  });

  it("hosts first, then the nameserver with the search list, following a CNAME", async () => {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-d", "vwire", "hub=r0", "-p", "tcpip", "prefix=/a", "-t", "2"]);
    await startIoPkt(k, ["-d", "vwire", "hub=r0", "-p", "tcpip", "prefix=/b", "-t", "2"]);
    await withClient(k, "/a", (nc) => nc.setAddress("en0", { addr: ip("10.0.0.1"), prefixLen: 24 }));
    await withClient(k, "/b", (nc) => nc.setAddress("en0", { addr: ip("10.0.0.2"), prefixLen: 24 }));
    let ready!: () => void;
    const bound = new Promise<void>((r) => (ready = r));
    const asked: string[] = [];
    const server = program(k, "/b", async (ctx) => {
      const s = ctx.sockets;
      const fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
      await s.bind(fd, { family: "inet", address: "0.0.0.0", port: 53 });
      ready();
      for (let i = 0; i < 1; i++) {
        const q = await s.recvfrom(fd);
        const name = new TextDecoder()
          .decode(q.data.subarray(13, q.data.length - 5))
          .replace(/[\x00-\x1f]/g, ".");
        asked.push(name);
        const r =
          name === "www.lan"
            ? dnsResponse(q.data, [
                { name: "www.lan", type: DNS_TYPE_CNAME, value: "box.lan" },
                { name: "box.lan", type: DNS_TYPE_A, value: "10.0.0.9" },
              ])
            : dnsResponse(q.data, [], 3);
        await s.sendto(fd, r, q.from as never);
      }
      await s.close(fd);
    });
    await bound;
    const files: Record<string, string> = {
      "/etc/hosts": "10.0.0.7 printer\n",
      "/etc/resolv.conf": "nameserver 10.0.0.2\nsearch lan\noptions timeout:2 attempts:1\n",
    };
    const got = await program(k, "/a", async (ctx) => {
      const rctx: ResolverContext = {
        ...ctx,
        fs: {
          ...ctx.fs,
          readFile: (async (p: string) => {
            if (files[p] === undefined) throw new Error("ENOENT");
            return files[p];
          }) as never,
        },
      };
      return [
        await getaddrinfo(rctx, "printer"),
        await getaddrinfo(rctx, "www"),
        await getaddrinfo(rctx, "10.1.1.1"),
      ];
    });
    await server;
    expect(got).toEqual([["10.0.0.7"], ["10.0.0.9"], ["10.1.1.1"]]);
    expect(asked).toEqual(["www.lan"]);
  });
});
