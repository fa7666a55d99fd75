/* mail.c: one email's header becomes a touch, a signal, an answer or a
 * suggestion count; and the mbox, Maildir and file sources. */
#include "mail.h"
#include "signals.h"
#include "touch.h"
#include "../secret.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int app_mail_begin(struct app_mail *m, struct app_ctx *ctx,
		   const char *extra_self, int64_t by_user,
		   struct kith_err *err)
{
	int rc;

	memset(m, 0, sizeof(*m));
	m->ctx = ctx;
	m->by_user = by_user;
	rc = secret_init(err);
	if (!rc)
		rc = store_mail_self(&m->self, &m->n_self, ctx->st, ctx->ws,
				     err);
	if (!rc && extra_self && *extra_self) {
		char **v = realloc(m->self, (m->n_self + 1) * sizeof(*v));
		char *s = strdup(extra_self);

		if (v)
			m->self = v;
		if (!v || !s) {
			free(s);
			return kith_err_nomem(err);
		}
		for (char *p = s; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		m->self[m->n_self++] = s;
	}
	if (!rc)
		rc = store_user_list(&m->users, &m->n_users, ctx->st, ctx->ws,
				     err);
	return rc;
}

void app_mail_end(struct app_mail *m)
{
	store_strings_free(m->self, m->n_self);
	store_users_free(m->users, m->n_users);
	m->self = NULL;
	m->users = NULL;
	m->n_self = m->n_users = 0;
}

static bool is_self(const struct app_mail *m, const char *addr)
{
	for (size_t i = 0; i < m->n_self; i++)
		if (!strcmp(m->self[i], addr))
			return true;
	return false;
}

static int64_t user_of(const struct app_mail *m, const char *addr)
{
	for (size_t i = 0; i < m->n_users; i++)
		if (m->users[i].email && !strcasecmp(m->users[i].email, addr))
			return m->users[i].id;
	return 0;
}

static void note_bad(struct app_mail *m, const char *where, const char *why)
{
	int k;

	if (m->tally.bad++)
		return;
	/* A long path is cut: the message is a pointer, not a record. */
	k = snprintf(m->tally.first_bad, sizeof(m->tally.first_bad), "%s: %s",
		     where ? where : "message", why);
	if (k < 0 || (size_t)k >= sizeof(m->tally.first_bad))
		memcpy(m->tally.first_bad + sizeof(m->tally.first_bad) - 4,
		       "...", 4);
}

/* The key of a message: its Message-ID, else a hash of what tells one
 * message from another (sender, date, subject, recipients), so the same
 * message read from IMAP, an mbox and a Maildir is one. */
static int message_key(char **out, const struct mail_header *h)
{
	crypto_generichash_state st;
	unsigned char sum[16];
	char hex[33], *k;

	if (h->message_id && *h->message_id) {
		*out = strdup(h->message_id);
		return *out ? KITH_OK : KITH_ENOMEM;
	}
	crypto_generichash_init(&st, NULL, 0, sizeof(sum));
	for (int f = MAIL_FROM; f <= MAIL_CC; f++)
		for (size_t i = 0; i < h->a[f].n; i++) {
			crypto_generichash_update(
				&st, (const unsigned char *)h->a[f].v[i].addr,
				strlen(h->a[f].v[i].addr) + 1);
		}
	crypto_generichash_update(&st, (const unsigned char *)&h->date,
				  sizeof(h->date));
	if (h->subject)
		crypto_generichash_update(&st,
					  (const unsigned char *)h->subject,
					  strlen(h->subject));
	crypto_generichash_final(&st, sum, sizeof(sum));
	sodium_bin2hex(hex, sizeof(hex), sum, sizeof(sum));
	k = malloc(2 + sizeof(hex));
	if (!k)
		return KITH_ENOMEM;
	snprintf(k, 2 + sizeof(hex), "h:%s", hex);
	*out = k;
	return KITH_OK;
}

struct ids {
	int64_t *v;
	size_t n;
};

static int ids_add(struct ids *x, int64_t id)
{
	int64_t *g;

	if (!id || x->n >= APP_TOUCH_MAX_CONTACTS)
		return KITH_OK;
	for (size_t i = 0; i < x->n; i++)
		if (x->v[i] == id)
			return KITH_OK;
	g = realloc(x->v, (x->n + 1) * sizeof(*g));
	if (!g)
		return KITH_ENOMEM;
	x->v = g;
	g[x->n++] = id;
	return KITH_OK;
}

/* Match one correspondent: a contact joins the touch; anyone else is
 * counted for suggestions (unless nobody answers that address). */
static int take_peer(struct app_mail *m, const struct mail_addr *a,
		     bool inbound, bool count, kith_time at, struct ids *who,
		     int64_t *cid, bool *unknown, struct kith_err *err)
{
	int64_t id = 0;
	int rc;

	if (is_self(m, a->addr))
		return KITH_OK;
	rc = store_signal_match(&id, m->ctx->st, m->ctx->ws, a->addr, NULL,
				err);
	if (rc)
		return rc;
	if (cid)
		*cid = id;
	if (id)
		return ids_add(who, id) ? kith_err_nomem(err) : KITH_OK;
	*unknown = true;
	if (!count || mail_addr_noreply(a->addr))
		return KITH_OK;
	return store_mail_peer_add(m->ctx->st, m->ctx->ws, a->addr, a->name,
				   inbound, !inbound, at, err);
}

static int make_signal(struct app_mail *m, const struct mail_header *h,
		       const struct mail_row *row, const struct mail_addr *from,
		       int64_t cid, int64_t *signal_id, struct kith_err *err)
{
	struct signal sg = { 0 };
	int64_t *woken = NULL;
	size_t n_woken = 0;
	kith_time reply = KITH_NO_TIME;
	char ext[600];
	bool dup = false;
	int rc;

	snprintf(ext, sizeof(ext), "mail:%s", row->msg_key);
	sg.type = SIG_INBOUND_EMAIL;
	sg.at = row->at;
	sg.received_at = m->ctx->now;
	sg.contact_id = cid;
	/* app_signal_ingest strips control characters in place: give it
	 * copies, not the header's strings. */
	sg.ext_id = strdup(ext);
	sg.email = strdup(from->addr);
	sg.name = from->name ? strdup(from->name) : NULL;
	sg.text = h->subject ? strdup(h->subject) : NULL;
	if (!sg.ext_id || !sg.email || (from->name && !sg.name) ||
	    (h->subject && !sg.text)) {
		rc = kith_err_nomem(err);
		goto done;
	}
	rc = app_signal_ingest(&dup, &woken, &n_woken, m->ctx, &sg, err);
	free(woken);
	if (rc || dup)
		goto done;
	*signal_id = sg.id;
	m->tally.signals++;
	/* The user's reply may have been read first (an mbox is not always
	 * in time order): it answers now. */
	rc = store_mail_reply_at(&reply, m->ctx->st, m->ctx->ws, row->msg_key,
				 row->at, err);
	if (!rc && reply != KITH_NO_TIME) {
		rc = store_signal_answer(m->ctx->st, m->ctx->ws, sg.id, reply,
					 err);
		if (!rc)
			m->tally.answered++;
	}
done:
	sg.contact_id = 0;
	signal_clear(&sg);
	return rc;
}

int app_mail_header(struct app_mail *m, const struct mail_header *h,
		    const char *where, struct kith_err *err)
{
	struct mail_row row = { 0 };
	struct touchpoint t = { 0 };
	struct ids who = { 0 };
	const struct mail_addr *from = NULL;
	const struct mail_addrs *sender;
	bool dup = false, unknown = false, quiet;
	int64_t from_cid = 0, signal_id = 0, by_user;
	int rc;

	m->tally.read++;
	sender = h->a[MAIL_FROM].n ? &h->a[MAIL_FROM] : &h->a[MAIL_SENDER];
	if (!sender->n) {
		note_bad(m, where, "no From address");
		return KITH_OK;
	}
	from = &sender->v[0];
	rc = message_key(&row.msg_key, h);
	if (rc)
		return kith_err_nomem(err);
	row.at = h->date == KITH_NO_TIME || h->date > m->ctx->now
			 ? m->ctx->now
			 : h->date;
	row.outbound = is_self(m, from->addr);
	row.sender = strdup(from->addr);
	row.subject = h->subject ? strdup(h->subject) : NULL;
	row.parent = h->n_parents ? strdup(h->parents[0])
		     : h->n_references
			     ? strdup(h->references[h->n_references - 1])
			     : NULL;
	row.thread = h->n_references ? strdup(h->references[0])
		     : row.parent ? strdup(row.parent)
				  : strdup(row.msg_key);
	if (!row.sender || (h->subject && !row.subject) || !row.thread ||
	    ((h->n_parents || h->n_references) && !row.parent)) {
		rc = kith_err_nomem(err);
		goto done;
	}
	rc = store_mail_add(&dup, m->ctx->st, m->ctx->ws, &row, err);
	if (rc)
		goto done;
	if (dup) {
		m->tally.dup++;
		goto done;
	}
	quiet = h->bulk || h->automatic || mail_addr_noreply(from->addr);
	if (quiet) {
		/* Nobody wrote it to a person: no touch, no signal, and no
		 * suggestion; kept by key only. */
		m->tally.bulk++;
		goto done;
	}
	by_user = user_of(m, from->addr);
	if (!row.outbound)
		rc = take_peer(m, from, true, true, row.at, &who, &from_cid,
			       &unknown, err);
	for (int f = MAIL_TO; !rc && f <= MAIL_BCC; f++)
		for (size_t i = 0; !rc && i < h->a[f].n; i++) {
			const struct mail_addr *a = &h->a[f].v[i];

			if (!by_user)
				by_user = user_of(m, a->addr);
			/* Recipients of someone else's message are no
			 * correspondents of the user's. */
			rc = take_peer(m, a, false, row.outbound, row.at, &who,
				       NULL, &unknown, err);
		}
	if (rc)
		goto done;
	if (!by_user)
		by_user = m->by_user;
	if (row.outbound) {
		/* A reply answers the signals of what it replies to: the
		 * parent, and the thread it quotes. Before its touch, which
		 * answers whatever its contacts sent earlier: otherwise the
		 * touch takes a contact's threaded question first and the
		 * tally never counts it. */
		size_t n = 0, k = 0;

		rc = store_mail_answer(&n, m->ctx->st, m->ctx->ws,
				       (const char *const *)h->parents,
				       h->n_parents, row.at, err);
		if (!rc)
			rc = store_mail_answer(
			    &k, m->ctx->st, m->ctx->ws,
			    (const char *const *)h->references, h->n_references,
			    row.at, err);
		m->tally.answered += n + k;
		if (rc)
			goto done;
	}
	if (who.n) {
		t.at = row.at;
		t.channel = CH_EMAIL;
		t.direction = row.outbound ? DIR_OUT : DIR_IN;
		t.note = strdup(h->subject && *h->subject ? h->subject
							  : "(no subject)");
		t.source = strdup("email");
		t.contacts = who.v;
		t.n_contacts = who.n;
		who.v = NULL;
		if (!t.note || !t.source) {
			rc = kith_err_nomem(err);
			goto done;
		}
		rc = app_touch_log(NULL, m->ctx, &t, by_user, err);
		if (rc)
			goto done;
		m->tally.touches++;
		row.touch_id = t.id;
	} else if (unknown) {
		m->tally.unknown++;
	}
	if (!row.outbound && row.at >= m->ctx->now - MAIL_SIGNAL_WINDOW) {
		/* A client's or a lead's message a person wrote waits for
		 * a person's answer. */
		rc = make_signal(m, h, &row, from, from_cid, &signal_id, err);
	}
	if (!rc && (row.touch_id || signal_id))
		rc = store_mail_link(m->ctx->st, m->ctx->ws, row.id,
				     row.touch_id, signal_id, err);
done:
	free(who.v);
	touchpoint_clear(&t);
	mail_row_clear(&row);
	return rc;
}

int app_mail_raw(struct app_mail *m, const char *data, size_t len,
		 const char *where, struct kith_err *err)
{
	struct mail_header h;
	struct kith_err perr = { 0 };
	int rc;

	rc = mail_parse_header(&h, data, len, &perr);
	if (rc == KITH_EINPUT) {
		m->tally.read++;
		note_bad(m, where, perr.msg);
		return KITH_OK;
	}
	if (rc)
		return kith_err_nomem(err);
	rc = app_mail_header(m, &h, where, err);
	mail_header_clear(&h);
	return rc;
}

/* ---- sources ---- */

static int cannot_read(struct kith_err *err, const char *path)
{
	return kith_err_set(err, KITH_EINPUT, "FILE", "cannot read %s: %s",
			    path, strerror(errno));
}

/* Does the file start like an mbox ("From " on the first line)? */
static bool from_line(const char *p, const char *end)
{
	return end - p >= 5 && !memcmp(p, "From ", 5);
}

int app_mail_mbox(struct app_mail *m, const char *path, struct kith_err *err)
{
	struct stat sb;
	const char *data, *p, *end;
	size_t nth = 0;
	int fd, rc = KITH_OK;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb)) {
		rc = cannot_read(err, path);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (sb.st_size == 0) {
		close(fd);
		return KITH_OK;
	}
	data = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (data == MAP_FAILED)
		return cannot_read(err, path);
	end = data + sb.st_size;
	if (!from_line(data, end)) {
		munmap((void *)data, (size_t)sb.st_size);
		return kith_err_set(err, KITH_EINPUT, "FILE",
				    "%s: not an mbox (the first line should "
				    "start with \"From \")",
				    path);
	}
	madvise((void *)data, (size_t)sb.st_size, MADV_SEQUENTIAL);
	for (p = data; !rc && p < end;) {
		const char *hdr = memchr(p, '\n', (size_t)(end - p));
		const char *next;
		char where[300];

		hdr = hdr ? hdr + 1 : end;
		/* The next message starts at the next "\nFrom " (mboxrd and
		 * mboxo both quote a body's "From " as ">From "). One memmem
		 * over the body, not a memchr per line: 5% of an import. */
		next = hdr < end ? memmem(hdr, (size_t)(end - hdr), "\nFrom ", 6)
				 : NULL;
		next = next ? next + 1 : end;
		nth++;
		snprintf(where, sizeof(where), "%s: message %zu (byte %lld)",
			 path, nth, (long long)(p - data));
		rc = app_mail_raw(m, hdr, (size_t)(next - hdr), where, err);
		p = next;
	}
	munmap((void *)data, (size_t)sb.st_size);
	return rc;
}

