#include "kernel/userspace/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"

static bool tun_set_up(const char *name, int mtu)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok = false;

	if (s < 0)
		return false;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_mtu = mtu;
	if (mtu > 0 && ioctl(s, SIOCSIFMTU, &ifr) < 0) {
		log_error("tun %s: cannot set MTU %d: %s", name, mtu, strerror(errno));
		goto out;
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		goto out;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
		log_error("tun %s: cannot bring up: %s", name, strerror(errno));
		goto out;
	}
	ok = true;
out:
	close(s);
	return ok;
}

static bool tun_open_flags(struct tun *t, const char *name, int nqueues, int mtu, bool vnet)
{
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < TUN_MAX_QUEUES; i++)
		t->fds[i] = -1;
	if (nqueues < 1 || nqueues > TUN_MAX_QUEUES || strlen(name) >= IFNAMSIZ) {
		log_error("tun: bad device name '%s' or queue count %d", name, nqueues);
		return false;
	}
	for (int i = 0; i < nqueues; i++) {
		struct ifreq ifr;
		int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);

		if (fd < 0) {
			log_error("tun: cannot open /dev/net/tun: %s", strerror(errno));
			goto fail;
		}
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (nqueues > 1 ? IFF_MULTI_QUEUE : 0) |
				(vnet ? IFF_VNET_HDR : 0);
		if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
			if (!vnet)
				log_error("tun %s: cannot create queue %d: %s", name, i,
					  strerror(errno));
			close(fd);
			goto fail;
		}
		if (vnet && i == 0) {
			unsigned off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;

			if (ioctl(fd, TUNSETOFFLOAD, off) < 0)
				log_warn("tun %s: no TSO offloads (%s): one packet per read",
					 name, strerror(errno));
			else
				t->offload = true;
		}
		snprintf(t->name, sizeof(t->name), "%s", ifr.ifr_name);
		t->fds[t->nqueues++] = fd;
	}
	if (!tun_set_up(t->name, mtu))
		goto fail;
	t->ifindex = (int)if_nametoindex(t->name);
	if (!t->ifindex)
		goto fail;
	t->vnet = vnet;
	return true;
fail:
	tun_close(t);
	return false;
}

bool tun_open(struct tun *t, const char *name, int nqueues, int mtu)
{
	return tun_open_flags(t, name, nqueues, mtu, false);
}

bool tun_open_offload(struct tun *t, const char *name, int nqueues, int mtu)
{
	if (tun_open_flags(t, name, nqueues, mtu, true))
		return true;
	log_warn("tun %s: no IFF_VNET_HDR (%s): plain device without offloads", name,
		 strerror(errno));
	return tun_open_flags(t, name, nqueues, mtu, false);
}

void tun_close(struct tun *t)
{
	for (int i = 0; i < t->nqueues; i++)
		if (t->fds[i] >= 0)
			close(t->fds[i]);
	t->nqueues = 0;
}
