// The standard driver options (mac=, lan=, mtu=, speed=, duplex=, promiscuous, priority=,
// name=, the impairment's loss=, delay= …), turned into one typed record in one place for every driver, as io-pkt does.
// Parsing against the schema (and "Option X requires an argument") is module-options.ts's job.
import type { ImpairmentOptions } from "../../../hal/eth/impairment.ts";
import type { OptionValue } from "../module-options.ts";

export interface StandardDriverOptions {
  /** 48-bit station address from mac= (12 hex digits), or undefined for the port's own. */
  mac?: number;
  /** lan=/unit=: interface number (en<lan>). */
  lan?: number;
  mtu?: number;
  mru?: number;
  /** Mb/s. */
  speed?: number;
  /** 0 half, 1 full. */
  duplex?: number;
  media?: string;
  phy?: number;
  iftype?: string;
  nomulticast: boolean;
  promiscuous: boolean;
  verbose: number;
  /** This interface's receive pulse priority. */
  priority?: number;
  /** name=: the interface name (or a prefix: "wl" → wl0). */
  name?: string;
  /** loss=, dup=, reorder=, corrupt=, delay=, jitter=, seed=, impair=: the fault injector io-pkt
   * puts under the driver's port, per direction (undefined: that direction is clean). */
  impair?: { rx?: ImpairmentOptions; tx?: ImpairmentOptions };
}

/** The transmit path's seed differs from the receive path's, so the two lose different frames. */
const TX_SEED_SALT = 0x9e3779b9;

/** The impairment the options ask for, or undefined when none of its options is set. */
export function impairmentOptions(
  values: Record<string, OptionValue>,
): { rx?: ImpairmentOptions; tx?: ImpairmentOptions } | undefined {
  const pct = (v: OptionValue | undefined): number => (typeof v === "number" ? v / 100 : 0);
  const base: ImpairmentOptions = {
    loss: pct(values.loss),
    duplicate: pct(values.dup),
    reorder: pct(values.reorder),
    corrupt: pct(values.corrupt),
    delayMs: num(values.delay) ?? 0,
    jitterMs: num(values.jitter) ?? 0,
  };
  if (Object.values(base).every((v) => v === 0)) return undefined;
  const seed = num(values.seed) ?? 1;
  const dirs = str(values.impair) ?? "both";
  return {
    rx: dirs === "tx" ? undefined : { ...base, seed },
    tx: dirs === "rx" ? undefined : { ...base, seed: (seed ^ TX_SEED_SALT) >>> 0 },
  };
}

function num(v: OptionValue | undefined): number | undefined {
  return typeof v === "number" ? v : undefined;
}

function str(v: OptionValue | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** Picks the standard options out of a parsed option record. */
export function standardDriverOptions(values: Record<string, OptionValue>): StandardDriverOptions {
  const mac = str(values.mac);
  return {
    mac: mac === undefined ? undefined : parseInt(mac, 16),
    lan: num(values.lan),
    mtu: num(values.mtu),
    mru: num(values.mru),
    speed: num(values.speed),
    duplex: num(values.duplex),
    media: str(values.media),
    phy: num(values.phy),
    iftype: str(values.iftype),
    nomulticast: values.nomulticast === true,
    promiscuous: values.promiscuous === true,
    verbose: num(values.verbose) ?? 0,
    priority: num(values.priority),
    name: str(values.name),
    impair: impairmentOptions(values),
  };
}

/**
 * The interface name a driver gets: name= as given when it ends in a digit ("uplink0"),
 * else name= (or the default prefix "en") followed by lan= or the first free number.
 */
export function interfaceName(
  std: StandardDriverOptions,
  taken: (name: string) => boolean,
  defaultPrefix = "en",
): string {
  const n = std.name;
  if (n !== undefined && /\d$/.test(n)) return n;
  const prefix = n ?? defaultPrefix;
  if (std.lan !== undefined) return `${prefix}${std.lan}`;
  for (let i = 0; ; i++) if (!taken(`${prefix}${i}`)) return `${prefix}${i}`;
}

/** ifconfig's media line from speed=/duplex= ("Ethernet 100baseTX full-duplex"). */
export function mediaText(std: StandardDriverOptions, fallback = "Ethernet autoselect"): string {
  if (std.media !== undefined) return std.media;
  if (std.speed === undefined) return fallback;
  const kind =
    std.speed >= 1000 ? `${std.speed}baseT` : std.speed === 100 ? "100baseTX" : `${std.speed}baseT`;
  const duplex = std.duplex === 0 ? "half-duplex" : "full-duplex";
  return `Ethernet ${kind} ${duplex}`;
}
