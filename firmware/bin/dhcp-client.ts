// dhcp.client: configures an interface from a DHCP server (RFC 2131), as QNX's utility does —
// address and netmask, default route, name servers and domain into resolv.conf, the host
// name — and keeps the lease: renews at T1, rebinds at T2, starts over on NAK or expiry, and
// releases it on SIGTERM/SIGINT. The protocol is the state machine of net/dhcp/machine.ts; this
// file is its I/O: one UDP socket on port 68 bound to the interface, and io-pkt's control file.
import { KernelError } from "../kernel/errno.ts";
import { SLOG_MAJOR, SLOG_SEVERITY } from "../kernel/slog.ts";
import type { Program, ProgramContext } from "../program.ts";
import type { NetControl } from "../net/control/client.ts";
import { DhcpMachine, type DhcpAction } from "../net/dhcp/machine.ts";
import { resolvConfText, type Lease } from "../net/dhcp/lease.ts";
import { RESOLV_CONF } from "../net/resolver.ts";
import * as K from "../net/socket/constants.ts";
import {
  DHCP_CLIENT_PORT,
  DHCP_SERVER_PORT,
  DhcpFormatError,
  decodeDhcp,
  encodeDhcp,
} from "../net/wire/dhcp.ts";
import { formatIpv4, parseIpv4 } from "../net/wire/ipv4-addr.ts";
import { parseMac } from "../net/wire/mac.ts";
import { errorText, runUtility } from "./lib/errors.ts";
import { getopt, optionMap, parseCount, UsageError } from "./lib/getopt.ts";
import { openNet } from "./lib/net-api.ts";

const USAGE = `dhcp.client - TCP/IP host configuration utility (DHCP client)

usage: dhcp.client [-abdHnu] [-A num] [-D ident] [-h hostname] [-I num] [-i interface]
                   [-P port] [-p port] [-s host] [-t num] &
 -A num        decline an address another host answers ARP for; give up after num such
               addresses in a row (default 5; 0: no check)
 -a            apply the address as an alias instead of replacing the interface's address
 -b            ask the server to unicast its replies (default: broadcast)
 -D ident      client identifier (option 61; default: the MAC address)
 -d            log every message sent and received to the system log (sloginfo)
 -H            do not apply the host name (from the server or -h) to this node
 -h hostname   host name sent to the server (option 12)
 -I num        wait for the interface: poll num times, every 2 seconds (default 5)
 -i interface  the interface to configure (default: the first Ethernet interface)
 -n            do not write the name servers and domain to resolv.conf
 -P port       server port (default 67); -p port: client port (default 68)
 -s host       accept replies from this server only
 -t num        give up after num attempts of one minute each (exit status 3)
 -u            stay in the foreground until configured, then go on in the background
The lease is renewed at T1 and rebound at T2; on SIGTERM or SIGINT it is released
(SIGPWR: kept for the next start).
resolv.conf is $RESOLV_CONF, else /etc/resolv.conf. Exit status 2: no interface.
SOCK=/prefix selects another io-pkt instance.
`;

/** Longest wait in poll(), so a signal is noticed promptly. */
const POLL_MS = 500;
/** How long after configuring an address a conflicting ARP answer is waited for. */
const ARP_CHECK_MS = 1000;
const ATTEMPT_MS = 60_000;

interface Options {
  arpChecks: number;
  alias: boolean;
  broadcast: boolean;
  clientId?: Uint8Array;
  debug: boolean;
  applyHostname: boolean;
  hostname?: string;
  ifPolls: number;
  ifname?: string;
  resolv: boolean;
  serverPort: number;
  clientPort: number;
  server?: number;
  attempts: number;
  untilConfigured: boolean;
}

function parseOptions(args: string[]): Options {
  const p = getopt(args, "abdHnuA:D:h:I:i:P:p:s:t:");
  if (p.operands.length) throw new UsageError(`unexpected argument -- ${p.operands[0]}`);
  const m = optionMap(p);
  const port = (o: string, d: number) => {
    const v = m.get(o);
    if (v === undefined) return d;
    const n = parseCount(v, "port");
    if (n < 1 || n > 65535) throw new UsageError(`illegal port -- ${v}`);
    return n;
  };
  let server: number | undefined;
  if (m.has("s")) {
    const a = parseIpv4(m.get("s") as string);
    if (a === null) throw new UsageError(`-s takes an IPv4 address, not '${m.get("s")}'`);
    server = a;
  }
  return {
    arpChecks: m.has("A") ? parseCount(m.get("A") as string, "count") : 5,
    alias: m.has("a"),
    broadcast: !m.has("b"),
    clientId: m.has("D") ? Uint8Array.of(0, ...new TextEncoder().encode(m.get("D"))) : undefined,
    debug: m.has("d"),
    applyHostname: !m.has("H"),
    hostname: m.get("h"),
    ifPolls: m.has("I") ? parseCount(m.get("I") as string, "count") : 5,
    ifname: m.get("i"),
    resolv: !m.has("n"),
    serverPort: port("P", DHCP_SERVER_PORT),
    clientPort: port("p", DHCP_CLIENT_PORT),
    server,
    attempts: m.has("t") ? parseCount(m.get("t") as string, "count") : 0,
    untilConfigured: m.has("u"),
  };
}

