/* imap.c: mailboxes: sealed passwords, the IMAP sync over a libcurl
 * connection, and kith serve's syncer threads. */
#include "imap.h"
#include "notify.h"
#include "../secret.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the key and sealed passwords ---- */

/* Beside a SQLite file, DB.mailkey. A PostgreSQL book has no file: the
 * key is the server user's, in $XDG_CONFIG_HOME/kith/mail.key (or
 * ~/.config). Servers sharing one database must share the key: set
 * KITH_MAIL_KEY on each (docs/OPERATIONS.md). */
static int key_path(char *path, size_t size, const char *db_path,
		    bool create, struct kith_err *err)
{
	const char *conf = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;

	if (!store_path_is_url(db_path)) {
		if (snprintf(path, size, "%s.mailkey", db_path) >= (int)size)
			return kith_err_set(err, KITH_EINPUT, "--db",
					    "path too long");
		return KITH_OK;
	}
	if (conf && *conf)
		n = snprintf(path, size, "%s/kith", conf);
	else if (home && *home)
		n = snprintf(path, size, "%s/.config/kith", home);
	else
		return kith_err_set(err, KITH_EINPUT, "KITH_MAIL_KEY",
				    "no HOME to keep the mail key in: set "
				    "KITH_MAIL_KEY");
	if (n < 0 || (size_t)n + sizeof("/mail.key") > size)
		return kith_err_set(err, KITH_EINPUT, "XDG_CONFIG_HOME",
				    "path too long");
	if (create) {
		char *slash = strrchr(path, '/');

		/* ~/.config may not exist yet either. */
		*slash = '\0';
		mkdir(path, 0700);
		*slash = '/';
		if (mkdir(path, 0700) && errno != EEXIST)
			return kith_err_set(err, KITH_EIO, path,
					    "cannot make the folder: %s",
					    strerror(errno));
	}
	memcpy(path + n, "/mail.key", sizeof("/mail.key"));
	return KITH_OK;
}

int mail_key_load(struct mail_key *out, const char *db_path, bool create,
		  struct kith_err *err)
{
	const char *env = getenv("KITH_MAIL_KEY");
	char path[4096];
	struct stat sb;
	ssize_t got;
	int fd, rc;

	rc = secret_init(err);
	if (rc)
		return rc;
	if (env && *env) {
		size_t len = 0;

		if (strlen(env) != 64 ||
		    sodium_hex2bin(out->k, sizeof(out->k), env, 64, NULL, &len,
				   NULL) ||
		    len != sizeof(out->k))
			return kith_err_set(err, KITH_EINPUT, "KITH_MAIL_KEY",
					    "expected 64 hex digits (a 32-byte "
					    "key)");
		return KITH_OK;
	}
	rc = key_path(path, sizeof(path), db_path, create, err);
	if (rc)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		if (!create)
			return kith_err_set(err, KITH_ENOTFOUND, path,
					    "no mail key yet (add a mailbox "
					    "first)");
		randombytes_buf(out->k, sizeof(out->k));
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		/* Another process (a second server) made it first: read it. */
		if (fd < 0 && errno == EEXIST)
			return mail_key_load(out, db_path, false, err);
		if (fd < 0 || write(fd, out->k, sizeof(out->k)) !=
				      (ssize_t)sizeof(out->k) ||
		    fsync(fd)) {
			rc = kith_err_set(err, KITH_EIO, path,
					  "cannot write the mail key: %s",
					  strerror(errno));
			if (fd >= 0)
				close(fd);
			unlink(path);
			return rc;
		}
		close(fd);
		return KITH_OK;
	}
	if (fd < 0)
		return kith_err_set(err, KITH_EIO, path, "cannot read: %s",
				    strerror(errno));
	if (fstat(fd, &sb) || (sb.st_mode & 077)) {
		close(fd);
		return kith_err_set(err, KITH_EINPUT, path,
				    "the mail key must be readable by its "
				    "owner only (chmod 600)");
	}
	got = read(fd, out->k, sizeof(out->k));
	close(fd);
	if (got != (ssize_t)sizeof(out->k))
		return kith_err_set(err, KITH_EINPUT, path,
				    "not a mail key (expected 32 bytes)");
	return KITH_OK;
}

int mail_seal(char **out, const struct mail_key *key, const char *password,
	      struct kith_err *err)
{
	size_t plen = strlen(password);
	size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
		      plen;
	unsigned char *box = malloc(blen);
	size_t b64 = sodium_base64_ENCODED_LEN(blen,
					       sodium_base64_VARIANT_ORIGINAL);

	*out = box ? malloc(b64) : NULL;
	if (!*out) {
		free(box);
		return kith_err_nomem(err);
	}
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES,
			      (const unsigned char *)password, plen, box,
			      key->k);
	sodium_bin2base64(*out, b64, box, blen,
			  sodium_base64_VARIANT_ORIGINAL);
	free(box);
	return KITH_OK;
}

int mail_unseal(char **out, const struct mail_key *key, const char *sealed,
		struct kith_err *err)
{
	size_t slen = strlen(sealed), blen = 0;
	unsigned char *box = malloc(slen + 1);
	size_t head = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;

	*out = NULL;
	if (!box)
		return kith_err_nomem(err);
	if (sodium_base642bin(box, slen + 1, sealed, slen, NULL, &blen, NULL,
			      sodium_base64_VARIANT_ORIGINAL) ||
	    blen < head) {
		free(box);
		return kith_err_set(err, KITH_EINPUT, "key",
				    "the stored password is damaged");
	}
	*out = malloc(blen - head + 1);
	if (!*out) {
		free(box);
		return kith_err_nomem(err);
	}
	if (crypto_secretbox_open_easy((unsigned char *)*out,
				       box + crypto_secretbox_NONCEBYTES,
				       blen - crypto_secretbox_NONCEBYTES, box,
				       key->k)) {
		free(box);
		free(*out);
		*out = NULL;
		return kith_err_set(err, KITH_EINPUT, "key",
				    "the mailbox password does not open with "
				    "this mail key (was the key file "
				    "replaced?)");
	}
	(*out)[blen - head] = '\0';
	free(box);
	return KITH_OK;
}

