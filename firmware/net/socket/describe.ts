// How a socket reads in one line, for netstat's address columns and for `pidin fds` (the
// description io-pkt answers _IO_FDINFO with): `tcp 10.0.0.1.22 <-> 10.0.0.2.50312 ESTABLISHED`.
import type { SocketAddress } from "./api.ts";
import { fromWire } from "./client.ts";
import { AF_LOCAL, AF_ROUTE } from "./constants.ts";
import type { SocketInfo } from "./messages.ts";

/** BSD's `a.b.c.d.port` with `*` for the wildcard address and port; a path for AF_LOCAL. */
export function endpointText(a: SocketAddress | null): string {
  if (a === null) return "*.*";
  if (a.family === "local") return a.path;
  return `${a.address === "0.0.0.0" ? "*" : a.address}.${a.port === 0 ? "*" : a.port}`;
}

/** `socket: <proto> <local> [<-> <foreign>] [state]` for one socket of io-pkt's list. */
export function describeSocket(s: SocketInfo, protoName: string): string {
  if (s.domain === AF_ROUTE) return "socket: route";
  const proto = s.domain === AF_LOCAL ? `unix ${protoName}` : protoName;
  const local = fromWire(s.local);
  const foreign = fromWire(s.foreign);
  let text = `socket: ${proto} ${s.domain === AF_LOCAL && local?.family === "local" && local.path === "" ? "-" : endpointText(local)}`;
  if (foreign !== null) text += ` <-> ${endpointText(foreign)}`;
  return s.state === "" ? text : `${text} ${s.state}`;
}