/** The interface to configure, polling for it as -I asks; null when it never appears. */
async function findInterface(ctx: ProgramContext, net: NetControl, o: Options) {
  for (let i = 0; ; i++) {
    const ifs = await net.interfaces();
    const ifi =
      o.ifname === undefined ? ifs.find((f) => f.type === "ethernet") : ifs.find((f) => f.name === o.ifname);
    if (ifi !== undefined) return ifi;
    if (i >= o.ifPolls) return null;
    await ctx.thread.sleep(2000);
  }
}

class Configurer {
  private readonly ctx: ProgramContext;
  private readonly net: NetControl;
  private readonly ifname: string;
  private readonly o: Options;
  /** The default route we added (its gateway), to take it away with the lease. */
  private route = 0;

  constructor(ctx: ProgramContext, net: NetControl, ifname: string, o: Options) {
    this.ctx = ctx;
    this.net = net;
    this.ifname = ifname;
    this.o = o;
  }

  /** The link address another host answered ARP with for `addr` on our interface, if any. */
  async arpHolder(addr: number): Promise<string | null> {
    const e = (await this.net.arpList()).find(
      (a) => a.ip === addr && a.ifname === this.ifname && a.mac !== "",
    );
    return e?.mac ?? null;
  }

  log(severity: number, text: string): void {
    this.ctx.kernel.slog.log(
      SLOG_MAJOR.NET,
      0,
      severity,
      `dhcp.client ${this.ifname}: ${text}`,
      this.ctx.process.pid,
    );
  }

  async bind(l: Lease, renewed: boolean): Promise<void> {
    const what = `${formatIpv4(l.address)}/${l.prefixLen} from ${formatIpv4(l.server)}, lease ${l.leaseSecs} s`;
    if (renewed) {
      this.log(SLOG_SEVERITY.INFO, `renewed ${what}`);
      return;
    }
    const spec = { addr: l.address, prefixLen: l.prefixLen };
    if (this.o.alias) await this.net.addAlias(this.ifname, spec);
    else await this.net.setAddress(this.ifname, spec);
    await this.net.setUp(this.ifname, true);
    const gw = l.routers[0];
    if (gw !== undefined) {
      await this.net.deleteRoute(0, 0).catch(() => {});
      await this.net.addRoute({ dst: 0, prefixLen: 0, gateway: gw });
      this.route = gw;
    }
    if (this.o.resolv && (l.dns.length !== 0 || l.domain !== "")) {
      const path = this.ctx.env.RESOLV_CONF || RESOLV_CONF;
      try {
        await this.ctx.fs.writeFile(path, resolvConfText(l, formatIpv4));
      } catch (e) {
        await this.ctx.stderr.write(`dhcp.client: ${path}: ${errorText(e)}\n`);
        this.log(SLOG_SEVERITY.WARNING, `cannot write ${path}: ${errorText(e)}`);
      }
    }
    const name = this.o.hostname || l.hostname;
    if (this.o.applyHostname && name) this.ctx.kernel.hostname = name;
    this.log(SLOG_SEVERITY.NOTICE, `bound to ${what}${gw !== undefined ? `, router ${formatIpv4(gw)}` : ""}`);
  }

  async unbind(l: Lease, why: string): Promise<void> {
    this.log(SLOG_SEVERITY.NOTICE, `${formatIpv4(l.address)}: ${why}`);
    if (this.route !== 0) await this.net.deleteRoute(0, 0).catch(() => {});
    this.route = 0;
    await this.net.deleteAddress(this.ifname, l.address).catch(() => {});
  }
}

