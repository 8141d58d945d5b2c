// What a program imports as `netrino/sockets`: the socket constants, the client API's types
// and the Node-shaped dgram facade. The client itself is `ctx.sockets`.
export * from "./constants.ts";
export type * from "./api.ts";
export { FIONBIO, FIONREAD } from "./messages.ts";
export { createSocket, DgramSocket, type RemoteInfo, type SocketOptions } from "./dgram.ts";
export { connect, createServer, NetServer, NetSocket, netError } from "./net.ts";
