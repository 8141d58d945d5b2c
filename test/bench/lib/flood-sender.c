/* The fast flood sender for test/bench/lib/flood.ts: one prebuilt frame (hex on the command
 * line) sent on an interface through an AF_PACKET socket, 64 at a time with sendmmsg and past
 * the qdisc, until killed. Prints "ready" once the socket is bound. */
#define _GNU_SOURCE
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  size_t n = strlen(argv[2]) / 2;
  unsigned char f[2048];
  if (n > sizeof f) return 2;
  for (size_t i = 0; i < n; i++) sscanf(argv[2] + 2 * i, "%2hhx", &f[i]);
  int s = socket(AF_PACKET, SOCK_RAW, 0);
  if (s < 0) { perror("socket"); return 1; }
  int one = 1;
  setsockopt(s, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
  struct sockaddr_ll a = {0};
  a.sll_family = AF_PACKET;
  a.sll_ifindex = if_nametoindex(argv[1]);
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); return 1; }
  struct iovec iov = {f, n};
  struct mmsghdr m[64];
  memset(m, 0, sizeof m);
  for (int i = 0; i < 64; i++) { m[i].msg_hdr.msg_iov = &iov; m[i].msg_hdr.msg_iovlen = 1; }
  printf("ready\n");
  fflush(stdout);
  for (;;) sendmmsg(s, m, 64, 0);
}
