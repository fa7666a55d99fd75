/*
 * load_client.c: the connections bench/load holds against kith serve,
 * without wrk's help (wrk keeps every connection busy; these do not).
 *
 *   load_client keepalive HOST PORT N SECONDS PATH TOKEN
 *	N keep-alive connections, each sending GET PATH with the bearer
 *	token every 2 s (staggered), reading each whole answer. A
 *	connection the server closes is opened again and counted.
 *   load_client slow HOST PORT N SECONDS
 *	N clients sending a request header one byte a second, never
 *	finishing it: the server must close them (its header deadline). A
 *	closed one is counted, with how long it lived, and opened again.
 *
 * Prints one line of counts at the end. Plain POSIX: poll(), no threads.
 * Not part of kith; only bench/load and tests/api/A350 run it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
	int fd;
	double opened;		/* when connected */
	double next;		/* when to send next (keepalive) or the next byte */
	size_t sent;		/* slow: header bytes sent */
	char buf[65536];
	size_t got;		/* keepalive: bytes of the current answer */
	bool waiting;		/* keepalive: a request is out */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct sockaddr_in addr;

static int dial(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The whole answer is in: headers, and Content-Length bytes after them.
 * Sets *status. */
static bool answer_done(struct conn *c, int *status)
{
	char *end, *cl;
	size_t head, len = 0;

	c->buf[c->got < sizeof(c->buf) ? c->got : sizeof(c->buf) - 1] = '\0';
	end = strstr(c->buf, "\r\n\r\n");
	if (!end)
		return false;
	head = (size_t)(end - c->buf) + 4;
	cl = strcasestr(c->buf, "\r\nContent-Length:");
	if (cl && cl < end)
		len = strtoul(cl + 17, NULL, 10);
	if (c->got < head + len)
		return false;
	*status = atoi(c->buf + 9);
	return true;
}

int main(int argc, char **argv)
{
	bool slow;
	int n, secs;
	struct conn *c;
	struct pollfd *p;
	char req[2048];
	const char *slow_head = "GET /api/v1/contacts HTTP/1.1\r\nHost: bench\r\n"
				"X-Slow: ";
	long ok2xx = 0, other = 0, closes = 0, dial_fail = 0;
	double *lived;
	size_t nlived = 0, caplived = 1024;
	double start, stop;
	struct rlimit rl;

	if (argc < 6 || (strcmp(argv[1], "keepalive") && strcmp(argv[1], "slow")) ||
	    (!strcmp(argv[1], "keepalive") && argc < 8)) {
		fprintf(stderr, "usage: load_client keepalive HOST PORT N SECONDS PATH TOKEN\n"
				"       load_client slow HOST PORT N SECONDS\n");
		return 2;
	}
	slow = !strcmp(argv[1], "slow");
	n = atoi(argv[4]);
	secs = atoi(argv[5]);
	if (n < 1 || secs < 1)
		return 2;
	/* One descriptor per connection, past the usual 1024. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)atoi(argv[3]));
	if (inet_pton(AF_INET, argv[2], &addr.sin_addr) != 1)
		return 2;
	if (!slow)
		snprintf(req, sizeof(req),
			 "GET %s HTTP/1.1\r\nHost: bench\r\n"
			 "Authorization: Bearer %s\r\n\r\n",
			 argv[6], argv[7]);
	c = calloc((size_t)n, sizeof(*c));
	p = calloc((size_t)n, sizeof(*p));
	lived = malloc(caplived * sizeof(*lived));
	if (!c || !p || !lived)
		return 1;
	start = now_s();
	stop = start + secs;
	for (int i = 0; i < n; i++) {
		c[i].fd = dial();
		if (c[i].fd < 0)
			dial_fail++;
		c[i].opened = now_s();
		/* Staggered: the requests spread over the 2 s. */
		c[i].next = start + (slow ? 1.0 : 2.0 * i / n);
	}
	while (now_s() < stop) {
		double t = now_s();

		for (int i = 0; i < n; i++) {
			struct conn *k = &c[i];

			if (k->fd < 0) {	/* closed: open again */
				k->fd = dial();
				if (k->fd < 0) {
					dial_fail++;
					continue;
				}
				k->opened = t;
				k->sent = 0;
				k->got = 0;
				k->waiting = false;
				k->next = t + (slow ? 1.0 : 0.0);
			}
			if (t >= k->next && (slow || !k->waiting)) {
				ssize_t w;

				if (slow) {
					/* The header, then 'a' for ever. */
					char ch = k->sent < strlen(slow_head)
							  ? slow_head[k->sent]
							  : 'a';
					w = send(k->fd, &ch, 1, MSG_NOSIGNAL);
					k->sent++;
					k->next = t + 1.0;
				} else {
					w = send(k->fd, req, strlen(req),
						 MSG_NOSIGNAL);
					k->waiting = true;
					k->got = 0;
					k->next = t + 2.0;
				}
				if (w < 0 && errno != EAGAIN) {
					if (slow) {
						if (nlived == caplived) {
							caplived *= 2;
							lived = realloc(lived, caplived * sizeof(*lived));
							if (!lived)
								return 1;
						}
						lived[nlived++] = t - k->opened;
					}
					close(k->fd);
					k->fd = -1;
					closes++;
					continue;
				}
			}
			p[i].fd = k->fd;
			p[i].events = POLLIN;
			p[i].revents = 0;
		}
		if (poll(p, (nfds_t)n, 100) < 0 && errno != EINTR)
			return 1;
		t = now_s();
		for (int i = 0; i < n; i++) {
			struct conn *k = &c[i];
			ssize_t r;
			int status;

			if (k->fd < 0 || p[i].fd != k->fd ||
			    !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = recv(k->fd, k->buf + k->got,
				 sizeof(k->buf) - 1 - k->got, 0);
			if (r > 0 && !slow) {
				k->got += (size_t)r;
				if (answer_done(k, &status)) {
					if (status >= 200 && status < 300)
						ok2xx++;
					else
						other++;
					k->waiting = false;
					k->got = 0;
				}
				continue;
			}
			if (r > 0)	/* slow: an answer (408, 400): closes next */
				continue;
			if (r < 0 && errno == EAGAIN)
				continue;
			if (slow) {
				if (nlived == caplived) {
					caplived *= 2;
					lived = realloc(lived, caplived * sizeof(*lived));
					if (!lived)
						return 1;
				}
				lived[nlived++] = t - k->opened;
			}
			close(k->fd);
			k->fd = -1;
			closes++;
		}
	}
	if (slow) {
		double med = 0, max = 0;

		qsort(lived, nlived, sizeof(*lived), cmp_double);
		if (nlived) {
			med = lived[nlived / 2];
			max = lived[nlived - 1];
		}
		printf("slow: %d clients, %ld closed by the server, lived median "
		       "%.1f s max %.1f s, %ld failed connects\n",
		       n, closes, med, max, dial_fail);
	} else {
		int open = 0;

		for (int i = 0; i < n; i++)
			open += c[i].fd >= 0;
		printf("keepalive: %d connections, %ld answers 2xx, %ld other, "
		       "%ld closed by the server, %d open at the end, %ld failed "
		       "connects\n",
		       n, ok2xx, other, closes, open, dial_fail);
	}
	return 0;
}