/* Read the header of one message file: at most 1 MiB, up to the first
 * empty line (the body is never read past the block it shares). */
int app_mail_file(struct app_mail *m, const char *path, struct kith_err *err)
{
	enum { CHUNK = 16384, MAX = 1 << 20 };
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cannot_read(err, path);
	for (;;) {
		ssize_t got;

		if (len + CHUNK > cap) {
			char *g = realloc(buf, cap = len + CHUNK);

			if (!g) {
				free(buf);
				close(fd);
				return kith_err_nomem(err);
			}
			buf = g;
		}
		got = read(fd, buf + len, CHUNK);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = cannot_read(err, path);
			free(buf);
			close(fd);
			return rc;
		}
		len += (size_t)got;
		if (got == 0 || len >= MAX || mail_header_end(buf, len) < len)
			break;
	}
	close(fd);
	rc = app_mail_raw(m, buf, len, path, err);
	free(buf);
	return rc;
}

/* dir/name into buf; false when it does not fit (the entry is skipped:
 * no real mail folder nests 4 KiB deep). */
static bool path_join(char *buf, size_t n, const char *dir, const char *name)
{
	int k = snprintf(buf, n, "%s/%s", dir, name);

	return k > 0 && (size_t)k < n;
}

static bool is_dir(const char *path)
{
	struct stat sb;

	return !stat(path, &sb) && S_ISDIR(sb.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir (not . or ..), sorted so a run is repeatable.
 * *out NULL on error. */
static int list_dir(const char *dir, char ***out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t cnt = 0;

	*out = NULL;
	*n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char **g;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		g = realloc(v, (cnt + 1) * sizeof(*v));
		if (!g || !(g[cnt] = strdup(e->d_name))) {
			if (g)
				v = g;
			store_strings_free(v, cnt);
			closedir(d);
			return -2;
		}
		v = g;
		cnt++;
	}
	closedir(d);
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), cmp_str);
	*out = v;
	*n = cnt;
	return 0;
}

