// setsockopt/getsockopt for the levels every socket shares (SOL_SOCKET) and IP (IPPROTO_IP).
// Values travel as bytes: integers as 4-byte big-endian, timeouts in milliseconds,
// SO_BINDTODEVICE as the interface name, ip_mreq as (group, interface address).
import { KernelError } from "../../kernel/errno.ts";
import type { Ifnet } from "../stack/ifnet.ts";
import { isMulticast4 } from "../wire/ipv4-addr.ts";
import * as K from "./constants.ts";
import type { Socket } from "./socket.ts";
import { pcbOf } from "./udp.ts";

const BOOL_OPTIONS = [
  K.SO_DEBUG,
  K.SO_REUSEADDR,
  K.SO_KEEPALIVE,
  K.SO_DONTROUTE,
  K.SO_BROADCAST,
  K.SO_REUSEPORT,
  K.SO_TIMESTAMP,
];

export function int32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v);
  return b;
}

export function readInt(v: Uint8Array, name: string): number {
  if (v.byteLength === 1) return v[0]; // IP_TTL and friends as a byte, as BSD accepts
  if (v.byteLength !== 4)
    throw new KernelError("EINVAL", `${name}: value must be 4 bytes, got ${v.byteLength}`);
  return new DataView(v.buffer, v.byteOffset, 4).getInt32(0);
}

function readAddrPair(v: Uint8Array, name: string): [number, number] {
  if (v.byteLength !== 8) throw new KernelError("EINVAL", `${name}: ip_mreq must be 8 bytes`);
  const d = new DataView(v.buffer, v.byteOffset, 8);
  return [d.getUint32(0), d.getUint32(4)];
}

/** The interface that owns `addr`, or (0) the one `group` routes out of. */
function mcastIf(so: Socket, addr: number, group: number): Ifnet {
  const st = so.layer.stack;
  if (addr !== 0) {
    const ifp = st.interfaces().find((i) => i.addrs.some((a) => a.addr === addr));
    if (ifp === undefined) throw new KernelError("EADDRNOTAVAIL", "no interface has that address");
    return ifp;
  }
  const r = st.routes.lookup(group);
  const ifp = r?.ifp ?? st.interfaces().find((i) => !i.isLoopback);
  if (ifp === undefined) throw new KernelError("EADDRNOTAVAIL", "no interface for the group");
  return ifp;
}

export function setSockopt(so: Socket, level: number, name: number, v: Uint8Array): void {
  if (level === K.SOL_SOCKET) {
    setSocketLevel(so, name, v);
    // As BSD's sosetopt: the protocol hears socket-level changes too (TCP: keepalive, linger).
    so.proto.ctloutput?.(so, true, level, name, v);
    return;
  }
  setOtherLevel(so, level, name, v);
}

