// typed-binary has no 64-bit integer; offsets, sizes and times need one. Stored as a signed
// high word and an unsigned low word (two's complement, as an int64 in network order), read
// back as a JavaScript number (exact up to 2^53).
import { Measurer, Schema } from "typed-binary";
import type { IMeasurer, ISerialInput, ISerialOutput, MaxValue } from "typed-binary";

const TWO_32 = 0x1_0000_0000;

export class Int64Schema extends Schema<number> {
  readonly maxSize = 8;

  write(output: ISerialOutput, value: number): void {
    const v = Number.isFinite(value) ? Math.trunc(value) : 0;
    const hi = Math.floor(v / TWO_32);
    output.writeInt32(hi | 0);
    output.writeUint32((v - hi * TWO_32) >>> 0);
  }

  read(input: ISerialInput): number {
    const hi = input.readInt32();
    const lo = input.readUint32();
    return hi * TWO_32 + lo;
  }

  measure(_value: number | typeof MaxValue, measurer: IMeasurer = new Measurer()): IMeasurer {
    return measurer.add(8);
  }
}

export const i64 = new Int64Schema();
