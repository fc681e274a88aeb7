/* The TUN device of the userspace datapath: clear packets leave the host
 * stack here and go into ESP; decrypted packets come back through it.
 * Multi-queue so that each datapath thread reads its own queue. */
#ifndef CYGNET_KERNEL_USERSPACE_TUN_H
#define CYGNET_KERNEL_USERSPACE_TUN_H

#include <stdbool.h>
#include <stddef.h>

#define TUN_MAX_QUEUES 8

struct tun {
	char name[16];
	int ifindex;
	int fds[TUN_MAX_QUEUES];
	int nqueues;
};

/* Creates (or attaches to) the device with nqueues queues, non-blocking,
 * sets the MTU and brings it up. Errors are logged with the reason. */
bool tun_open(struct tun *t, const char *name, int nqueues, int mtu);
void tun_close(struct tun *t);

#endif
