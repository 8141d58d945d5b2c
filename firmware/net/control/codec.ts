// Encoding helpers for the io-pkt control protocol: typed-binary schemas in network byte
// order, with two shapes typed-binary lacks (64-bit counters, length-prefixed byte strings).
// Control messages are variable-length, so the encoder measures each value first.
import { BufferReader, BufferWriter, Measurer, Schema } from "typed-binary";
import type {
  AnySchema,
  Endianness,
  IMeasurer,
  ISerialInput,
  ISerialOutput,
  MaxValue,
  Parsed,
} from "typed-binary";
import { KernelError } from "../../kernel/errno.ts";
import { i64 } from "../../resmgr/int64-schema.ts";

export { i64 };

/** Longest byte string a control message carries (a reassembled datagram fits). */
export const BYTES_MAX = 1 << 20;

/** u32 length followed by that many raw bytes. */
export class BytesSchema extends Schema<Uint8Array> {
  write(output: ISerialOutput, value: Uint8Array): void {
    output.writeUint32(value.byteLength);
    output.writeSlice(value);
  }

  read(input: ISerialInput): Uint8Array {
    const n = input.readUint32();
    if (n > BYTES_MAX) throw new KernelError("EMSGSIZE", "byte string too long");
    const out = new Uint8Array(n);
    input.readSlice(out, 0, n);
    return out;
  }

  measure(value: Uint8Array | typeof MaxValue, measurer: IMeasurer = new Measurer()): IMeasurer {
    if (typeof value === "symbol") return measurer.add(4).unbounded;
    return measurer.add(4 + value.byteLength);
  }
}

export const bytes = new BytesSchema();

/**
 * Encodes a value of any (variable-size) schema. Network byte order unless told otherwise
 * (Qnet's wire is little endian).
 */
export function encode<T extends AnySchema>(
  schema: T,
  value: Parsed<T["__unwrapped"]>,
  endianness: Endianness = "big",
): Uint8Array {
  const size = schema.measure(value as never).size;
  const out = new Uint8Array(size);
  schema.write(new BufferWriter(out.buffer, { endianness }), value as never);
  return out;
}

/** Decodes; any overrun or malformed field is EBADMSG naming `what` (never a RangeError). */
export function decode<T extends AnySchema>(
  schema: T,
  data: Uint8Array,
  endianness: Endianness = "big",
  what = "io-pkt control message",
): Parsed<T["__unwrapped"]> {
  // A view into a larger buffer is copied, so reading past its end fails instead of
  // reading a neighbour's bytes.
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  const buf = whole ? data.buffer : data.slice().buffer;
  try {
    return schema.read(new BufferReader(buf, { endianness })) as Parsed<T["__unwrapped"]>;
  } catch (e) {
    if (e instanceof KernelError) throw e;
    throw new KernelError("EBADMSG", `malformed ${what}`);
  }
}
