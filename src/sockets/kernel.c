#include "kernel.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <unistd.h>

#define TCP_LISTEN_STATE 10	/* include/net/tcp_states.h */
#define DIAG_TIMEOUT_S 2	/* the kernel answers at once; never hang on it */

/* ---- sock_diag ---- */

static int diag_send(int s)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req req;
	} msg;
	struct sockaddr_nl sa;

	memset(&sa, 0, sizeof sa);
	sa.nl_family = AF_NETLINK;
	memset(&msg, 0, sizeof msg);
	msg.nlh.nlmsg_len = sizeof msg;
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.nlh.nlmsg_seq = 1;
	msg.req.sdiag_family = AF_UNIX;
	msg.req.udiag_states = 1u << TCP_LISTEN_STATE;
	msg.req.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS;
	return sendto(s, &msg, sizeof msg, 0, (struct sockaddr *)&sa, sizeof sa) ==
		       (ssize_t)sizeof msg ? 0 : -1;
}

/* The kernel's dev_t (MAJOR << 20 | MINOR) in stat's encoding. */
static dev_t dev_from_kernel(unsigned int kdev)
{
	return makedev(kdev >> 20, kdev & 0xfffffu);
}

static void diag_add(struct kernel_listeners *l, size_t *cap, const struct nlmsghdr *h)
{
	const struct unix_diag_msg *m = NLMSG_DATA(h);
	const struct rtattr *a = (const struct rtattr *)(m + 1);
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof *m);
	struct kernel_listener *k;

	if (len < 0)
		return;
	XGROW(l->v, *cap, l->n + 1);
	k = &l->v[l->n++];
	memset(k, 0, sizeof *k);
	k->sock_ino = m->udiag_ino;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		const char *p = RTA_DATA(a);
		size_t plen = RTA_PAYLOAD(a);
		if (a->rta_type == UNIX_DIAG_NAME && plen > 0 && p[0] != '\0') {
			k->name = xstrndup(p, strnlen(p, plen));
		} else if (a->rta_type == UNIX_DIAG_VFS &&
			   plen >= sizeof(struct unix_diag_vfs)) {
			struct unix_diag_vfs v;
			memcpy(&v, p, sizeof v);
			k->dev = dev_from_kernel(v.udiag_vfs_dev);
			k->ino = v.udiag_vfs_ino;
		}
	}
}

/* One buffer of the dump: 1 more to come, 0 done, -1 error. */
static int diag_recv(int s, struct kernel_listeners *l, size_t *cap)
{
	static long buf[8192];
	struct nlmsghdr *h;
	ssize_t got;
	int len;

	do
		got = recv(s, buf, sizeof buf, 0);
	while (got < 0 && errno == EINTR);
	if (got <= 0)
		return -1;
	len = (int)got;
	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)len); h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return 0;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);
			errno = e->error < 0 ? -e->error : EPROTO;
			return -1;
		}
		if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY)
			diag_add(l, cap, h);
	}
	return 1;
}

int kernel_listeners_read(struct kernel_listeners *out)
{
	struct timeval tv = { DIAG_TIMEOUT_S, 0 };
	size_t cap = 0;
	int s, rc, saved;

	memset(out, 0, sizeof *out);
	s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (s < 0)
		return -1;
	rc = setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 || diag_send(s) < 0
		     ? -1 : 1;
	while (rc == 1)
		rc = diag_recv(s, out, &cap);
	saved = errno;
	close(s);
	if (rc < 0) {
		kernel_listeners_free(out);
		errno = saved;
	}
	return rc;
}

void kernel_listeners_free(struct kernel_listeners *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof *l);
}

const struct kernel_listener *kernel_listener_at(const struct kernel_listeners *l,
						 dev_t dev, ino_t ino)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].ino != 0 && l->v[i].ino == ino && l->v[i].dev == dev)
			return &l->v[i];
	return NULL;
}

/* ---- /proc ---- */