/* ---- URLs ---- */

void imap_url_clear(struct imap_url *u)
{
	free(u->user);
	free(u->host);
	free(u->mailbox);
	memset(u, 0, sizeof(*u));
}

/* %-decode s[0..n) into a new string; NULL on a bad escape, a control
 * character (it would end up in an IMAP command line) or no memory. */
static char *url_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1), *w = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			unsigned int v;

			if (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) ||
			    !isxdigit((unsigned char)s[i + 2]) ||
			    sscanf(s + i + 1, "%2x", &v) != 1) {
				free(out);
				return NULL;
			}
			c = (unsigned char)v;
			i += 2;
		}
		if (c < 0x20 || c == 0x7f) {
			free(out);
			return NULL;
		}
		*w++ = (char)c;
	}
	*w = '\0';
	return out;
}

int imap_url_parse(struct imap_url *out, const char *url,
		   struct kith_err *err)
{
	const char *p, *slash, *at, *host, *hend, *colon = NULL;

	memset(out, 0, sizeof(*out));
	if (!url || (strncasecmp(url, "imaps://", 8) &&
		     strncasecmp(url, "imap://", 7)))
		return kith_err_set(err, KITH_EINPUT, "url",
				    "expected imaps://USER@HOST/MAILBOX (or "
				    "imap:// for STARTTLS)");
	out->tls = url[4] == 's' || url[4] == 'S';
	p = url + (out->tls ? 8 : 7);
	slash = strchr(p, '/');
	if (!slash)
		slash = p + strlen(p);
	/* The user may be an address: its '@' is the last before the
	 * host. */
	at = NULL;
	for (const char *q = p; q < slash; q++)
		if (*q == '@')
			at = q;
	if (!at || at == p)
		return kith_err_set(err, KITH_EINPUT, "url",
				    "name the user: imaps://USER@HOST/MAILBOX");
	if (memchr(p, ':', (size_t)(at - p)))
		return kith_err_set(err, KITH_EINPUT, "url",
				    "no password in the URL: give it on "
				    "standard input (--password-stdin)");
	host = at + 1;
	if (*host == '[') {
		hend = memchr(host, ']', (size_t)(slash - host));
		if (!hend)
			return kith_err_set(err, KITH_EINPUT, "url",
					    "unclosed [ in the host");
		if (hend + 1 < slash && hend[1] == ':')
			colon = hend + 1;
		host++;
	} else {
		colon = memchr(host, ':', (size_t)(slash - host));
		hend = colon ? colon : slash;
	}
	if (hend == host)
		return kith_err_set(err, KITH_EINPUT, "url", "no host");
	out->port = out->tls ? 993 : 143;
	if (colon) {
		char *e;
		long v = strtol(colon + 1, &e, 10);

		if (e != slash || v < 1 || v > 65535)
			return kith_err_set(err, KITH_EINPUT, "url",
					    "bad port (1 to 65535)");
		out->port = (int)v;
	}
	out->user = url_decode(p, (size_t)(at - p));
	out->host = strndup(host, (size_t)(hend - host));
	out->mailbox = *slash && slash[1] ? url_decode(slash + 1,
						       strlen(slash + 1))
					  : strdup("INBOX");
	if (!out->user || !out->host || !out->mailbox) {
		imap_url_clear(out);
		return kith_err_set(err, KITH_EINPUT, "url",
				    "a bad %%-escape or a control character");
	}
	for (const char *h = out->host; *h; h++)
		if (strchr("/?#@ \"\\", *h)) {
			imap_url_clear(out);
			return kith_err_set(err, KITH_EINPUT, "url",
					    "bad character in the host");
		}
	return KITH_OK;
}

/* Do a and b name one account: scheme, user, host and port? */
static bool same_account(const struct imap_url *a, const struct imap_url *b)
{
	return a->tls == b->tls && a->port == b->port &&
	       !strcmp(a->user, b->user) && !strcasecmp(a->host, b->host);
}

/*
 * Among the workspace's mailboxes m[0..n) (by id), the one of u's account
 * and folder (*same, else NULL) and the newest of its account (*account:
 * its password is the latest given).
 * A stored URL that no longer parses matches nothing.
 */
static void account_find(const struct mailbox **same,
			 const struct mailbox **account,
			 const struct mailbox *m, size_t n,
			 const struct imap_url *u)
{
	*same = *account = NULL;
	for (size_t i = 0; i < n; i++) {
		struct imap_url v;

		if (imap_url_parse(&v, m[i].url, NULL))
			continue;
		if (same_account(&v, u)) {
			*account = &m[i];
			if (!*same && !strcmp(v.mailbox, u->mailbox))
				*same = &m[i];
		}
		imap_url_clear(&v);
	}
}

