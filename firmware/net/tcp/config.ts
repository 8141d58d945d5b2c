// TCP tunables with BSD sysctl names (`sysctl net.inet.tcp.*`). One record per stack; sockets copy
// what they need at creation so a change affects new connections, as in BSD.

export interface TcpConfig {
  /** Maximum segment lifetime in ms; TIME_WAIT lasts 2·MSL (`net.inet.tcp.msl`, seconds there). */
  mslMs: number;
  rtoInitMs: number;
  rtoMinMs: number;
  rtoMaxMs: number;
  /** Retransmissions of one segment before the connection is dropped (ETIMEDOUT). */
  rexmtLimit: number;
  /** SYN retransmissions before connect gives up. */
  synRetries: number;
  delackMs: number;
  /**
   * Full segments one ACK may cover when they arrive in one input batch (`net.inet.tcp.ack_batch`;
   * 2 is RFC 5681's every second segment). Only with a host that reports batch ends.
   */
  ackBatchSegs: number;
  keepIdleMs: number;
  keepIntvlMs: number;
  keepCnt: number;
  /** Congestion control for new connections: "cubic" or "newreno" (`net.inet.tcp.congctl`). */
  congctl: string;
  sack: boolean;
  timestamps: boolean;
  windowScaling: boolean;
  /** Initial window in segments (RFC 6928). */
  initCwndSegs: number;
  sendspace: number;
  recvspace: number;
  /** Out-of-order ranges kept per connection (each hole costs one). */
  reassMaxRanges: number;
  /** Challenge ACKs per connection per second (RFC 5961 §7). */
  challengeAckLimit: number;
  /** RSTs sent per second to segments without a connection. */
  rstRateLimit: number;
  /** 0 never, 1 when the SYN cache bucket is full, 2 always (`net.inet.tcp.syncookies`). */
  syncookies: number;
  syncacheBucketLimit: number;
  syncacheBuckets: number;
  syncacheRetries: number;
  mssDefault: number;
}

export function defaultTcpConfig(): TcpConfig {
  return {
    mslMs: 30_000,
    rtoInitMs: 1000,
    rtoMinMs: 200,
    rtoMaxMs: 64_000,
    rexmtLimit: 12,
    synRetries: 6,
    delackMs: 40,
    ackBatchSegs: 16,
    keepIdleMs: 7_200_000,
    keepIntvlMs: 75_000,
    keepCnt: 8,
    congctl: "cubic",
    sack: true,
    timestamps: true,
    windowScaling: true,
    initCwndSegs: 10,
    sendspace: 1 << 20,
    recvspace: 1 << 20,
    reassMaxRanges: 32,
    challengeAckLimit: 10,
    rstRateLimit: 100,
    syncookies: 1,
    syncacheBucketLimit: 35,
    syncacheBuckets: 293,
    syncacheRetries: 5,
    mssDefault: 536,
  };
}

/** sysctl name → config key, with the unit the name is given in (seconds or ms for timers). */
export const TCP_SYSCTLS: Record<string, { key: keyof TcpConfig; scale: number }> = {
  "net.inet.tcp.msl": { key: "mslMs", scale: 1000 },
  "net.inet.tcp.rexmit_initial": { key: "rtoInitMs", scale: 1 },
  "net.inet.tcp.rexmit_min": { key: "rtoMinMs", scale: 1 },
  "net.inet.tcp.rexmit_max": { key: "rtoMaxMs", scale: 1 },
  "net.inet.tcp.rexmit_count": { key: "rexmtLimit", scale: 1 },
  "net.inet.tcp.syn_retries": { key: "synRetries", scale: 1 },
  "net.inet.tcp.delack_ticks": { key: "delackMs", scale: 1 },
  "net.inet.tcp.ack_batch": { key: "ackBatchSegs", scale: 1 },
  "net.inet.tcp.keepidle": { key: "keepIdleMs", scale: 1000 },
  "net.inet.tcp.keepintvl": { key: "keepIntvlMs", scale: 1000 },
  "net.inet.tcp.keepcnt": { key: "keepCnt", scale: 1 },
  "net.inet.tcp.congctl.selected": { key: "congctl", scale: 0 },
  "net.inet.tcp.sack.enable": { key: "sack", scale: 0 },
  "net.inet.tcp.timestamps": { key: "timestamps", scale: 0 },
  "net.inet.tcp.win_scale": { key: "windowScaling", scale: 0 },
  "net.inet.tcp.init_win": { key: "initCwndSegs", scale: 1 },
  "net.inet.tcp.sendspace": { key: "sendspace", scale: 1 },
  "net.inet.tcp.recvspace": { key: "recvspace", scale: 1 },
  "net.inet.tcp.reass_maxseg": { key: "reassMaxRanges", scale: 1 },
  "net.inet.tcp.ackdrop_ppslimit": { key: "challengeAckLimit", scale: 1 },
  "net.inet.tcp.rstppslimit": { key: "rstRateLimit", scale: 1 },
  "net.inet.tcp.syncookies": { key: "syncookies", scale: 1 },
  "net.inet.tcp.syn_bucket_limit": { key: "syncacheBucketLimit", scale: 1 },
  "net.inet.tcp.syn_cache_limit": { key: "syncacheBuckets", scale: 1 },
  "net.inet.tcp.mssdflt": { key: "mssDefault", scale: 1 },
};