int kernel_pid_holds(pid_t pid, unsigned long sock_ino)
{
	char dir[64], want[64], link[64];
	struct dirent *de;
	DIR *d;
	int dfd, found = 0;

	snprintf(dir, sizeof dir, "/proc/%ld/fd", (long)pid);
	snprintf(want, sizeof want, "socket:[%lu]", sock_ino);
	if ((d = opendir(dir)) == NULL)
		return -1;
	dfd = dirfd(d);
	while (!found && (de = readdir(d)) != NULL) {
		ssize_t n = readlinkat(dfd, de->d_name, link, sizeof link - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		found = strcmp(link, want) == 0;
	}
	closedir(d);
	return found;
}

/* /proc/PID/exe as text ("... (deleted)" after an upgrade); NULL if gone. */
static char *exe_text(pid_t pid)
{
	char proc[64], buf[PATH_MAX];
	ssize_t n;

	snprintf(proc, sizeof proc, "/proc/%ld/exe", (long)pid);
	n = readlink(proc, buf, sizeof buf - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

static int named_fpm(const char *exe)
{
	const char *base = strrchr(exe, '/');

	return strncmp(base ? base + 1 : exe, "php-fpm", 7) == 0;
}

/* Is pid's exe the binary (host path; NULL: any root's php-fpm*)? */
static int exe_is(pid_t pid, const char *binary)
{
	char proc[64], *text = exe_text(pid);
	struct stat a, b;
	size_t bl;
	int yes = 0;

	if (text == NULL)
		return 0;
	snprintf(proc, sizeof proc, "/proc/%ld/exe", (long)pid);
	if (binary == NULL) {
		/* Only root can put a php-fpm* where exe names it. */
		yes = named_fpm(text) && stat(proc, &a) == 0 && a.st_uid == 0 &&
		      (a.st_mode & 022) == 0;
	} else if (stat(proc, &a) == 0 && stat(binary, &b) == 0 &&
		   a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		yes = 1;
	} else {
		/* dpkg replaced the binary; the running master keeps the old one. */
		bl = strlen(binary);
		yes = strncmp(text, binary, bl) == 0 && strcmp(text + bl, " (deleted)") == 0;
	}
	free(text);
	return yes;
}

/* A field of /proc/PID/status ("Uid:", "PPid:", "NSpid:"): its text. */
static char *status_field(pid_t pid, const char *key)
{
	char path[64], line[256], *v = NULL;
	size_t kl = strlen(key);
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	while (v == NULL && fgets(line, sizeof line, f))
		if (strncmp(line, key, kl) == 0)
			v = xstrdup(line + kl);
	fclose(f);
	return v;
}

static long status_number(pid_t pid, const char *key)
{
	char *v = status_field(pid, key), *end;
	long n;

	if (v == NULL)
		return -1;
	n = strtol(v, &end, 10);
	if (end == v)
		n = -1;
	free(v);
	return n;
}

int kernel_is_fpm_master(pid_t pid, const char *binary)
{
	long ppid;
	char *pexe;
	int parent_fpm;

	if (!exe_is(pid, binary) || status_number(pid, "Uid:") != 0)
		return 0;
	if ((ppid = status_number(pid, "PPid:")) < 0)
		return 0;
	if (ppid == 0)
		return 1;
	pexe = exe_text((pid_t)ppid);
	parent_fpm = pexe && named_fpm(pexe);
	free(pexe);
	return !parent_fpm;
}

int kernel_pid_is(pid_t pid, long want)
{
	char *v, *p, *end;
	long n, last = -1;

	if (want == (long)pid)
		return 1;
	if ((v = status_field(pid, "NSpid:")) == NULL)
		return 0;
	/* The last number is the pid in the innermost namespace. */
	for (p = v; (n = strtol(p, &end, 10)), end != p; p = end)
		last = n;
	free(v);
	return last == want;
}

long kernel_pid_file(const struct rootfs *r, const char *pid_file)
{
	char *buf = NULL, *path, *end;
	struct stat st;
	size_t len;
	long pid;

	if (pid_file == NULL)
		return 0;
	path = pid_file[0] == '/' ? xstrdup(pid_file) : xasprintf("/var/%s", pid_file);
	if (rootfs_read_file(r, path, 64, &buf, &len, &st) < 0) {
		free(path);
		return errno == ENOENT ? 0 : -1;
	}
	free(path);
	pid = strtol(buf, &end, 10);
	free(buf);
	return end != buf && pid > 0 && pid <= INT_MAX ? pid : 0;
}

/* ---- the proof ---- */

/* The php-fpm masters holding sock_ino: count; the first in *master.
 * -1 when /proc cannot be read. */
static int find_masters(unsigned long sock_ino, const char *binary, pid_t *master)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char *exe;
		pid_t pid;
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		/* Only a php-fpm can be the master: skip the rest's fds. */
		if ((exe = exe_text(pid)) == NULL)
			continue;
		if (named_fpm(exe) && kernel_pid_holds(pid, sock_ino) == 1 &&
		    kernel_is_fpm_master(pid, binary) && n++ == 0)
			*master = pid;
		free(exe);
	}
	closedir(d);
	return n;
}

static enum sock_verdict holder_verdict(const struct kernel_listener *k,
					const struct sock_expect *e, char **why)
{
	pid_t master = 0;
	int n = find_masters(k->sock_ino, e->binary, &master);

	if (n < 0) {
		*why = xasprintf("/proc cannot be read (%s): who holds the socket is unknown",
				 strerror(errno));
		return SV_UNPROVABLE;
	}
	if (n == 0) {
		*why = xasprintf("no php-fpm master (%s, running as root) holds it",
				 e->binary ? e->binary : "php-fpm*");
		return SV_NO_MASTER;
	}
	if (n > 1) {
		*why = xstrdup("more than one php-fpm master holds it");
		return SV_OTHER_MASTER;
	}
	if (e->pid > 0 && !kernel_pid_is(master, e->pid)) {
		*why = xasprintf("its php-fpm master is pid %ld, but the instance's pid "
				 "file names %ld", (long)master, e->pid);
		return SV_OTHER_MASTER;
	}
	return SV_PROVEN;
}

enum sock_verdict kernel_prove_socket(int fd, const struct sock_expect *e, char **why)
{
	struct kernel_listeners l;
	const struct kernel_listener *k;
	enum sock_verdict v;
	struct stat st;

	*why = NULL;
	if (fstat(fd, &st) < 0 || kernel_listeners_read(&l) < 0) {
		*why = xasprintf("the kernel's socket list (sock_diag) cannot be read: %s",
				 strerror(errno));
		return SV_UNPROVABLE;
	}
	if ((k = kernel_listener_at(&l, st.st_dev, st.st_ino)) == NULL) {
		*why = xstrdup("no listening socket is bound to this file");
		v = SV_NOT_LISTENING;
	} else if (k->name == NULL || strcmp(k->name, e->bound) != 0) {
		*why = xasprintf("the kernel says this socket was bound as %s, not %s "
				 "(moved or linked here)", k->name ? k->name : "(no name)",
				 e->bound);
		v = SV_OTHER_NAME;
	} else {
		v = holder_verdict(k, e, why);
	}
	kernel_listeners_free(&l);
	return v;
}
