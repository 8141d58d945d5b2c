// Option schemas for io-pkt modules (drivers, protocols, filters). One mechanism shared by the
// buildfile linter, `io-pkt -d/-p` and `mount -T io-pkt -o`: a module's options are a
// comma-separated string (`if=eth0,priority=50,promiscuous`) checked against its schema.

/** `percent`: 0 to 100 with decimals and an optional "%" (`3%`, `0.1`); the value is the
 * number of percent. `msec`: a duration with an optional unit (`10ms`, `250us`, `1s`; bare
 * numbers are ms); the value is in ms. */
export type OptionType = "flag" | "int" | "string" | "enum" | "mac" | "ipv4" | "percent" | "msec";

export interface OptionSpec {
  readonly name: string;
  readonly type: OptionType;
  readonly description: string;
  /** Inclusive bounds for `int`, `percent` and `msec` (in ms). */
  readonly min?: number;
  readonly max?: number;
  /** Allowed values for `enum`. */
  readonly values?: readonly string[];
  /** Other spellings accepted for the same option (`unit` for `lan`). */
  readonly aliases?: readonly string[];
  /** `verbose` and `verbose=3` are both valid: the value may be left out. */
  readonly valueOptional?: boolean;
  /** Value used when an optional value is left out. */
  readonly implied?: number | string;
  /** For `string`: the value must match, else the error names `format`. */
  readonly pattern?: RegExp;
  readonly format?: string;
  /**
   * May be given more than once (`bind=en0,bind=en1`): the values are kept in order, joined by
   * commas (a value cannot contain one); `optionList` splits them again. Otherwise the last wins.
   */
  readonly repeatable?: boolean;
}

export type OptionSchema = readonly OptionSpec[];
export type OptionValue = boolean | number | string;

export interface OptionDiagnostic {
  /** The option name as written. */
  readonly option: string;
  /** Offset and length of the offending text inside the option string (for a caret). */
  readonly offset: number;
  readonly length: number;
  readonly message: string;
  readonly hint?: string;
}

export interface ParsedOptions {
  /** Values by canonical option name (aliases resolved). */
  readonly values: Record<string, OptionValue>;
  readonly diagnostics: OptionDiagnostic[];
}

/**
 * Fault injection under any driver (hal/eth/impaired-port.ts): io-pkt wraps the driver's port
 * when one of loss=, dup=, reorder=, corrupt=, delay=, jitter= is given.
 */
export const IMPAIRMENT_OPTIONS: OptionSchema = [
  {
    name: "loss",
    type: "percent",
    min: 0,
    max: 100,
    description: "impairment: frames lost, in percent (3%)",
  },
  {
    name: "dup",
    type: "percent",
    min: 0,
    max: 100,
    description: "impairment: frames duplicated, in percent",
  },
  {
    name: "reorder",
    type: "percent",
    min: 0,
    max: 100,
    description: "impairment: frames that skip the delay and overtake others, in percent",
  },
  {
    name: "corrupt",
    type: "percent",
    min: 0,
    max: 100,
    description: "impairment: frames with one byte flipped (checksums fail), in percent",
  },
  { name: "delay", type: "msec", min: 0, max: 60000, description: "impairment: one-way delay (10ms, 250us)" },
  {
    name: "jitter",
    type: "msec",
    min: 0,
    max: 60000,
    description: "impairment: extra random delay up to this",
  },
  {
    name: "seed",
    type: "int",
    min: 0,
    max: 0xffffffff,
    description: "impairment: seed of the fault injector's random numbers (default 1)",
  },
  {
    name: "impair",
    type: "enum",
    values: ["both", "rx", "tx"],
    description: "impairment: directions impaired (default both, each with its own random numbers)",
  },
];

/** The options every driver accepts; parsed in one place, as io-pkt does. */
export const STANDARD_DRIVER_OPTIONS: OptionSchema = [
  { name: "mac", type: "mac", description: "interface MAC address, 12 hex digits without separators" },
  { name: "lan", type: "int", min: 0, max: 255, aliases: ["unit"], description: "interface number" },
  { name: "mtu", type: "int", min: 68, max: 65535, description: "maximum transmission unit in bytes" },
  { name: "mru", type: "int", min: 68, max: 65535, description: "maximum receive unit in bytes" },
  { name: "speed", type: "int", min: 1, max: 400000, description: "link speed in Mb/s" },
  { name: "duplex", type: "int", min: 0, max: 1, description: "0 half duplex, 1 full duplex" },
  { name: "media", type: "string", description: "media type" },
  { name: "phy", type: "int", min: 0, max: 31, description: "PHY address" },
  { name: "iftype", type: "string", description: "interface type" },
  { name: "nomulticast", type: "flag", description: "disable multicast reception" },
  { name: "promiscuous", type: "flag", description: "receive every frame on the wire" },
  {
    name: "verbose",
    type: "int",
    min: 0,
    max: 9,
    valueOptional: true,
    implied: 1,
    description: "log verbosity (verbose or verbose=n)",
  },
  {
    name: "priority",
    type: "int",
    min: 1,
    max: 255,
    description: "receive pulse priority of this interface",
  },
  { name: "name", type: "string", description: "interface name prefix (handled by the stack)" },
  ...IMPAIRMENT_OPTIONS,
];

