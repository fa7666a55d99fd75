/*
 * serve_harness.h: a real `kith serve` inside a libFuzzer process, for
 * the targets that fuzz the HTTP side (fuzz_router.c, fuzz_request.c).
 * Once per process: a temporary database with two workspaces (an owner
 * in one, a member in the other), the server on a loopback port on a
 * thread of its own, the owner signed in (cookie and CSRF token) and a
 * few rows to point at. Each input then goes over a real socket through
 * libmicrohttpd's parser, http.c and api_handle, the way a client's
 * bytes do. Included by one target each; not a target itself.
 */
#include "app/imap.h"
#include "server/api.h"
#include "server/http.h"
#include "secret.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sanitizer/allocator_interface.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static unsigned short hs_port;
static char hs_cookie[200];		/* "kith_session=..." */
static char hs_csrf[80];
static char hs_hook[200];		/* "/hooks/<secret>" */
static struct http_server_opts hs_opts;
static char hs_listen[32];
static char hs_db[256];
static char hs_dir[64];

/*
 * libFuzzer runs an input again under LeakSanitizer whenever it ended
 * with more mallocs than frees, in any thread. The server thread frees a
 * connection's memory a moment after the client has read the answer, so
 * nearly every input looked like a leak: leak checks took half the time
 * (1,525 exec/s; 3,849 without them). Counting live allocations lets an
 * input wait, briefly, until the server has let go of what it took.
 */
static atomic_long hs_live;
static long hs_live_before;
static atomic_long hs_events;		/* mallocs and frees: is anyone busy? */

static void hs_count_malloc(const volatile void *p, size_t n)
{
	(void)p;
	(void)n;
	atomic_fetch_add_explicit(&hs_live, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&hs_events, 1, memory_order_relaxed);
}

static void hs_count_free(const volatile void *p)
{
	(void)p;
	atomic_fetch_sub_explicit(&hs_live, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&hs_events, 1, memory_order_relaxed);
}

/* At the start of an input: what is live now. */
static void hs_begin(void)
{
	hs_live_before = atomic_load(&hs_live);
}

/* At its end: up to 5 ms for the server to free what the input made
 * it allocate. What is still held after that (a page cache that grew,
 * a new session) is left to libFuzzer's leak check, as before: a real
 * leak never settles. */
static void hs_settle(void)
{
	struct timespec nap = { 0, 20 * 1000 }, t0, now;
	int spins = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (atomic_load(&hs_live) > hs_live_before) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - t0.tv_sec) * 1000000000L +
			    (now.tv_nsec - t0.tv_nsec) > 5000000L)
			break;
		if (++spins > 64)
			nanosleep(&nap, NULL);
		else
			sched_yield();
	}
}

/* The temporary database goes with the process (the server thread may
 * still hold it open; unlinking is fine then). */
static void hs_cleanup(void)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
	char path[300];

	for (size_t i = 0; i < sizeof(ext) / sizeof(*ext); i++) {
		snprintf(path, sizeof(path), "%s%s", hs_db, ext[i]);
		unlink(path);
	}
	rmdir(hs_dir);
}

__attribute__((noreturn)) static void hs_die(const char *what)
{
	fprintf(stderr, "serve_harness: %s\n", what);
	abort();
}

static void *hs_serve(void *arg)
{
	struct kith_err err = { 0 };

	(void)arg;
	if (http_serve(&hs_opts, &api_app, &err))
		fprintf(stderr, "serve_harness: %s\n", err.msg);
	return NULL;
}