static int maildir_walk(struct app_mail *m, const char *dir, int depth,
			struct kith_err *err)
{
	static const char *const leaves[] = { "cur", "new" };
	char **ents = NULL, path[4096];
	size_t n = 0;
	int rc = KITH_OK;

	for (int l = 0; !rc && l < 2; l++) {
		char **files = NULL;
		size_t nf = 0;

		if (!path_join(path, sizeof(path), dir, leaves[l]) ||
		    !is_dir(path))
			continue;
		if (list_dir(path, &files, &nf) == -2)
			return kith_err_nomem(err);
		for (size_t i = 0; !rc && i < nf; i++) {
			char file[4096];

			if (files[i][0] == '.' ||
			    !path_join(file, sizeof(file), path, files[i]))
				continue;
			rc = app_mail_file(m, file, err);
			/* A message that vanished (moved by a mail client
			 * between the listing and the read) is no error. */
			if (rc == KITH_EINPUT && errno == ENOENT) {
				rc = KITH_OK;
				memset(err, 0, sizeof(*err));
			}
		}
		store_strings_free(files, nf);
	}
	if (rc || depth >= 8)
		return rc;
	if (list_dir(dir, &ents, &n) == -2)
		return kith_err_nomem(err);
	for (size_t i = 0; !rc && i < n; i++) {
		if (!strcmp(ents[i], "cur") || !strcmp(ents[i], "new") ||
		    !strcmp(ents[i], "tmp"))
			continue;
		if (path_join(path, sizeof(path), dir, ents[i]) &&
		    is_dir(path))
			rc = maildir_walk(m, path, depth + 1, err);
	}
	store_strings_free(ents, n);
	return rc;
}