/** Optimal string alignment distance: one transposition (`priorty`/`prioirty`) costs 1. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j] + 1, d[i * cols + j - 1] + 1, d[(i - 1) * cols + j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[(i - 2) * cols + j - 2] + 1);
      }
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1];
}

/** The closest candidate if it is close enough to be a plausible typo. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = editDistance(name.toLowerCase(), c.toLowerCase());
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  const limit = Math.max(1, Math.floor(name.length / 3));
  return bestDistance <= limit ? best : undefined;
}

export function optionNames(schema: OptionSchema): string[] {
  return schema.map((o) => o.name);
}

function findSpec(schema: OptionSchema, name: string): OptionSpec | undefined {
  return schema.find((o) => o.name === name || (o.aliases?.includes(name) ?? false));
}

const MAC_RE = /^[0-9a-fA-F]{12}$/;
const INT_RE = /^(?:0x[0-9a-fA-F]+|[0-9]+)$/;
const PERCENT_RE = /^([0-9]+(?:\.[0-9]+)?)%?$/;
const MSEC_RE = /^([0-9]+(?:\.[0-9]+)?)(us|ms|s)?$/;
const MSEC_PER_UNIT: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };

function inRange(spec: OptionSpec, n: number): boolean {
  return (spec.min === undefined || n >= spec.min) && (spec.max === undefined || n <= spec.max);
}

function outOfRange(spec: OptionSpec, value: string, unit = ""): { error: string } {
  return {
    error: `Option ${spec.name}=${value} is out of range (${spec.min ?? "…"}${unit}..${spec.max ?? "…"}${unit})`,
  };
}

function parseIpv4(text: string): boolean {
  const parts = text.split(".");
  if (parts.length !== 4) return false;
  return parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
}

/** Checks one value against its spec; returns the typed value or an error message. */
function convert(spec: OptionSpec, value: string): { value: OptionValue } | { error: string } {
  switch (spec.type) {
    case "flag":
      return { error: `Option ${spec.name} takes no argument` };
    case "int": {
      if (!INT_RE.test(value)) return { error: `Option ${spec.name} needs an integer, not "${value}"` };
      const n = Number(value);
      return inRange(spec, n) ? { value: n } : outOfRange(spec, value);
    }
    case "percent": {
      const m = PERCENT_RE.exec(value);
      if (m === null)
        return { error: `Option ${spec.name} needs a percentage such as 3% or 0.1%, not "${value}"` };
      const n = Number(m[1]);
      return inRange(spec, n) ? { value: n } : outOfRange(spec, value, "%");
    }
    case "msec": {
      const m = MSEC_RE.exec(value);
      if (m === null) {
        return { error: `Option ${spec.name} needs a duration such as 10ms, 250us or 1s, not "${value}"` };
      }
      const n = Number(m[1]) * MSEC_PER_UNIT[m[2] ?? "ms"]!;
      return inRange(spec, n) ? { value: n } : outOfRange(spec, value, "ms");
    }
    case "enum":
      if (!spec.values?.includes(value)) {
        return { error: `Option ${spec.name}=${value} is not one of ${(spec.values ?? []).join(", ")}` };
      }
      return { value };
    case "mac":
      if (!MAC_RE.test(value)) {
        return { error: `Option ${spec.name} needs 12 hex digits without separators, not "${value}"` };
      }
      return { value: value.toLowerCase() };
    case "ipv4":
      if (!parseIpv4(value)) return { error: `Option ${spec.name} needs an IPv4 address, not "${value}"` };
      return { value };
    case "string":
      if (spec.pattern && !spec.pattern.test(value)) {
        return { error: `Option ${spec.name} needs ${spec.format ?? "a valid value"}, not "${value}"` };
      }
      return { value };
  }
}

/**
 * Parses `a=1,b,c=x` against `schema`. Never throws: every problem is a diagnostic with the
 * offset of the offending option, so callers can point a caret at it.
 */
export function parseModuleOptions(schema: OptionSchema, text: string, moduleName?: string): ParsedOptions {
  const values: Record<string, OptionValue> = {};
  const diagnostics: OptionDiagnostic[] = [];
  const where = moduleName ? ` for ${moduleName}` : "";
  let offset = 0;
  for (const item of text.split(",")) {
    const start = offset;
    offset += item.length + 1;
    if (item === "") continue; // `a,,b` and a trailing comma are harmless
    const eq = item.indexOf("=");
    const name = eq < 0 ? item : item.slice(0, eq);
    const raw = eq < 0 ? undefined : item.slice(eq + 1);
    const spec = findSpec(schema, name);
    if (!spec) {
      const guess = closestName(name, optionNames(schema));
      const valid = `valid options: ${optionNames(schema).join(", ")}`;
      diagnostics.push({
        option: name,
        offset: start,
        length: name.length,
        message: `Unknown option "${name}"${where}`,
        hint: guess ? `did you mean "${guess}"? ${valid}` : valid,
      });
      continue;
    }
    if (raw === undefined) {
      if (spec.type === "flag") values[spec.name] = true;
      else if (spec.valueOptional) values[spec.name] = spec.implied ?? true;
      else {
        diagnostics.push({
          option: name,
          offset: start,
          length: name.length,
          message: `Option ${name} requires an argument`,
          hint: spec.description,
        });
      }
      continue;
    }
    if (raw === "" && spec.type !== "flag") {
      diagnostics.push({
        option: name,
        offset: start,
        length: item.length,
        message: `Option ${name} requires an argument`,
        hint: spec.description,
      });
      continue;
    }
    const result = convert(spec, raw);
    if ("error" in result) {
      diagnostics.push({
        option: name,
        offset: spec.type === "flag" ? start : start + eq + 1,
        length: spec.type === "flag" ? item.length : raw.length,
        message: result.error,
        hint: spec.description,
      });
    } else {
      const prev = values[spec.name];
      values[spec.name] =
        spec.repeatable && prev !== undefined ? `${String(prev)},${String(result.value)}` : result.value;
    }
  }
  return { values, diagnostics };
}

/** The values of a repeatable option in the order given ([] when absent). */
export function optionList(values: Record<string, OptionValue>, name: string): string[] {
  const v = values[name];
  return v === undefined || v === false ? [] : String(v).split(",");
}