/* One mailbox of the batch app_mailbox_add_folders adds. */
static int mailbox_add_one(struct mailbox *out, struct app_ctx *ctx,
			   const struct mail_key *key, const char *url,
			   const char *password, const char *address,
			   const char *ca_file, int64_t user_id,
			   struct kith_err *err)
{
	struct imap_url u;
	struct mailbox *have = NULL, mb = { 0 };
	const struct mailbox *same, *account;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = imap_url_parse(&u, url, err);
	if (rc)
		return rc;
	rc = store_mailbox_list(&have, &n, ctx->st, ctx->ws, err);
	if (rc)
		goto done;
	account_find(&same, &account, have, n, &u);
	if (same) {
		rc = kith_err_set(err, KITH_ECONFLICT, "url",
				  "%s is mailbox %lld already", same->url,
				  (long long)same->id);
		goto done;
	}
	if (password && !*password) {
		rc = kith_err_set(err, KITH_EINPUT, "password",
				  "the mailbox password is empty");
		goto done;
	}
	if (!password && !account) {
		rc = kith_err_set(err, KITH_EINPUT, "password",
				  "no mailbox of %s@%s yet to take the "
				  "password from: give it on standard input "
				  "(--password-stdin)",
				  u.user, u.host);
		goto done;
	}
	/* Another folder of a known account: what was said for the
	 * account holds for it too, unless said again. */
	if (account && !address && *account->address)
		address = account->address;
	if (account && !ca_file)
		ca_file = account->ca_file;
	if (!address && strchr(u.user, '@'))
		address = u.user;
	if (address && (!strchr(address, '@') || strpbrk(address, " \r\n"))) {
		rc = kith_err_set(err, KITH_EINPUT, "address",
				  "expected an address like ana@example.org");
		goto done;
	}
	mb.user_id = user_id;
	mb.url = strdup(url);
	mb.address = strdup(address ? address : "");
	mb.ca_file = ca_file ? strdup(ca_file) : NULL;
	mb.created_at = ctx->now;
	mb.next_sync = ctx->now;
	mb.last_sync = KITH_NO_TIME;
	if (!mb.url || !mb.address || (ca_file && !mb.ca_file)) {
		rc = kith_err_nomem(err);
		goto done;
	}
	/* The account's sealed password is copied as it is: it never
	 * leaves its box to be reused. */
	if (password)
		rc = mail_seal(&mb.secret, key, password, err);
	else if (!(mb.secret = strdup(account->secret)))
		rc = kith_err_nomem(err);
	if (!rc)
		rc = store_mailbox_add(ctx->st, ctx->ws, &mb, err);
	if (!rc) {
		*out = mb;
		memset(&mb, 0, sizeof(mb));
	}
done:
	mailbox_clear(&mb);
	store_mailboxes_free(have, n);
	imap_url_clear(&u);
	return rc;
}

int app_mailbox_add(struct mailbox *out, struct app_ctx *ctx,
		    const struct mail_key *key, const char *url,
		    const char *password, const char *address,
		    const char *ca_file, int64_t user_id, struct kith_err *err)
{
	struct mailbox mb;
	int rc;

	/* The API always gives a password: none is an empty one. */
	if (!password)
		password = "";
	rc = mailbox_add_one(&mb, ctx, key, url, password, address, ca_file,
			     user_id, err);
	if (!rc && out)
		*out = mb;
	else
		mailbox_clear(&mb);
	return rc;
}

/* Append folder to the URL base, %-escaping what a URL path cannot hold
 * as it is (url_decode undoes it). */
static char *folder_url(const char *base, const char *folder, size_t len)
{
	size_t bl = strlen(base), n = bl + 3 * len + 2;
	char *u = malloc(n), *w;

	if (!u)
		return NULL;
	memcpy(u, base, bl);
	w = u + bl;
	if (!bl || base[bl - 1] != '/')
		*w++ = '/';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)folder[i];

		if (isalnum(c) || strchr("-._~/", c) || c >= 0x80)
			*w++ = (char)c;
		else
			w += sprintf(w, "%%%02X", c);
	}
	*w = '\0';
	return u;
}

void app_mailboxes_free(struct mailbox *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mailbox_clear(&m[i]);
	free(m);
}

int app_mailbox_add_folders(struct mailbox **out, size_t *n,
			    struct app_ctx *ctx, const struct mail_key *key,
			    const char *url, const char *folders,
			    const char *password, const char *address,
			    const char *ca_file, int64_t user_id,
			    struct kith_err *err)
{
	struct imap_url u;
	struct mailbox *v = NULL;
	size_t nv = 0, cap = 0;
	const char *p, *slash;
	char *base = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	rc = imap_url_parse(&u, url, err);
	if (rc)
		return rc;
	imap_url_clear(&u);
	if (!folders) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return kith_err_nomem(err);
		rc = mailbox_add_one(v, ctx, key, url, password, address,
				     ca_file, user_id, err);
		if (rc) {
			free(v);
			return rc;
		}
		*out = v;
		*n = 1;
		return KITH_OK;
	}
	/* The folders name the path: a URL naming one as well is two
	 * answers to one question. */
	p = url + (url[4] == 's' || url[4] == 'S' ? 8 : 7);
	slash = strchr(p, '/');
	if (slash && slash[1])
		return kith_err_set(err, KITH_EINPUT, "--folders",
				    "name the folders either in the URL or "
				    "with --folders, not both (kith mail add "
				    "imaps://USER@HOST --folders INBOX,Sent)");
	base = slash ? strndup(url, (size_t)(slash - url)) : strdup(url);
	if (!base)
		return kith_err_nomem(err);
	for (p = folders; !rc;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *fu;

		while (len && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (!len) {
			rc = kith_err_set(err, KITH_EINPUT, "--folders",
					  "an empty folder name in \"%s\" "
					  "(expected a list like INBOX,Sent)",
					  folders);
			break;
		}
		if (nv == cap) {
			size_t c = cap ? 2 * cap : 4;
			struct mailbox *g = realloc(v, c * sizeof(*g));

			if (!g) {
				rc = kith_err_nomem(err);
				break;
			}
			v = g;
			cap = c;
		}
		fu = folder_url(base, p, len);
		if (!fu) {
			rc = kith_err_nomem(err);
			break;
		}
		/* The first folder seals the password; the others copy it
		 * from there. */
		rc = mailbox_add_one(&v[nv], ctx, key, fu,
				     nv ? NULL : password, address, ca_file,
				     user_id, err);
		free(fu);
		if (!rc)
			nv++;
		if (!e)
			break;
		p = e + 1;
	}
	free(base);
	if (rc) {
		app_mailboxes_free(v, nv);
		return rc;
	}
	*out = v;
	*n = nv;
	return KITH_OK;
}