int app_mail_maildir(struct app_mail *m, const char *dir,
		     struct kith_err *err)
{
	if (!is_dir(dir))
		return kith_err_set(err, KITH_EINPUT, "FILE",
				    "%s: not a Maildir folder", dir);
	return maildir_walk(m, dir, 0, err);
}

/* Does dir hold a Maildir: cur/ or new/ here or in a subfolder? */
static bool maildir_like(const char *dir, int depth)
{
	char path[4096], **ents = NULL;
	size_t n = 0;
	bool yes = false;

	if (path_join(path, sizeof(path), dir, "cur") && is_dir(path))
		return true;
	if (path_join(path, sizeof(path), dir, "new") && is_dir(path))
		return true;
	if (depth >= 2 || list_dir(dir, &ents, &n))
		return false;
	for (size_t i = 0; !yes && i < n; i++) {
		yes = path_join(path, sizeof(path), dir, ents[i]) &&
		      is_dir(path) && maildir_like(path, depth + 1);
	}
	store_strings_free(ents, n);
	return yes;
}

enum mail_source app_mail_sniff(const char *path)
{
	char head[5];
	ssize_t got;
	int fd;

	if (!path || !strcmp(path, "-"))
		return MAIL_SRC_NONE;
	if (is_dir(path))
		return maildir_like(path, 0) ? MAIL_SRC_MAILDIR : MAIL_SRC_NONE;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return MAIL_SRC_NONE;
	got = read(fd, head, sizeof(head));
	close(fd);
	return got == 5 && !memcmp(head, "From ", 5) ? MAIL_SRC_MBOX
						     : MAIL_SRC_NONE;
}

