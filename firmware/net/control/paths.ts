// Where an io-pkt instance lives in the pathname space. Every path the stack registers is
// prefixed with the tcpip `prefix=` option; clients choose an instance with the SOCK
// environment variable (`SOCK=/alt ifconfig -a` talks to the stack started with prefix=/alt).

/** Normalises a prefix: "" for the default stack, else "/alt" (no trailing slash). */
export function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined) return "";
  const p = prefix.replace(/\/+$/, "");
  return p === "" || p === "/" ? "" : p.startsWith("/") ? p : `/${p}`;
}

/** The prefix a client uses: $SOCK, else the default stack. */
export function prefixFromEnv(env: Record<string, string | undefined>): string {
  return normalizePrefix(env.SOCK);
}

/** `/dev/socket` (the directory io-pkt registers; `waitfor /dev/socket` waits for it). */
export function socketDir(prefix: string): string {
  return `${normalizePrefix(prefix)}/dev/socket`;
}

/** The control file: every NetControl request is a devctl on it. */
export function controlPath(prefix: string): string {
  return `${socketDir(prefix)}/config`;
}

/** `/dev/io-pkt`: one entry per interface (`umount /dev/io-pkt/en0` destroys it). */
export function ifDir(prefix: string): string {
  return `${normalizePrefix(prefix)}/dev/io-pkt`;
}

/** Mount type of an instance: `io-pkt` for instance 0, `io-pkt<n>` for `-i n`. */
export function mountType(instance: number): string {
  return instance === 0 ? "io-pkt" : `io-pkt${instance}`;
}

/** Where `mount -T <type>` sends its request (the generic mount protocol, firmware/bin/lib/mount-request.ts). */
export function mountPath(prefix: string, instance: number): string {
  return `${normalizePrefix(prefix)}/dev/mount/${mountType(instance)}`;
}