static int hs_connect_once(void)
{
	struct sockaddr_in sa = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_family = AF_INET;
	sa.sin_port = htons(hs_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Close with a reset: thousands of connections a second would
	 * otherwise fill the ephemeral ports with TIME_WAIT. */
	struct linger lg = { 1, 0 };

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* A connect can fail and the server be fine: libFuzzer's timer signal
 * lands in it (EINTR: 43 times in 10 M router inputs), or at thousands
 * of connections a second the server's side of the closed ones (it
 * closes first) holds the ports for a moment. Try again for up to 2 s;
 * the reason goes to stderr. */
static int hs_connect(void)
{
	int fd = -1, e = 0;

	for (int i = 0; i < 200 && fd < 0; i++) {
		fd = hs_connect_once();
		if (fd >= 0)
			break;
		e = errno;
		if (!i)
			fprintf(stderr, "serve_harness: connect: %s; again\n",
				strerror(e));
		usleep(10 * 1000);
	}
	/* The caller's message names the connect's failure, not usleep's. */
	errno = e;
	return fd;
}

/*
 * Wait up to ms for fd to be readable; false on timeout. With quiet_ms,
 * false too once no thread has allocated or freed anything for that
 * long: the server has taken the bytes and waits for more that will not
 * come (a body shorter than its Content-Length), and libmicrohttpd
 * would wait out its 30 s timeout.
 */
static bool hs_readable(int fd, int ms, int quiet_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int quiet = 0;

	if (quiet_ms <= 0)
		return poll(&p, 1, ms) > 0;
	for (int waited = 0; waited < ms && quiet < quiet_ms; waited++) {
		long seen = atomic_load(&hs_events);

		if (poll(&p, 1, 1) > 0)
			return true;
		quiet = atomic_load(&hs_events) == seen ? quiet + 1 : 0;
	}
	return false;
}

/*
 * Send req[0..len) and read the first answer into out (NUL-terminated,
 * at most size - 1 bytes): up to EOF, or the end of its headers plus
 * Content-Length bytes, or the headers of an event stream, or wait_ms
 * without a byte, or quiet_ms of a quiet server (hs_readable). Returns
 * the bytes read.
 */
static size_t hs_exchange(const void *req, size_t len, char *out, size_t size,
			  int wait_ms, int quiet_ms)
{
	int fd = hs_connect();
	size_t got = 0, sent = 0;
	long want = -1;
	char *end;

	if (fd < 0) {
		char why[128];

		snprintf(why, sizeof(why), "cannot connect to the server: %s",
			 strerror(errno));
		hs_die(why);
	}
	while (sent < len) {
		ssize_t n = send(fd, (const char *)req + sent, len - sent,
				 MSG_NOSIGNAL);

		if (n <= 0)
			break;	/* the server may close early (413) */
		sent += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	out[0] = '\0';
	for (;;) {
		ssize_t n;

		/* Headers done: a HEAD answer has no body to wait for. */
		if (!hs_readable(fd, strstr(out, "\r\n\r\n") ? 300 : wait_ms,
				 quiet_ms)) {
			if (!strstr(out, "\r\n\r\n") && got)
				hs_die("the server stopped mid-answer");
			break;
		}
		n = recv(fd, out + got, size - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
		out[got] = '\0';
		if (got == size - 1)
			break;
		end = strstr(out, "\r\n\r\n");
		if (!end)
			continue;
		if (strcasestr(out, "\ncontent-type: text/event-stream"))
			break;
		if (want < 0) {
			const char *cl = strcasestr(out, "\ncontent-length:");

			want = cl && cl < end ? strtol(cl + 16, NULL, 10) : -1;
		}
		if (want >= 0 && got >= (size_t)(end + 4 - out) + (size_t)want)
			break;
	}
	close(fd);
	return got;
}

/* The status of an answer, 0 when there is none. */
static int hs_status(const char *resp)
{
	if (strncmp(resp, "HTTP/1.", 7) || strlen(resp) < 12)
		return 0;
	return atoi(resp + 9);
}

/* A request made by the harness itself, which must succeed. */
static int hs_call(const char *method, const char *path, const char *body,
		   char *out, size_t size)
{
	char req[4096];
	int n = snprintf(req, sizeof(req),
			 "%s %s HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n"
			 "Cookie: %s\r\nX-CSRF-Token: %s\r\n"
			 "Content-Type: application/json\r\n"
			 "Content-Length: %zu\r\n\r\n%s",
			 method, path, hs_cookie, hs_csrf,
			 body ? strlen(body) : 0, body ? body : "");

	hs_exchange(req, (size_t)n, out, size, 10000, 0);
	return hs_status(out);
}

static void hs_user(struct store *st, int64_t ws, const char *email,
		    enum role role)
{
	struct kith_err err = { 0 };
	char hash[SECRET_HASH_MAX];
	struct user u = { 0 };

	if (secret_password_hash(hash, "correct horse battery staple", &err))
		hs_die(err.msg);
	u.workspace_id = ws;
	u.email = (char *)email;
	u.name = (char *)"Fuzz";
	u.role = role;
	u.password_hash = hash;
	u.tz = (char *)"";
	if (store_user_add(st, &u, &err))
		hs_die(err.msg);
}

/* Sign the owner in again (after an input changed its password or
 * ended its session): the harness's requests need it. */
static void hs_sign_in(void)
{
	static char resp[65536];
	const char *body = "{\"email\":\"ana@alpha.example\","
			   "\"password\":\"correct horse battery staple\"}";
	char req[512];
	const char *c, *t;
	int n;

	n = snprintf(req, sizeof(req),
		     "POST /api/v1/session HTTP/1.1\r\nHost: fuzz\r\n"
		     "Connection: close\r\nContent-Type: application/json\r\n"
		     "Content-Length: %zu\r\n\r\n%s",
		     strlen(body), body);
	hs_exchange(req, (size_t)n, resp, sizeof(resp), 10000, 0);
	if (hs_status(resp) != 200)
		return;	/* an input changed the password: go on without */
	c = strcasestr(resp, "\nset-cookie: ");
	t = strstr(resp, "\"csrf_token\":\"");
	if (!c || !t)
		hs_die("sign-in answered without cookie or token");
	snprintf(hs_cookie, sizeof(hs_cookie), "%.*s",
		 (int)strcspn(c + 13, ";\r"), c + 13);
	snprintf(hs_csrf, sizeof(hs_csrf), "%.*s", (int)strcspn(t + 14, "\""),
		 t + 14);
}

static void hs_start(void)
{
	static char resp[65536];
	struct kith_err err = { 0 };
	struct store *st = NULL;
	struct sockaddr_in sa = { 0 };
	socklen_t sl = sizeof(sa);
	char dir[] = "/tmp/kith-fuzz-XXXXXX";
	int64_t alpha = 0, beta = 0;
	const char *p;
	int fd;

	if (hs_port)
		return;
	/* Before the server thread exists, as the hooks require. */
	__sanitizer_install_malloc_and_free_hooks(hs_count_malloc,
						  hs_count_free);
	setenv("TZ", "UTC", 1);
	if (!mkdtemp(dir))
		hs_die("mkdtemp");
	snprintf(hs_dir, sizeof(hs_dir), "%s", dir);
	snprintf(hs_db, sizeof(hs_db), "%s/kith.db", dir);
	atexit(hs_cleanup);
	secret_set_fast_hashing(true);
	if (api_init(&err) || store_open(&st, hs_db, &err) ||
	    store_workspace_create(&alpha, st, "Alpha", 1767225600, &err) ||
	    store_workspace_create(&beta, st, "Beta", 1767225600, &err))
		hs_die(err.msg);
	hs_user(st, alpha, "ana@alpha.example", ROLE_OWNER);
	hs_user(st, alpha, "vic@alpha.example", ROLE_VIEWER);
	hs_user(st, beta, "bo@beta.example", ROLE_OWNER);
	store_close(st);
	/* kith serve holds a mail key (POST /mailboxes seals with it); the
	 * syncer is not started: a fuzzed mailbox must not reach out. */
	{
		struct mail_key key;

		if (mail_key_load(&key, hs_db, true, &err))
			hs_die(err.msg);
		mail_server_key_set(&key);
	}

	/* A port the kernel picks, freed for the server to take. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl))
		hs_die("no free port");
	close(fd);
	snprintf(hs_listen, sizeof(hs_listen), "127.0.0.1:%u",
		 ntohs(sa.sin_port));
	hs_opts.db_path = hs_db;
	hs_opts.listen = hs_listen;
	hs_opts.threads = 2;
	hs_opts.quiet = true;
	{
		pthread_t t;

		if (pthread_create(&t, NULL, hs_serve, NULL))
			hs_die("pthread_create");
		pthread_detach(t);
	}
	for (int i = 0; i < 200; i++) {
		hs_port = ntohs(sa.sin_port);
		fd = hs_connect_once();
		if (fd >= 0) {
			close(fd);
			break;
		}
		hs_port = 0;
		usleep(20 * 1000);
	}
	if (!hs_port)
		hs_die("the server did not start");
	hs_sign_in();
	if (!hs_cookie[0])
		hs_die("cannot sign in");
	/* Rows for ids 1 and 2 of each kind to point at. */
	hs_call("POST", "/api/v1/organizations", "{\"name\":\"Harbor\"}", resp,
		sizeof(resp));
	hs_call("POST", "/api/v1/contacts",
		"{\"name\":\"Dana\",\"emails\":[\"dana@harbor.example\"],"
		"\"tags\":[\"vip\"],\"tier\":\"A\",\"org_id\":1}",
		resp, sizeof(resp));
	hs_call("POST", "/api/v1/contacts", "{\"name\":\"Sam\"}", resp,
		sizeof(resp));
	hs_call("POST", "/api/v1/contacts/1/touchpoints",
		"{\"channel\":\"call\",\"note\":\"hi\"}", resp, sizeof(resp));
	hs_call("POST", "/api/v1/contacts/1/promises",
		"{\"text\":\"send the deck\"}", resp, sizeof(resp));
	hs_call("POST", "/api/v1/contacts/1/facts", "{\"text\":\"sails\"}",
		resp, sizeof(resp));
	hs_call("POST", "/api/v1/tokens", "{\"name\":\"zap\"}", resp,
		sizeof(resp));
	hs_call("POST", "/api/v1/notify",
		"{\"url\":\"http://127.0.0.1:9/none\"}", resp, sizeof(resp));
	if (hs_call("GET", "/api/v1/webhook", NULL, resp, sizeof(resp)) != 200 ||
	    !(p = strstr(resp, "\"path\":\"")))
		hs_die("no webhook path");
	snprintf(hs_hook, sizeof(hs_hook), "%.*s", (int)strcspn(p + 8, "\""),
		 p + 8);
	hs_call("POST", hs_hook, "{\"type\":\"mention\",\"name\":\"Lee\"}",
		resp, sizeof(resp));
}

/* Every few hundred inputs: is the owner still signed in? */
static void hs_keep_signed_in(void)
{
	static unsigned n;
	static char resp[65536];

	if (++n % 256)
		return;
	if (hs_call("GET", "/api/v1/me", NULL, resp, sizeof(resp)) == 401)
		hs_sign_in();
}
