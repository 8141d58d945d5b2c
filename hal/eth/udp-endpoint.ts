// Addresses of the UDP virtual wire: "127.0.0.1:47300", ":47300" or "47300" (loopback).
import { KernelError } from "../../firmware/kernel/errno.ts";

/** The hub port of the default wire: every `npm start` node meets the others here. */
export const DEFAULT_WIRE_PORT = 47300;
export const LOOPBACK = "127.0.0.1";

export interface UdpEndpoint {
  address: string;
  port: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses an endpoint; a bare port means 127.0.0.1. Port 0 is allowed only if `allowAny`. */
export function parseEndpoint(text: string | number, allowAny = false): UdpEndpoint {
  const t = String(text).trim();
  const colon = t.lastIndexOf(":");
  const address = colon > 0 ? t.slice(0, colon) : LOOPBACK;
  const portText = colon >= 0 ? t.slice(colon + 1) : t;
  const m = IPV4.exec(address);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) {
    throw new KernelError("EINVAL", `invalid IPv4 address in "${text}"`);
  }
  if (!/^\d{1,5}$/.test(portText)) throw new KernelError("EINVAL", `invalid UDP port in "${text}"`);
  const port = Number(portText);
  if (port > 65535 || (port === 0 && !allowAny)) {
    throw new KernelError("EINVAL", `invalid UDP port in "${text}"`);
  }
  return { address, port };
}

export function formatEndpoint(e: UdpEndpoint): string {
  return `${e.address}:${e.port}`;
}
