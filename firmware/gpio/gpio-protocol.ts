// devctl commands of /dev/gpio/<pin> and their fixed little binary payloads (DataView, no
// schema library: they are tiny and used per edge). Values are network byte order.
import { KernelError } from "../kernel/errno.ts";
import type { GpioDirection, GpioEdge } from "./gpio-backend.ts";

/** netrino devctl numbers, class 0x47 'G'. */
export const DCMD_GPIO_GET = 0x4701;
export const DCMD_GPIO_SET = 0x4702;
export const DCMD_GPIO_GET_CONFIG = 0x4703;
export const DCMD_GPIO_SET_DIRECTION = 0x4704;
export const DCMD_GPIO_ATTACH_EVENT = 0x4705;
export const DCMD_GPIO_DETACH_EVENT = 0x4706;

const DIRECTIONS: readonly GpioDirection[] = ["in", "out"];
const EDGES: readonly GpioEdge[] = ["rising", "falling", "both"];

/**
 * ATTACH_EVENT: deliver a pulse on each edge (InterruptAttachEvent-style). The pulse goes over
 * the client's connection `coid` at `priority` with `code`; its value is (pin << 1) | level.
 */
export interface AttachEventRequest {
  edge: GpioEdge;
  coid: number;
  priority: number;
  code: number;
}

/** Layout: edge u8, priority u8, code i8, pad u8, coid u32 — 8 bytes. */
export function encodeAttachEvent(r: AttachEventRequest): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint8(0, EDGES.indexOf(r.edge));
  v.setUint8(1, r.priority);
  v.setInt8(2, r.code);
  v.setUint32(4, r.coid);
  return b;
}

export function decodeAttachEvent(b: Uint8Array): AttachEventRequest {
  if (b.length < 8) throw new KernelError("EINVAL", "short gpio attach request");
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const edge = EDGES[v.getUint8(0)];
  if (!edge) throw new KernelError("EINVAL", "bad gpio edge");
  return { edge, priority: v.getUint8(1), code: v.getInt8(2), coid: v.getUint32(4) };
}

/** SET, GET replies and SET_DIRECTION carry one byte. */
export function encodeByte(n: number): Uint8Array {
  return Uint8Array.of(n & 0xff);
}

export function decodeByte(b: Uint8Array): number {
  if (b.length < 1) throw new KernelError("EINVAL", "empty gpio request");
  return b[0];
}

export function encodeDirection(d: GpioDirection): Uint8Array {
  return encodeByte(DIRECTIONS.indexOf(d));
}

export function decodeDirection(b: Uint8Array): GpioDirection {
  const d = DIRECTIONS[decodeByte(b)];
  if (!d) throw new KernelError("EINVAL", "bad gpio direction");
  return d;
}

/** GET_CONFIG reply: direction u8, level u8. */
export function encodeConfig(d: GpioDirection, level: number): Uint8Array {
  return Uint8Array.of(DIRECTIONS.indexOf(d), level);
}

export function decodeConfig(b: Uint8Array): { direction: GpioDirection; level: number } {
  if (b.length < 2) throw new KernelError("EINVAL", "short gpio config");
  return { direction: DIRECTIONS[b[0]] ?? "in", level: b[1] };
}

/** The pulse value of an edge: pin and new level. */
export function edgePulseValue(pin: number, level: number): number {
  return (pin << 1) | (level & 1);
}

export function decodeEdgePulseValue(value: number): { pin: number; level: number } {
  return { pin: value >>> 1, level: value & 1 };
}