/* ---- suggestions ---- */

static int cmp_suggestion(const void *x, const void *y)
{
	const struct mail_suggestion *a = x, *b = y;

	if (a->score != b->score)
		return a->score < b->score ? 1 : -1;
	if (a->p.last_at != b->p.last_at)
		return a->p.last_at < b->p.last_at ? 1 : -1;
	return strcmp(a->p.addr ? a->p.addr : "", b->p.addr ? b->p.addr : "");
}

int app_mail_suggest(struct mail_suggestion **out, size_t *n,
		     struct app_ctx *ctx, size_t limit, struct kith_err *err)
{
	struct mail_peer *p = NULL;
	struct mail_suggestion *s = NULL;
	size_t np = 0, ns = 0;
	int rc;

	*out = NULL;
	*n = 0;
	/* Read more than asked: the score reorders what volume ranked. */
	rc = store_mail_peer_list(&p, &np, ctx->st, ctx->ws, 2,
				  limit * 4 > 1000 ? limit * 4 : 1000, err);
	if (rc)
		return rc;
	s = calloc(np ? np : 1, sizeof(*s));
	if (!s) {
		store_mail_peers_free(p, np);
		return kith_err_nomem(err);
	}
	for (size_t i = 0; i < np; i++) {
		/* Someone you never wrote to is not yet a relationship. */
		if (!p[i].n_out) {
			mail_peer_clear(&p[i]);
			continue;
		}
		s[ns].p = p[i];
		s[ns].reply_rate =
			p[i].n_in ? (p[i].n_out >= p[i].n_in
					     ? 1.0
					     : (double)p[i].n_out /
						       (double)p[i].n_in)
				  : 0.0;
		s[ns].score = (double)(p[i].n_in + p[i].n_out) *
			      (1.0 + s[ns].reply_rate);
		ns++;
	}
	free(p);
	qsort(s, ns, sizeof(*s), cmp_suggestion);
	while (ns > limit)
		mail_peer_clear(&s[--ns].p);
	*out = s;
	*n = ns;
	return KITH_OK;
}

void app_mail_suggestions_free(struct mail_suggestion *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mail_peer_clear(&s[i].p);
	free(s);
}
