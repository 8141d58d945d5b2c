// The io-pkt control protocol and its client library (what the network utilities import).
export {
  NetControl,
  type OpenOptions,
  type AddrSpec,
  type RouteSpec,
  type EchoRequest,
  type BpfOpenOptions,
} from "./client.ts";
export * from "./protocol.ts";
export {
  controlPath,
  ifDir,
  mountPath,
  mountType,
  normalizePrefix,
  prefixFromEnv,
  socketDir,
} from "./paths.ts";
