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
	bool vnet;		/* every read/write starts with a struct virtio_net_hdr */
	bool offload;		/* TSO/checksum offloads on: GSO reads, GSO writes accepted */
};

/* Creates (or attaches to) the device with nqueues queues, non-blocking,
 * sets the MTU and brings it up. Errors are logged with the reason. */
bool tun_open(struct tun *t, const char *name, int nqueues, int mtu);
/* The same with IFF_VNET_HDR and TUNSETOFFLOAD (TUN_F_CSUM, TUN_F_TSO4,
 * TUN_F_TSO6): the host stack hands over 64 KiB TCP packets for gso.h to
 * split, and takes coalesced ones (gro.h). Falls back to a plain device,
 * logging why, if the kernel refuses either. */
bool tun_open_offload(struct tun *t, const char *name, int nqueues, int mtu);
void tun_close(struct tun *t);

#endif
