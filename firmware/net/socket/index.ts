// What a program imports as `netrino/sockets`: the socket constants, the client API's types,
// the Node-shaped dgram and net facades and the routing-message codec (AF_ROUTE sockets).
// The client itself is `ctx.sockets`.
export * from "./constants.ts";
export type * from "./api.ts";
export { FIONBIO, FIONREAD } from "./messages.ts";
export { createSocket, DgramSocket, type RemoteInfo, type SocketOptions } from "./dgram.ts";
export { connect, createServer, NetServer, NetSocket, netError } from "./net.ts";
export * from "./rtmsg.ts";
