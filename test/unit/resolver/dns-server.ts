// A minimal DNS responder for tests: answers a query with the given records (names compressed
// against the question where they repeat it), as a real server would put them on the wire.
import { DNS_CLASS_IN, DNS_TYPE_A } from "../../../firmware/net/wire/dns.ts";

export interface TestRecord {
  name: string;
  type: number;
  value: string;
}

function encodeName(name: string): number[] {
  const out: number[] = [];
  for (const l of name.split(".")) out.push(l.length, ...Buffer.from(l));
  out.push(0);
  return out;
}

/** The response to `query` carrying `answers`; `rcode` 3 for NXDOMAIN. */
export function dnsResponse(query: Uint8Array, answers: TestRecord[], rcode = 0): Uint8Array {
  const qEnd = query.length;
  const qname = new TextDecoder().decode(query.subarray(12, qEnd - 4));
  const out = [...query];
  out[2] = 0x81;
  out[3] = 0x80 | rcode;
  out[6] = answers.length >> 8;
  out[7] = answers.length & 0xff;
  for (const a of answers) {
    // The question's name is at byte 12: point there when the record repeats it.
    const asked = encodeName(a.name);
    const same = Buffer.from(asked.slice(0, -1)).toString() === qname.slice(0, asked.length - 1);
    out.push(...(same && asked.length === qEnd - 16 ? [0xc0, 12] : asked));
    const rdata = a.type === DNS_TYPE_A ? a.value.split(".").map(Number) : encodeName(a.value);
    out.push(
      a.type >> 8,
      a.type & 0xff,
      0,
      DNS_CLASS_IN,
      0,
      0,
      0,
      60,
      rdata.length >> 8,
      rdata.length & 0xff,
    );
    out.push(...rdata);
  }
  return Uint8Array.from(out);
}