function setSocketLevel(so: Socket, name: number, v: Uint8Array): void {
  if (BOOL_OPTIONS.includes(name)) {
    if (readInt(v, "SO_*") !== 0) so.options |= name;
    else so.options &= ~name;
    return;
  }
  switch (name) {
    case K.SO_RCVBUF:
    case K.SO_SNDBUF: {
      const n = readInt(v, "SO_RCVBUF");
      if (n <= 0 || n > so.layer.config.sbmax)
        throw new KernelError("ENOBUFS", `buffer size ${n} (kern.sbmax ${so.layer.config.sbmax})`);
      (name === K.SO_RCVBUF ? so.rcv : so.snd).hiwat = n;
      return;
    }
    case K.SO_RCVLOWAT:
      so.rcv.lowat = Math.max(1, readInt(v, "SO_RCVLOWAT"));
      return;
    case K.SO_SNDLOWAT:
      so.snd.lowat = Math.max(1, readInt(v, "SO_SNDLOWAT"));
      return;
    case K.SO_RCVTIMEO:
    case K.SO_SNDTIMEO: {
      const ms = readInt(v, "SO_RCVTIMEO");
      if (ms < 0) throw new KernelError("EDOM", "negative timeout");
      if (name === K.SO_RCVTIMEO) so.rcvTimeoMs = ms;
      else so.sndTimeoMs = ms;
      return;
    }
    case K.SO_BINDTODEVICE: {
      const ifname = new TextDecoder().decode(v).replace(/\0.*$/, "");
      so.boundIf = ifname === "" ? null : so.layer.stack.requireIf(ifname);
      return;
    }
    case K.SO_LINGER: {
      if (v.byteLength !== 8)
        throw new KernelError("EINVAL", `SO_LINGER: struct linger must be 8 bytes, got ${v.byteLength}`);
      const d = new DataView(v.buffer, v.byteOffset, 8);
      const secs = d.getInt32(4);
      if (secs < 0) throw new KernelError("EINVAL", `SO_LINGER: negative timeout ${secs}`);
      if (d.getInt32(0) !== 0) so.options |= K.SO_LINGER;
      else so.options &= ~K.SO_LINGER;
      so.lingerSec = secs;
      return;
    }
  }
  throw new KernelError("ENOPROTOOPT", `socket option ${name} is not supported`);
}

function setOtherLevel(so: Socket, level: number, name: number, v: Uint8Array): void {
  if (level === K.IPPROTO_IP && so.domain === K.AF_INET) {
    switch (name) {
      case K.IP_TTL: {
        const t = readInt(v, "IP_TTL");
        if (t < -1 || t > 255) throw new KernelError("EINVAL", `IP_TTL ${t}`);
        so.ip.ttl = t < 0 ? 0 : t;
        return;
      }
      case K.IP_TOS:
        so.ip.tos = readInt(v, "IP_TOS") & 0xff;
        return;
      case K.IP_HDRINCL:
        if (so.type !== K.SOCK_RAW) throw new KernelError("ENOPROTOOPT", "IP_HDRINCL is for raw sockets");
        so.ip.hdrincl = readInt(v, "IP_HDRINCL") !== 0;
        return;
      case K.IP_OPTIONS:
        if (v.byteLength > 40)
          throw new KernelError("EINVAL", `IP_OPTIONS: ${v.byteLength} bytes (at most 40)`);
        so.ip.options = v.byteLength === 0 ? null : v.slice();
        return;
      case K.IP_DONTFRAG:
        so.ip.dontfrag = readInt(v, "IP_DONTFRAG") !== 0;
        return;
      case K.IP_RECVDSTADDR:
        so.ip.recvdstaddr = readInt(v, "IP_RECVDSTADDR") !== 0;
        return;
      case K.IP_PKTINFO:
        so.ip.pktinfo = readInt(v, "IP_PKTINFO") !== 0;
        return;
      case K.IP_MULTICAST_TTL: {
        const t = readInt(v, "IP_MULTICAST_TTL");
        if (t < 0 || t > 255) throw new KernelError("EINVAL", `IP_MULTICAST_TTL ${t}`);
        so.ip.multicastTtl = t;
        return;
      }
      case K.IP_MULTICAST_LOOP:
        so.ip.multicastLoop = readInt(v, "IP_MULTICAST_LOOP") !== 0;
        return;
      case K.IP_MULTICAST_IF: {
        if (v.byteLength !== 4) throw new KernelError("EINVAL", "IP_MULTICAST_IF: an address (4 bytes)");
        const a = new DataView(v.buffer, v.byteOffset, 4).getUint32(0);
        so.ip.multicastIf = a === 0 ? null : mcastIf(so, a, 0);
        return;
      }
      case K.IP_ADD_MEMBERSHIP:
      case K.IP_DROP_MEMBERSHIP: {
        const [group, ifaddr] = readAddrPair(v, "IP_ADD_MEMBERSHIP");
        if (!isMulticast4(group)) throw new KernelError("EINVAL", "not a multicast group address");
        const pcb = pcbOf(so);
        if (pcb === null || typeof pcb !== "object" || !("groups" in pcb))
          throw new KernelError("EOPNOTSUPP", "memberships need an AF_INET datagram socket");
        if (name === K.IP_ADD_MEMBERSHIP) {
          if (pcb.groups.has(group)) throw new KernelError("EADDRINUSE", "already a member of that group");
          const ifp = mcastIf(so, ifaddr, group);
          pcb.groups.set(group, ifp);
          so.layer.joinGroup(group, ifp);
        } else {
          const ifp = pcb.groups.get(group);
          if (ifp === undefined) throw new KernelError("EADDRNOTAVAIL", "not a member of that group");
          pcb.groups.delete(group);
          so.layer.leaveGroup(group, ifp);
        }
        return;
      }
    }
    throw new KernelError("ENOPROTOOPT", `IP option ${name} is not supported`);
  }
  const r = so.proto.ctloutput?.(so, true, level, name, v);
  if (r === undefined) throw new KernelError("ENOPROTOOPT", `option level ${level} is not supported`);
}