/* kith serve --mail-every: the interval after a sync that went through
 * (0: IMAP_SYNC_EVERY). Set before the syncer starts. */
static int syn_every;

int64_t imap_backoff(int failures)
{
	int64_t s = 60;

	for (int i = 1; i < failures && s < 3600; i++)
		s *= 2;
	return s < 3600 ? s : 3600;
}

/* ---- one IMAP session over a libcurl connection ---- */

#define IMAP_IO_TIMEOUT_MS 60000

/* ---- the address guard ---- */

#define MAIL_ALLOW_MAX 32

static bool guard_on;
static struct {
	char host[256];
	long port;		/* 0: any */
} mail_allow[MAIL_ALLOW_MAX];
static size_t n_mail_allow;

void mail_guard(bool on)
{
	guard_on = on;
}

int mail_allow_add(const char *spec, struct kith_err *err)
{
	char host[sizeof(mail_allow[0].host)];
	long port;
	int rc;

	rc = notify_host_spec(host, sizeof(host), &port, spec, "--mail-allow",
			      err);
	if (rc)
		return rc;
	if (n_mail_allow == MAIL_ALLOW_MAX)
		return kith_err_set(err, KITH_EINPUT, "--mail-allow",
				    "at most %d hosts", MAIL_ALLOW_MAX);
	memcpy(mail_allow[n_mail_allow].host, host, sizeof(host));
	mail_allow[n_mail_allow].port = port;
	n_mail_allow++;
	return KITH_OK;
}

static bool host_allowed(const char *host, int port)
{
	for (size_t i = 0; i < n_mail_allow; i++)
		if (!strcasecmp(mail_allow[i].host, host) &&
		    (!mail_allow[i].port || mail_allow[i].port == port))
			return true;
	return false;
}

