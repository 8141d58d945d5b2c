import { afterEach, describe, expect, it } from "vitest";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import { DCMD_MOUNT, DCMD_UNMOUNT, encodeMountRequest } from "../../../firmware/bin/lib/mount-request.ts";
import { parseIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import { errnoOf, startIoPkt, withClient } from "./harness.ts";

const ip = (s: string) => parseIpv4(s) as number;

describe("io-pkt modules", () => {
  let k: Kernel;
  afterEach(async () => {
    await k.shutdown(50);
  });

  it("loads a driver with mount -T io-pkt and unloads it with umount /dev/io-pkt/en0", async () => {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-t", "1"]);
    const r = await withClient(k, "", async (nc, ctx) => {
      const before = (await nc.interfaces()).map((i) => i.name);
      const req = encodeMountRequest({
        special: "devnp-vwire.so",
        dir: "",
        options: "hub=m0,mtu=1400",
        readOnly: false,
      });
      await ctx.fs.devctl("/dev/mount/io-pkt", DCMD_MOUNT, req);
      const during = await nc.interfaces();
      const listing = await ctx.fs.readdir("/dev/io-pkt");
      const mods = await nc.modules();
      await ctx.fs.devctl(
        "/dev/io-pkt/en0",
        DCMD_UNMOUNT,
        encodeMountRequest({ dir: "/dev/io-pkt/en0", force: false }),
      );
      const after = (await nc.interfaces()).map((i) => i.name);
      return { before, during, listing, mods, after, modsAfter: await nc.modules() };
    });
    expect(r.before).toEqual(["lo0"]);
    expect(r.during.map((i) => i.name)).toEqual(["lo0", "en0"]);
    expect(r.during[1].mtu).toBe(1400);
    expect(r.during[1].driver).toBe("devnp-vwire");
    expect(r.listing).toEqual(["en0"]);
    expect(r.mods.map((m) => [m.name, m.interfaces])).toEqual([["devnp-vwire", ["en0"]]]);
    expect(r.after).toEqual(["lo0"]);
    expect(r.modsAfter).toEqual([]);
  });

  it("ifconfig destroy removes one interface; the driver goes with its last one", async () => {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-d", "vwire", "hub=d0", "-d", "vwire", "hub=d1,name=wl", "-t", "2"]);
    const r = await withClient(k, "", async (nc) => {
      const names = (await nc.interfaces()).map((i) => i.name);
      await nc.destroy("en0");
      const mods = (await nc.modules()).map((m) => m.interfaces.join(","));
      const err = await nc.destroy("en0").catch((e) => errnoOf(e));
      const lo = await nc.destroy("lo0").catch((e) => errnoOf(e));
      return { names, mods, err, lo };
    });
    expect(r.names).toEqual(["lo0", "en0", "wl0"]);
    expect(r.mods).toEqual(["wl0"]);
    expect(r.err).toBe("ENXIO");
    expect(r.lo).toBe("EOPNOTSUPP");
  });

  it("a filter module loaded at run time drops what it is told to, and unloads", async () => {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-d", "vwire", "hub=f0", "-p", "tcpip", "prefix=/x", "-t", "1"]);
    await startIoPkt(k, ["-d", "vwire", "hub=f0", "-p", "tcpip", "prefix=/y", "-t", "1"]);
    await withClient(k, "/y", (nc) => nc.setAddress("en0", { addr: ip("10.9.0.2"), prefixLen: 24 }));
    const r = await withClient(k, "/x", async (nc) => {
      await nc.setAddress("en0", { addr: ip("10.9.0.1"), prefixLen: 24 });
      await nc.echoOpen(1);
      const ping = async (seq: number) => {
        await nc.echoSend({ dst: ip("10.9.0.2"), seq, payload: new Uint8Array(16) });
        return (await nc.echoReceive(300)).kind;
      };
      const first = await ping(1);
      await nc.loadModule("sample", "drop=icmp");
      const filtered = await ping(2);
      const pfil = (await nc.stats("pfil")).filter((c) => c.name.endsWith("dropped"));
      await nc.addAlias("en0", { addr: ip("10.9.0.11"), prefixLen: 24 });
      await nc.unloadModule("lsm-sample.so");
      await nc.addAlias("en0", { addr: ip("10.9.0.12"), prefixLen: 24 }); // unloaded: not heard
      const again = await ping(3);
      return { first, filtered, pfil, again };
    });
    expect(r.first).toBe(0);
    expect(r.filtered).toBe(2);
    expect(r.pfil).toEqual([{ group: "pfil", name: "hook.lsm-sample.dropped", value: 1 }]);
    expect(r.again).toBe(0);
    const heard = k.slog.entries().filter((e) => e.text.startsWith("lsm-sample: en0 address"));
    expect(heard.map((e) => e.text)).toEqual(["lsm-sample: en0 address 10.9.0.11 added"]);
  });

  it("refuses mtu= above what the port carries, names why, and logs it", async () => {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-d", "vwire", "hub=j0", "-t", "1"]);
    const r = await withClient(k, "", async (nc) => {
      const err = await nc.loadModule("vwire", "hub=j0,mtu=9000").catch((e: Error) => e.message);
      // A hub created for jumbo frames carries them.
      const jumbo = await nc.loadModule("vwire", "hub=j1,mtu=9000");
      await nc.setMtu(jumbo[0], 8000);
      const tooBig = await nc.setMtu(jumbo[0], 9001).catch(errnoOf);
      return { err, jumbo, ifs: await nc.interfaces(), tooBig };
    });
    expect(r.err).toBe("mtu=9000 is above the maximum 1500 of vwire:j0/1");
    expect(r.ifs.map((i) => [i.name, i.mtu, i.maxMtu])).toEqual([
      ["lo0", 33192, 65535],
      ["en0", 1500, 1500],
      ["en1", 8000, 9000],
    ]);
    expect(r.tooBig).toBe("EINVAL");
    expect(k.slog.entries().map((e) => e.text)).toContain(
      "io-pkt: Unable to load vwire: mtu=9000 is above the maximum 1500 of vwire:j0/1",
    );
  });

  it("mru= drops longer frames as receive errors; phy= and iftype= are logged as ignored", async () => {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, [
      "-d",
      "vwire",
      "hub=r0,mru=600,phy=1,iftype=x",
      "-p",
      "tcpip",
      "prefix=/a",
      "-t",
      "1",
    ]);
    await startIoPkt(k, ["-d", "vwire", "hub=r0", "-p", "tcpip", "prefix=/b", "-t", "1"]);
    await withClient(k, "/a", (nc) => nc.setAddress("en0", { addr: ip("10.6.0.1"), prefixLen: 24 }));
    const r = await withClient(k, "/b", async (nc) => {
      await nc.setAddress("en0", { addr: ip("10.6.0.2"), prefixLen: 24 });
      await nc.echoOpen(1);
      const ping = async (seq: number, size: number) => {
        await nc.echoSend({ dst: ip("10.6.0.1"), seq, payload: new Uint8Array(size) });
        return (await nc.echoReceive(300)).kind;
      };
      return { small: await ping(1, 500), big: await ping(2, 1000) };
    });
    const a = await withClient(k, "/a", async (nc) => (await nc.interfaces())[1]);
    expect(r).toEqual({ small: 0, big: 2 });
    expect([a.mtu, a.mru, a.counters.ierrors]).toEqual([1500, 600, 1]);
    const logged = k.slog.entries().map((e) => e.text);
    expect(logged).toContain("devnp-vwire: phy= ignored: vwire:r0/0 has no PHY to select");
    expect(logged).toContain("devnp-vwire: iftype= ignored: vwire:r0/0 is Ethernet");
  });

  it("rejects module loads from non-root clients", async () => {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-t", "1"]);
    const e = await withClient(k, "", (nc) => nc.loadModule("vwire", "hub=z").catch(errnoOf), { uid: 100 });
    expect(e).toBe("EPERM");
  });

  it("loads a user module from the image as an ES module", async () => {
    k = new Kernel({ nodeName: "t" });
    const { startManager } = await import("../../../firmware/resmgr/start-manager.ts");
    const { Ramfs } = await import("../../../firmware/fs/ramfs.ts");
    await startManager(k, { name: "ramfs" }, (rm) => new Ramfs(rm).mount("/lib/dll"));
    await startIoPkt(k, ["-t", "1"]);
    const source = `export default { kind: "filter", name: "lsm-count", options: [],
      attach(ctx) { const h = ctx.stack.pfil.add({ name: "count", dir: 1, fn: () => 0 });
        ctx.log(5, "lsm-count here"); return { detach() { ctx.stack.pfil.remove(h); } }; } };`;
    const r = await withClient(k, "", async (nc, ctx) => {
      await ctx.fs.writeFile("/lib/dll/lsm-count.js", source);
      await nc.loadModule("lsm-count.so");
      const mods = await nc.modules();
      const missing = await nc.loadModule("lsm-nothere.so").catch(errnoOf);
      return { mods, missing };
    });
    expect(r.mods.map((m) => [m.kind, m.name, m.source])).toEqual([
      ["filter", "lsm-count", "/lib/dll/lsm-count.js"],
    ]);
    expect(r.missing).toBe("ENOENT");
    expect(k.slog.entries().some((e) => e.text === "lsm-count here")).toBe(true);
  });
});