export function getSockopt(so: Socket, level: number, name: number): Uint8Array {
  if (level === K.SOL_SOCKET) {
    if (BOOL_OPTIONS.includes(name)) return int32(so.options & name ? 1 : 0);
    switch (name) {
      case K.SO_RCVBUF:
        return int32(so.rcv.hiwat);
      case K.SO_SNDBUF:
        return int32(so.snd.hiwat);
      case K.SO_RCVLOWAT:
        return int32(so.rcv.lowat);
      case K.SO_SNDLOWAT:
        return int32(so.snd.lowat);
      case K.SO_RCVTIMEO:
        return int32(so.rcvTimeoMs);
      case K.SO_SNDTIMEO:
        return int32(so.sndTimeoMs);
      case K.SO_ERROR:
        return int32(so.takeError());
      case K.SO_TYPE:
        return int32(so.type);
      case K.SO_ACCEPTCONN:
        return int32(so.listening ? 1 : 0);
      case K.SO_BINDTODEVICE:
        return new TextEncoder().encode(so.boundIf?.name ?? "");
      case K.SO_LINGER: {
        const b = new Uint8Array(8);
        const d = new DataView(b.buffer);
        d.setInt32(0, so.options & K.SO_LINGER ? 1 : 0);
        d.setInt32(4, so.lingerSec);
        return b;
      }
    }
    throw new KernelError("ENOPROTOOPT", `socket option ${name} is not supported`);
  }
  if (level === K.IPPROTO_IP && so.domain === K.AF_INET) {
    switch (name) {
      case K.IP_TTL:
        return int32(so.ip.ttl || so.layer.stack.config.ttl);
      case K.IP_TOS:
        return int32(so.ip.tos);
      case K.IP_HDRINCL:
        return int32(so.ip.hdrincl ? 1 : 0);
      case K.IP_OPTIONS:
        return so.ip.options?.slice() ?? new Uint8Array(0);
      case K.IP_DONTFRAG:
        return int32(so.ip.dontfrag ? 1 : 0);
      case K.IP_RECVDSTADDR:
        return int32(so.ip.recvdstaddr ? 1 : 0);
      case K.IP_PKTINFO:
        return int32(so.ip.pktinfo ? 1 : 0);
      case K.IP_MULTICAST_TTL:
        return int32(so.ip.multicastTtl);
      case K.IP_MULTICAST_LOOP:
        return int32(so.ip.multicastLoop ? 1 : 0);
      case K.IP_MULTICAST_IF:
        return int32(so.ip.multicastIf?.primaryAddr?.addr ?? 0);
    }
    throw new KernelError("ENOPROTOOPT", `IP option ${name} is not supported`);
  }
  const r = so.proto.ctloutput?.(so, false, level, name, new Uint8Array(0));
  if (r === undefined) throw new KernelError("ENOPROTOOPT", `option level ${level} is not supported`);
  return r;
}