/* libcurl's socket opener under the guard: the address DNS gave. */
static curl_socket_t open_guarded(void *ctx, curlsocktype purpose,
				  struct curl_sockaddr *a)
{
	bool *refused = ctx;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	if (notify_addr_blocked(&a->addr)) {
		*refused = true;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

/* Set by mail_syncer_stop: a sync in flight gives up within half a
 * second (kith serve's SIGTERM must not wait for a slow mail server). */
static atomic_bool imap_abort;

static int on_progress(void *p, curl_off_t a, curl_off_t b, curl_off_t c,
		       curl_off_t d)
{
	(void)p;
	(void)a;
	(void)b;
	(void)c;
	(void)d;
	return atomic_load(&imap_abort) ? 1 : 0;
}

struct imap_conn {
	CURL *c;
	bool refused;		/* the guard refused the address */
	curl_socket_t fd;
	char *buf;		/* what was received and not yet consumed */
	size_t len, cap;
	int tag;
	char errbuf[CURL_ERROR_SIZE];
};

static int conn_wait(struct imap_conn *cn, short ev, struct kith_err *err)
{
	struct pollfd p = { .fd = (int)cn->fd, .events = ev };
	int r, waited = 0;

	do {
		r = poll(&p, 1, 500);
		if (r == 0 && atomic_load(&imap_abort))
			return kith_err_set(err, KITH_EIO, NULL,
					    "the server is stopping");
		if (r == 0)
			waited += 500;
	} while ((r < 0 && errno == EINTR) ||
		 (r == 0 && waited < IMAP_IO_TIMEOUT_MS));
	if (r == 0)
		return kith_err_set(err, KITH_EIO, NULL,
				    "the IMAP server went silent for %d s",
				    IMAP_IO_TIMEOUT_MS / 1000);
	if (r < 0)
		return kith_err_set(err, KITH_EIO, NULL, "poll: %s",
				    strerror(errno));
	return KITH_OK;
}

static int conn_send(struct imap_conn *cn, const char *s, size_t n,
		     struct kith_err *err)
{
	while (n) {
		size_t sent = 0;
		CURLcode r = curl_easy_send(cn->c, s, n, &sent);

		if (r == CURLE_AGAIN) {
			int rc = conn_wait(cn, POLLOUT, err);

			if (rc)
				return rc;
			continue;
		}
		if (r != CURLE_OK)
			return kith_err_set(err, KITH_EIO, NULL,
					    "IMAP send: %s",
					    curl_easy_strerror(r));
		s += sent;
		n -= sent;
	}
	return KITH_OK;
}

/* Receive more bytes onto cn->buf. */
static int conn_more(struct imap_conn *cn, struct kith_err *err)
{
	for (;;) {
		size_t got = 0;
		CURLcode r;

		if (cn->cap - cn->len < 65536) {
			size_t cap = cn->cap * 2 + 65536;
			char *g = realloc(cn->buf, cap);

			if (!g)
				return kith_err_nomem(err);
			cn->buf = g;
			cn->cap = cap;
		}
		r = curl_easy_recv(cn->c, cn->buf + cn->len,
				   cn->cap - cn->len - 1, &got);
		if (r == CURLE_AGAIN) {
			int rc = conn_wait(cn, POLLIN, err);

			if (rc)
				return rc;
			continue;
		}
		if (r != CURLE_OK)
			return kith_err_set(err, KITH_EIO, NULL,
					    "IMAP receive: %s",
					    curl_easy_strerror(r));
		if (!got)
			return kith_err_set(err, KITH_EIO, NULL,
					    "the IMAP server closed the "
					    "connection");
		cn->len += got;
		cn->buf[cn->len] = '\0';
		return KITH_OK;
	}
}

/* One response: an untagged or tagged line with its literals. The
 * offsets are into cn->buf: text runs [start, lit) and [after, end),
 * the first literal [lit + its "{n}\r\n"...] is [lit_off, lit_off +
 * lit_len). A response with more literals keeps only the first. */
struct imap_resp {
	size_t start, end;
	bool has_lit;
	size_t lit_head;	/* where "{n}" begins */
	size_t lit_off, lit_len;
	size_t after;		/* text after the first literal */
};

/* Scan the next whole response at *pos, reading more as needed. */
static int resp_next(struct imap_conn *cn, size_t *pos, struct imap_resp *r,
		     struct kith_err *err)
{
	size_t p = *pos;
	int rc;

	memset(r, 0, sizeof(*r));
	r->start = p;
	for (;;) {
		char *eol = NULL;
		size_t ll;

		while (!(eol = p < cn->len ? memmem(cn->buf + p, cn->len - p,
						     "\r\n", 2)
					   : NULL)) {
			rc = conn_more(cn, err);
			if (rc)
				return rc;
		}
		ll = (size_t)(eol - cn->buf);
		/* A line ending "{n}" (or "{n+}") announces n raw bytes. */
		if (ll > p && cn->buf[ll - 1] == '}') {
			size_t b = ll - 1;
			unsigned long long n;

			while (b > p && cn->buf[b] != '{')
				b--;
			if (cn->buf[b] == '{' &&
			    sscanf(cn->buf + b + 1, "%llu", &n) == 1 &&
			    n < (1ULL << 30)) {
				size_t lit = ll + 2;

				while (cn->len < lit + n) {
					rc = conn_more(cn, err);
					if (rc)
						return rc;
				}
				if (!r->has_lit) {
					r->has_lit = true;
					r->lit_head = b;
					r->lit_off = lit;
					r->lit_len = (size_t)n;
					r->after = lit + (size_t)n;
				}
				p = lit + (size_t)n;
				continue;
			}
		}
		r->end = ll;
		*pos = ll + 2;
		if (!r->has_lit)
			r->after = r->end;
		return KITH_OK;
	}
}

/* Drop what was consumed, keeping the rest (pipelined data). */
static void conn_consume(struct imap_conn *cn, size_t pos)
{
	memmove(cn->buf, cn->buf + pos, cn->len - pos);
	cn->len -= pos;
	if (cn->buf)
		cn->buf[cn->len] = '\0';
}

typedef int (*resp_fn)(void *arg, struct imap_conn *cn,
		       const struct imap_resp *r);

/* Send "kN command", hand each untagged response to fn, and end at the
 * tagged one: KITH_OK for OK, KITH_EIO with the server's words for NO or
 * BAD (`what` names the step). */
static int imap_cmd(struct imap_conn *cn, const char *cmd, const char *what,
		    resp_fn fn, void *arg, struct kith_err *err)
{
	char tag[16], line[1024];
	size_t pos = 0, tl;
	int rc, k;

	k = snprintf(tag, sizeof(tag), "k%d ", ++cn->tag);
	tl = (size_t)k;
	k = snprintf(line, sizeof(line), "%s%s\r\n", tag, cmd);
	if (k < 0 || (size_t)k >= sizeof(line))
		return kith_err_set(err, KITH_EINPUT, NULL,
				    "IMAP command too long");
	rc = conn_send(cn, line, (size_t)k, err);
	while (!rc) {
		struct imap_resp r;

		rc = resp_next(cn, &pos, &r, err);
		if (rc)
			break;
		if (r.end - r.start >= tl &&
		    !memcmp(cn->buf + r.start, tag, tl)) {
			const char *st = cn->buf + r.start + tl;

			if (strncasecmp(st, "OK", 2)) {
				int n = (int)(r.end - r.start - tl);

				rc = kith_err_set(err, KITH_EIO, NULL,
						  "%s: the server said %.*s",
						  what, n > 200 ? 200 : n, st);
			}
			break;
		}
		if (fn && cn->buf[r.start] == '*')
			rc = fn(arg, cn, &r);
	}
	conn_consume(cn, pos < cn->len ? pos : cn->len);
	return rc;
}

/* A number after key in [from, to), or -1. */
static long long num_after(const char *buf, size_t from, size_t to,
			   const char *key)
{
	size_t kl = strlen(key);

	for (size_t i = from; i + kl < to; i++)
		if (!strncasecmp(buf + i, key, kl) &&
		    (i == from || buf[i - 1] == ' ' || buf[i - 1] == '(' ||
		     buf[i - 1] == '['))
			return strtoll(buf + i + kl, NULL, 10);
	return -1;
}

struct examine {
	long long uidvalidity, uidnext, exists;
};

static int on_examine(void *arg, struct imap_conn *cn,
		      const struct imap_resp *r)
{
	struct examine *x = arg;
	long long v;

	v = num_after(cn->buf, r->start, r->end, "UIDVALIDITY ");
	if (v >= 0)
		x->uidvalidity = v;
	v = num_after(cn->buf, r->start, r->end, "UIDNEXT ");
	if (v >= 0)
		x->uidnext = v;
	if (r->end - r->start > 9 &&
	    !strncasecmp(cn->buf + r->end - 7, " EXISTS", 7))
		x->exists = strtoll(cn->buf + r->start + 2, NULL, 10);
	return KITH_OK;
}

struct uid_list {
	int64_t *v;
	size_t n;
	int64_t above;
};

static int on_uid(void *arg, struct imap_conn *cn, const struct imap_resp *r)
{
	struct uid_list *u = arg;
	long long uid = num_after(cn->buf, r->start, r->end, "UID ");
	int64_t *g;

	/* "n:*" names the last message even below n (RFC 3501 6.4.8). */
	if (uid <= u->above)
		return KITH_OK;
	g = realloc(u->v, (u->n + 1) * sizeof(*g));
	if (!g)
		return KITH_ENOMEM;
	u->v = g;
	g[u->n++] = uid;
	return KITH_OK;
}

struct fetched {
	struct app_mail *m;
	int64_t mailbox_id;
	int64_t above, last;	/* UIDs: what to skip, the highest taken */
	size_t n;
	struct kith_err *err;
};

static int on_header(void *arg, struct imap_conn *cn,
		     const struct imap_resp *r)
{
	struct fetched *f = arg;
	long long uid;
	char where[80];
	int rc;

	if (!r->has_lit)
		return KITH_OK;
	uid = num_after(cn->buf, r->start, r->lit_head, "UID ");
	if (uid < 0)
		uid = num_after(cn->buf, r->after, r->end, "UID ");
	if (uid <= f->above)
		return KITH_OK;
	snprintf(where, sizeof(where), "mailbox %lld: UID %lld",
		 (long long)f->mailbox_id, uid);
	rc = app_mail_raw(f->m, cn->buf + r->lit_off, r->lit_len, where,
			  f->err);
	if (!rc) {
		f->n++;
		if (uid > f->last)
			f->last = uid;
	}
	return rc;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static bool host_loopback(const char *h)
{
	return !strncmp(h, "127.", 4) || !strcmp(h, "::1") ||
	       !strcasecmp(h, "localhost");
}

/* Log in with libcurl and keep the connection. */
static int conn_open(struct imap_conn *cn, const struct imap_url *u,
		     const char *password, const char *ca_file,
		     struct kith_err *err)
{
	char url[600];
	CURLcode r;
	long on = 1;
	bool v6 = strchr(u->host, ':') != NULL;

	memset(cn, 0, sizeof(*cn));
	cn->c = curl_easy_init();
	if (!cn->c)
		return kith_err_nomem(err);
	snprintf(url, sizeof(url), "%s://%s%s%s:%d/", u->tls ? "imaps" : "imap",
		 v6 ? "[" : "", u->host, v6 ? "]" : "", u->port);
	curl_easy_setopt(cn->c, CURLOPT_URL, url);
	curl_easy_setopt(cn->c, CURLOPT_USERNAME, u->user);
	curl_easy_setopt(cn->c, CURLOPT_PASSWORD, password);
	curl_easy_setopt(cn->c, CURLOPT_CONNECT_ONLY, on);
	curl_easy_setopt(cn->c, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(cn->c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(cn->c, CURLOPT_NOSIGNAL, on);
	curl_easy_setopt(cn->c, CURLOPT_ERRORBUFFER, cn->errbuf);
	curl_easy_setopt(cn->c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(cn->c, CURLOPT_NOPROGRESS, 0L);
	/* A password never crosses the network in the clear: imap:// must
	 * upgrade with STARTTLS, except to this machine. */
	curl_easy_setopt(cn->c, CURLOPT_USE_SSL,
			 u->tls || !host_loopback(u->host) ? (long)CURLUSESSL_ALL
							   : (long)CURLUSESSL_TRY);
	if (ca_file && *ca_file)
		curl_easy_setopt(cn->c, CURLOPT_CAINFO, ca_file);
	if (guard_on && !host_allowed(u->host, u->port)) {
		curl_easy_setopt(cn->c, CURLOPT_OPENSOCKETFUNCTION,
				 open_guarded);
		curl_easy_setopt(cn->c, CURLOPT_OPENSOCKETDATA, &cn->refused);
	}
	r = curl_easy_perform(cn->c);
	if (r != CURLE_OK && cn->refused)
		return kith_err_set(err, KITH_EIO, "url",
				    "%s is a private, loopback, link-local or "
				    "reserved address: this server does not "
				    "connect there (kith serve --mail-allow "
				    "HOST)",
				    u->host);
	if (r == CURLE_LOGIN_DENIED)
		return kith_err_set(err, KITH_EIO, "password",
				    "%s refused the login of %s (wrong "
				    "password? an app password may be "
				    "needed)",
				    u->host, u->user);
	if (r != CURLE_OK)
		return kith_err_set(err, KITH_EIO, NULL, "%s:%d: %s", u->host,
				    u->port,
				    cn->errbuf[0] ? cn->errbuf
						  : curl_easy_strerror(r));
	r = curl_easy_getinfo(cn->c, CURLINFO_ACTIVESOCKET, &cn->fd);
	if (r != CURLE_OK || cn->fd == CURL_SOCKET_BAD)
		return kith_err_set(err, KITH_EIO, NULL,
				    "%s: no connection after login", u->host);
	return KITH_OK;
}

static void conn_close(struct imap_conn *cn)
{
	if (cn->c)
		curl_easy_cleanup(cn->c);
	free(cn->buf);
	memset(cn, 0, sizeof(*cn));
}

/* A quoted IMAP string for name (RFC 3501 4.3), into buf. */
static int quote(char *buf, size_t n, const char *name)
{
	size_t w = 0;

	if (n < 3)
		return -1;
	buf[w++] = '"';
	for (const char *p = name; *p; p++) {
		if (w + 3 >= n)
			return -1;
		if (*p == '"' || *p == '\\')
			buf[w++] = '\\';
		buf[w++] = *p;
	}
	buf[w++] = '"';
	buf[w] = '\0';
	return 0;
}

/* One batch: fetch the headers of uids[0..k) and hand them to app_mail
 * in one transaction that also moves mb->last_uid. */
static int fetch_batch(struct store *st, struct imap_conn *cn,
		       struct mailbox *mb, struct app_ctx *ctx,
		       const int64_t *uids, size_t k, bool dry,
		       struct mail_tally *tally, struct kith_err *err)
{
	struct app_mail m;
	struct fetched f = { .m = &m, .mailbox_id = mb->id,
			     .above = mb->last_uid, .last = mb->last_uid,
			     .err = err };
	char cmd[128];
	int rc;

	/* One range: UIDs are sorted, and any message inside it that
	 * arrived meanwhile is as welcome. */
	snprintf(cmd, sizeof(cmd),
		 "UID FETCH %lld:%lld (UID BODY.PEEK[HEADER])",
		 (long long)uids[0], (long long)uids[k - 1]);
	/* A dry run is one transaction, the caller's, undone. */
	rc = dry ? KITH_OK : store_begin(st, err);
	if (rc)
		return rc;
	rc = app_mail_begin(&m, ctx, mb->address, mb->user_id, err);
	if (rc) {
		if (!dry)
			store_rollback(st);
		return rc;
	}
	rc = imap_cmd(cn, cmd, "UID FETCH", on_header, &f, err);
	if (!rc) {
		mb->last_uid = f.last;
		mb->messages += (int64_t)f.n;
		if (!dry)
			rc = store_mailbox_state(st, mb->workspace_id, mb, err);
	}
	if (dry)
		;
	else if (!rc)
		rc = store_commit(st, err);
	else
		store_rollback(st);
	if (!rc && tally) {
		tally->read += m.tally.read;
		tally->dup += m.tally.dup;
		tally->touches += m.tally.touches;
		tally->signals += m.tally.signals;
		tally->answered += m.tally.answered;
		tally->unknown += m.tally.unknown;
		tally->bulk += m.tally.bulk;
		tally->bad += m.tally.bad;
	}
	app_mail_end(&m);
	return rc;
}

/* Fetch and hand to app_mail the headers of uids[0..n) in batches. A
 * batch that meets another writer on PostgreSQL (store_retryable) is
 * rolled back and fetched again: the server's headers do not change. */
static int fetch_batches(struct store *st, struct imap_conn *cn,
			 struct mailbox *mb, const int64_t *uids, size_t n,
			 kith_time now, bool dry, struct mail_tally *tally,
			 struct kith_err *err)
{
	struct app_ctx ctx = { .st = st, .ws = mb->workspace_id, .now = now };
	int rc = KITH_OK;

	ctx.today = kith_time_day(now, NULL);
	store_set_tenant(st, ctx.ws);
	for (size_t i = 0; !rc && i < n; i += IMAP_BATCH) {
		size_t k = n - i < IMAP_BATCH ? n - i : IMAP_BATCH;
		int64_t last_uid = mb->last_uid, messages = mb->messages;

		for (int attempt = 1;; attempt++) {
			rc = fetch_batch(st, cn, mb, &ctx, uids + i, k, dry,
					 tally, err);
			if (!rc || dry || !store_retryable(st) ||
			    attempt >= KITH_RETRY_MAX)
				break;
			mb->last_uid = last_uid;
			mb->messages = messages;
			kith_retry_pause(attempt);
		}
	}
	return rc;
}

static int sync_session(struct store *st, struct imap_conn *cn,
			const struct imap_url *u, struct mailbox *mb,
			kith_time now, bool dry, struct mail_tally *tally,
			struct kith_err *err)
{
	struct examine x = { -1, -1, -1 };
	struct uid_list ul = { 0 };
	char cmd[700], q[600];
	int rc;

	if (quote(q, sizeof(q), u->mailbox))
		return kith_err_set(err, KITH_EINPUT, "url",
				    "mailbox name too long");
	/* EXAMINE: read-only, so nothing kith reads is marked \Seen. */
	snprintf(cmd, sizeof(cmd), "EXAMINE %s", q);
	rc = imap_cmd(cn, cmd, "EXAMINE", on_examine, &x, err);
	if (rc)
		return rc;
	if (x.uidvalidity < 0)
		return kith_err_set(err, KITH_EIO, NULL,
				    "the server gave no UIDVALIDITY");
	/* New UIDVALIDITY: the old UIDs mean nothing now; read all again
	 * (the keys keep what was seen from becoming a second touch). */
	if (x.uidvalidity != mb->uidvalidity) {
		mb->uidvalidity = x.uidvalidity;
		mb->last_uid = 0;
		mb->messages = 0;
	}
	if (x.exists == 0 ||
	    (x.uidnext > 0 && x.uidnext <= mb->last_uid + 1))
		return KITH_OK;
	ul.above = mb->last_uid;
	snprintf(cmd, sizeof(cmd), "UID FETCH %lld:* (UID)",
		 (long long)mb->last_uid + 1);
	rc = imap_cmd(cn, cmd, "UID FETCH", on_uid, &ul, err);
	if (rc == KITH_ENOMEM)
		rc = kith_err_nomem(err);
	if (!rc && ul.n) {
		qsort(ul.v, ul.n, sizeof(*ul.v), cmp_i64);
		rc = fetch_batches(st, cn, mb, ul.v, ul.n, now, dry, tally,
				   err);
	}
	free(ul.v);
	return rc;
}

static int mailbox_sync(struct store *st, const struct mail_key *key,
			struct mailbox *mb, kith_time now, bool dry,
			struct mail_tally *tally, struct kith_err *err)
{
	struct imap_url u = { 0 };
	struct imap_conn cn = { 0 };
	struct kith_err serr = { 0 };
	char *password = NULL;
	int64_t uidvalidity = mb->uidvalidity, last_uid = mb->last_uid,
		messages = mb->messages;
	int rc;

	rc = imap_url_parse(&u, mb->url, err);
	if (!rc)
		rc = mail_unseal(&password, key, mb->secret, err);
	if (!rc)
		rc = conn_open(&cn, &u, password, mb->ca_file, err);
	if (password) {
		sodium_memzero(password, strlen(password));
		free(password);
	}
	if (!rc && dry) {
		rc = store_begin(st, err);
		if (!rc) {
			rc = sync_session(st, &cn, &u, mb, now, true, tally,
					  err);
			store_rollback(st);
		}
		mb->uidvalidity = uidvalidity;
		mb->last_uid = last_uid;
		mb->messages = messages;
	} else if (!rc) {
		rc = sync_session(st, &cn, &u, mb, now, false, tally, err);
	}
	conn_close(&cn);
	imap_url_clear(&u);
	/* A dry run leaves the mailbox's state as it was, errors too. */
	if (dry)
		return rc;
	/* Cut short by kith serve stopping: no fault of the mailbox's, so
	 * no error shown, no backoff; the batches committed are kept and it
	 * is due again at the next start. */
	if (rc && atomic_load(&imap_abort))
		return rc;
	/* The outcome, in its own transaction: a failed batch was rolled
	 * back, but what came before it stays. */
	free(mb->last_error);
	mb->last_error = NULL;
	mb->last_sync = now;
	if (rc) {
		mb->failures++;
		mb->last_error = strdup(err->msg[0] ? err->msg : "sync failed");
		mb->next_sync = now + imap_backoff(mb->failures);
	} else {
		mb->failures = 0;
		mb->next_sync = now + (syn_every > 0 ? syn_every
						     : IMAP_SYNC_EVERY);
	}
	for (int attempt = 1; attempt <= KITH_RETRY_MAX; attempt++) {
		if (attempt > 1)
			kith_retry_pause(attempt - 1);
		if (store_begin(st, &serr))
			break;
		if (store_mailbox_state(st, mb->workspace_id, mb, &serr)) {
			store_rollback(st);
			if (!store_retryable(st))
				break;
		} else if (!store_commit(st, &serr) || !store_retryable(st)) {
			break;
		}
	}
	return rc;
}

int app_mailbox_sync(struct store *st, const struct mail_key *key,
		     struct mailbox *mb, kith_time now, struct mail_tally *tally,
		     struct kith_err *err)
{
	return mailbox_sync(st, key, mb, now, false, tally, err);
}

int app_mailbox_sync_dry(struct store *st, const struct mail_key *key,
			 struct mailbox *mb, kith_time now,
			 struct mail_tally *tally, struct kith_err *err)
{
	return mailbox_sync(st, key, mb, now, true, tally, err);
}

/* ---- kith serve's syncer ---- */

#define SYNC_THREADS 2
#define SYNC_IN_FLIGHT 8

static struct {
	pthread_t threads[SYNC_THREADS];
	pthread_mutex_t lock;
	bool running, stop;
	char *db_path;
	int every;
	struct mail_key key;
	bool have_key;
	int64_t busy[SYNC_IN_FLIGHT];	/* mailbox ids being synced */
} syn = { .lock = PTHREAD_MUTEX_INITIALIZER };

const struct mail_key *mail_server_key(void)
{
	return syn.have_key ? &syn.key : NULL;
}

void mail_server_key_set(const struct mail_key *key)
{
	syn.key = *key;
	syn.have_key = true;
}

static bool stopping(void)
{
	bool s;

	pthread_mutex_lock(&syn.lock);
	s = syn.stop;
	pthread_mutex_unlock(&syn.lock);
	return s;
}

/* Take one due mailbox no other thread has: its slot, or -1. */
static int claim(int64_t id)
{
	int slot = -1;

	pthread_mutex_lock(&syn.lock);
	for (int i = 0; i < SYNC_IN_FLIGHT; i++)
		if (syn.busy[i] == id) {
			pthread_mutex_unlock(&syn.lock);
			return -1;
		}
	for (int i = 0; slot < 0 && i < SYNC_IN_FLIGHT; i++)
		if (!syn.busy[i]) {
			syn.busy[i] = id;
			slot = i;
		}
	pthread_mutex_unlock(&syn.lock);
	return slot;
}

static void release(int slot)
{
	pthread_mutex_lock(&syn.lock);
	syn.busy[slot] = 0;
	pthread_mutex_unlock(&syn.lock);
}

static void *syncer_main(void *arg)
{
	struct store *st = NULL;
	struct kith_err err = { 0 };

	(void)arg;
	if (store_open(&st, syn.db_path, &err))
		return NULL;
	while (!stopping()) {
		struct mailbox *due = NULL;
		size_t n = 0;
		kith_time now;
		bool did = false;

		memset(&err, 0, sizeof(err));
		if (!kith_now(&now, &err) &&
		    !store_mailbox_due(&due, &n, st, now, SYNC_IN_FLIGHT,
				       &err)) {
			for (size_t i = 0; i < n && !did && !stopping(); i++) {
				int slot = claim(due[i].id);

				if (slot < 0)
					continue;
				memset(&err, 0, sizeof(err));
				app_mailbox_sync(st, &syn.key, &due[i], now,
						 NULL, &err);
				release(slot);
				did = true;
			}
			store_mailboxes_free(due, n);
		}
		store_settle(st, &err);
		if (!did)
			for (int i = 0; i < 10 && !stopping(); i++)
				usleep(100 * 1000);
	}
	store_close(st);
	return NULL;
}

int mail_syncer_start(const char *db_path, const struct mail_key *key,
		      int every, struct kith_err *err)
{
	syn.db_path = strdup(db_path);
	if (!syn.db_path)
		return kith_err_nomem(err);
	mail_server_key_set(key);
	syn.every = every;
	syn_every = every;
	syn.stop = false;
	memset(syn.busy, 0, sizeof(syn.busy));
	for (int i = 0; i < SYNC_THREADS; i++)
		if (pthread_create(&syn.threads[i], NULL, syncer_main, NULL)) {
			pthread_mutex_lock(&syn.lock);
			syn.stop = true;
			pthread_mutex_unlock(&syn.lock);
			for (int k = 0; k < i; k++)
				pthread_join(syn.threads[k], NULL);
			free(syn.db_path);
			syn.db_path = NULL;
			return kith_err_set(err, KITH_EIO, NULL,
					    "cannot start the mail syncer");
		}
	syn.running = true;
	return KITH_OK;
}

void mail_syncer_stop(void)
{
	if (!syn.running)
		return;
	pthread_mutex_lock(&syn.lock);
	syn.stop = true;
	pthread_mutex_unlock(&syn.lock);
	atomic_store(&imap_abort, true);
	for (int i = 0; i < SYNC_THREADS; i++)
		pthread_join(syn.threads[i], NULL);
	atomic_store(&imap_abort, false);
	syn.running = false;
	free(syn.db_path);
	syn.db_path = NULL;
}