async function client(ctx: ProgramContext, o: Options): Promise<number> {
  const net = await openNet(ctx);
  const s = ctx.sockets;
  let fd = -1;
  try {
    const ifi = await findInterface(ctx, net, o);
    if (ifi === null) {
      await ctx.stderr.write(`dhcp.client: ${o.ifname ?? "no Ethernet interface"}: interface not found\n`);
      return 2;
    }
    const mac = parseMac(ifi.mac);
    if (mac === null) throw new KernelError("EINVAL", `${ifi.name} has no Ethernet address`);
    if ((ifi.flags & 1) === 0) await net.setUp(ifi.name, true);
    fd = await s.socket(K.AF_INET, K.SOCK_DGRAM);
    await s.setsockopt(fd, K.SOL_SOCKET, K.SO_REUSEADDR, 1);
    await s.setsockopt(fd, K.SOL_SOCKET, K.SO_BROADCAST, 1);
    await s.setsockopt(fd, K.SOL_SOCKET, K.SO_BINDTODEVICE, ifi.name);
    await s.bind(fd, { family: "inet", address: "0.0.0.0", port: o.clientPort });
    const cfg = new Configurer(ctx, net, ifi.name, o);
    const clock = ctx.kernel.clock;
    const machine = new DhcpMachine({
      mac,
      now: () => clock.now(),
      random: Math.random,
      hostname: o.hostname,
      clientId: o.clientId,
      broadcastReplies: o.broadcast,
      server: o.server,
      giveUpMs: o.attempts * ATTEMPT_MS,
    });
    // Before a new address is used it is probed (RFC 2131 §4.4.1): a datagram to it out of the
    // interface makes the stack ask ARP for it, from 0.0.0.0 while we have no address (an RFC
    // 5227 probe, which Linux answers too); an answer within ARP_CHECK_MS means another host
    // has it, and it is declined instead of applied.
    let check = null as { at: number; lease: Lease } | null;
    let declined = 0;
    const perform = async (actions: DhcpAction[]): Promise<number | null> => {
      for (const a of actions) {
        if (a.kind === "send") {
          if (o.debug)
            cfg.log(
              SLOG_SEVERITY.DEBUG1,
              `send ${describe(a.msg.options.get(53)?.[0])} to ${formatIpv4(a.to)}`,
            );
          try {
            await s.sendto(fd, encodeDhcp(a.msg), {
              family: "inet",
              address: formatIpv4(a.to),
              port: o.serverPort,
            });
          } catch (e) {
            // A send that fails (no route yet, interface down) is retried by the machine's timers.
            cfg.log(SLOG_SEVERITY.WARNING, `sendto ${formatIpv4(a.to)}: ${errorText(e)}`);
          }
        } else if (a.kind === "bind") {
          if (o.arpChecks > 0 && !a.renewed) {
            const probe = { family: "inet" as const, address: formatIpv4(a.lease.address), port: 9 };
            await s.sendto(fd, new Uint8Array(0), probe).catch(() => 0);
            check = { at: clock.now() + ARP_CHECK_MS, lease: a.lease };
          } else {
            await cfg.bind(a.lease, a.renewed);
            if (o.untilConfigured) ctx.process.detach();
          }
        } else if (a.kind === "unbind") await cfg.unbind(a.lease, a.why);
        else {
          await ctx.stderr.write(`dhcp.client: ${ifi.name}: no DHCP server answered\n`);
          return 3;
        }
      }
      return null;
    };
    // SIGTERM/SIGINT give the lease back; SIGPWR leaves it to expire or be resumed (as QNX's).
    let stop: "release" | "keep" | null = null;
    ctx.process.onSignal("SIGTERM", () => (stop = "release"));
    ctx.process.onSignal("SIGINT", () => (stop = "release"));
    ctx.process.onSignal("SIGPWR", () => (stop = "keep"));
    machine.start();
    for (;;) {
      const status = await perform(machine.take());
      if (status !== null) return status;
      if (stop !== null) break;
      const wait = Math.max(
        0,
        Math.min(POLL_MS, machine.deadline() - clock.now(), (check?.at ?? Infinity) - clock.now()),
      );
      let ready = 0;
      try {
        [ready] = await s.poll([{ fd, events: K.POLLIN }], wait);
      } catch (e) {
        if (e instanceof KernelError && e.errno === "EINTR") continue;
        throw e;
      }
      if (ready & K.POLLIN) {
        const got = await s.recvfrom(fd, 1500, K.MSG_DONTWAIT).catch(() => null);
        if (got !== null) {
          try {
            const m = decodeDhcp(got.data);
            if (o.debug) cfg.log(SLOG_SEVERITY.DEBUG1, `received ${describe(m.options.get(53)?.[0])}`);
            machine.receive(m);
          } catch (e) {
            if (!(e instanceof DhcpFormatError)) throw e;
            cfg.log(SLOG_SEVERITY.WARNING, `ignored: ${e.message}`);
          }
        }
      }
      machine.tick();
      if (check !== null && clock.now() >= check.at) {
        const { lease } = check;
        check = null;
        const holder = await cfg.arpHolder(lease.address);
        if (machine.lease !== lease) {
          // released or replaced meanwhile: nothing to apply
        } else if (holder === null) {
          declined = 0;
          await cfg.bind(lease, false);
          if (o.untilConfigured) ctx.process.detach();
        } else {
          cfg.log(SLOG_SEVERITY.WARNING, `${formatIpv4(lease.address)} is in use by ${holder}`);
          await net.arpDelete(lease.address).catch(() => {});
          machine.decline();
          if (++declined >= o.arpChecks) {
            await perform(machine.take());
            await ctx.stderr.write(`dhcp.client: ${ifi.name}: ${declined} addresses in use by other hosts\n`);
            return 3;
          }
        }
      }
    }
    if (stop === "keep") machine.stop();
    else machine.release();
    await perform(machine.take());
    return 0;
  } finally {
    if (fd >= 0) await s.close(fd).catch(() => {});
    await net.close().catch(() => {});
  }
}

function describe(type: number | undefined): string {
  const names = ["?", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM"];
  return `DHCP${names[type ?? 0] ?? "?"}`;
}

const program: Program = {
  name: "dhcp.client",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "dhcp.client", USAGE, () => client(ctx, parseOptions(ctx.argv.slice(1))));
  },
};
export default program;
