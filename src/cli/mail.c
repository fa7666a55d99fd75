/* mail.c: kith mail (add, list, remove, sync, watch, suggest, alias) and
 * the mbox and Maildir sources of kith import. */
#include "cli.h"
#include "../app/imap.h"
#include "../app/mail.h"
#include "../render/json_mail.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

static void print_tally(const struct mail_tally *t, bool dry)
{
	printf("%s %zu message%s: %zu touch%s, %zu signal%s, %zu "
	       "answered; %zu already seen, %zu lists or automatic, %zu "
	       "from people not in the book%s\n",
	       dry ? "Would read" : "Read", t->read, t->read == 1 ? "" : "s",
	       t->touches, t->touches == 1 ? "" : "es", t->signals,
	       t->signals == 1 ? "" : "s", t->answered, t->dup, t->bulk,
	       t->unknown, dry ? " (dry run: nothing written)" : "");
}

static void warn_bad(const char *cmd, const struct mail_tally *t)
{
	if (t->bad)
		fprintf(stderr,
			"kith %s: skipped %zu message%s without a usable "
			"header (first: %s)\n",
			cmd, t->bad, t->bad == 1 ? "" : "s", t->first_bad);
}

bool cli_mail_import_wants(const struct cli *cl)
{
	for (int i = 0; i < cl->argc; i++)
		if (cl->argv[i][0] != '-')
			return app_mail_sniff(cl->argv[i]) != MAIL_SRC_NONE;
	return false;
}

/* kith import FILE.mbox | MAILDIR [--dry-run] [--me ADDR]: one
 * transaction (main's); --dry-run runs it all in a savepoint and undoes
 * it, so the counts are what a real run would make. */
int cmd_mail_import(struct cli *cl)
{
	static const struct cli_opt opts[] = {
		{ "dry-run", false }, { "me", true }, { NULL, false }
	};
	struct app_mail m = { 0 };
	enum mail_source src;
	bool dry;
	int rc;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 1, 1);
	if (rc)
		return rc;
	dry = cli_has(cl, "dry-run");
	src = app_mail_sniff(cl->pos[0]);
	if (dry) {
		rc = store_savepoint(cl->app.st, &cl->err);
		if (rc)
			return rc;
	}
	rc = app_mail_begin(&m, &cl->app, cli_get(cl, "me"), 0, &cl->err);
	if (!rc)
		rc = src == MAIL_SRC_MAILDIR
			     ? app_mail_maildir(&m, cl->pos[0], &cl->err)
			     : app_mail_mbox(&m, cl->pos[0], &cl->err);
	if (dry) {
		store_savepoint_undo(cl->app.st);
		store_savepoint_release(cl->app.st);
	}
	if (!rc) {
		if (cl->json) {
			json_t *j = kj_mail_tally(&m.tally);

			if (j)
				json_object_set_new(j, "dry_run",
						    json_boolean(dry));
			rc = kj_print(j);
		} else {
			print_tally(&m.tally, dry);
		}
		fflush(stdout);
		warn_bad("import", &m.tally);
	}
	app_mail_end(&m);
	return rc;
}

static int find_user(struct cli *cl, int64_t *id)
{
	const char *email = cli_get(cl, "user");
	struct user u = { 0 };
	int rc;

	*id = 0;
	if (!email)
		return KITH_OK;
	rc = store_user_by_email(&u, cl->app.st, email, &cl->err);
	if (!rc && u.workspace_id != cl->app.ws)
		rc = KITH_ENOTFOUND;
	if (rc == KITH_ENOTFOUND)
		rc = kith_err_set(&cl->err, KITH_ENOTFOUND, "--user",
				  "no user %s in this workspace", email);
	if (!rc)
		*id = u.id;
	user_clear(&u);
	return rc;
}

static int read_secret(struct cli *cl, char *buf, size_t n)
{
	size_t len;

	if (!fgets(buf, (int)n, stdin))
		return kith_err_set(&cl->err, KITH_EINPUT, "--password-stdin",
				    "no password on standard input");
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	if (!len)
		return kith_err_set(&cl->err, KITH_EINPUT, "--password-stdin",
				    "the password is empty");
	return KITH_OK;
}

static const struct cli_field add_fields[] = { { "url", "URL" },
					       { "address", "--address" },
					       { "password", "--password-stdin" },
					       { NULL, NULL } };

/* kith mail add URL [--folders A,B] [--password-stdin]: without a
 * password on standard input, another folder of an account already
 * here takes that account's. */
static int mail_add(struct cli *cl)
{
	struct mail_key key;
	struct mailbox *mb = NULL;
	size_t n = 0;
	char pw[1024];
	bool has_pw = cli_has(cl, "password-stdin");
	int64_t uid;
	int rc;

	rc = find_user(cl, &uid);
	if (!rc && has_pw)
		rc = read_secret(cl, pw, sizeof(pw));
	if (!rc)
		rc = mail_key_load(&key, cl->db_path, true, &cl->err);
	if (!rc)
		rc = store_begin(cl->app.st, &cl->err);
	if (!rc) {
		rc = app_mailbox_add_folders(
		    &mb, &n, &cl->app, &key, cl->pos[1],
		    cli_get(cl, "folders"), has_pw ? pw : NULL,
		    cli_get(cl, "address"), cli_get(cl, "cacert"), uid,
		    &cl->err);
		rc = cli_fields(cl, rc, add_fields);
		if (!rc)
			rc = store_commit(cl->app.st, &cl->err);
		else
			store_rollback(cl->app.st);
	}
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(&key, sizeof(key));
	if (!rc && cl->json) {
		json_t *a = cli_get(cl, "folders") ? json_array() : NULL;

		if (!a) {
			rc = kj_print(kj_mailbox(&mb[0]));
		} else {
			for (size_t i = 0; i < n; i++)
				json_array_append_new(a, kj_mailbox(&mb[i]));
			rc = kj_print(a);
		}
	} else if (!rc) {
		for (size_t i = 0; i < n; i++)
			printf("Added mailbox %lld: %s%s%s%s%s\n",
			       (long long)mb[i].id, mb[i].url,
			       *mb[i].address ? " as " : "", mb[i].address,
			       has_pw || i ? "" : ", with the account's password",
			       n == 1 ? ". Fetch it now: kith mail sync" : "");
		if (n > 1)
			printf("Fetch them now: kith mail sync\n");
	}
	app_mailboxes_free(mb, n);
	return rc;
}

static void print_mailbox(const struct mailbox *m, kith_time now)
{
	char rel[64];

	printf("%5lld  %s", (long long)m->id, m->url);
	if (m->last_sync == KITH_NO_TIME)
		printf("  never synced");
	else
		printf("  synced %s, %lld messages",
		       kith_time_relative(m->last_sync, now, rel, sizeof(rel)),
		       (long long)m->messages);
	if (m->last_error)
		printf("  error: %s", m->last_error);
	putchar('\n');
}

static int mail_list(struct cli *cl)
{
	struct mailbox *m = NULL;
	size_t n = 0;
	json_t *a;
	int rc;

	rc = store_mailbox_list(&m, &n, cl->app.st, cl->app.ws, &cl->err);
	if (rc)
		return rc;
	if (cl->json) {
		a = json_array();
		for (size_t i = 0; a && i < n; i++)
			json_array_append_new(a, kj_mailbox(&m[i]));
		rc = kj_print(a);
	} else if (!n) {
		printf("No mailboxes. Add your INBOX and Sent: kith mail "
		       "add imaps://you@mail.example --folders INBOX,Sent "
		       "--password-stdin\n");
	}
	for (size_t i = 0; !cl->json && i < n; i++)
		print_mailbox(&m[i], cl->app.now);
	store_mailboxes_free(m, n);
	return rc;
}

static int parse_id(struct cli *cl, const char *s, int64_t *id)
{
	char *e;
	long long v = strtoll(s, &e, 10);

	if (!*s || *e || v <= 0)
		return kith_err_set(&cl->err, KITH_EINPUT, "ID",
				    "expected a mailbox number (kith mail "
				    "list), got \"%s\"",
				    s);
	*id = v;
	return KITH_OK;
}

static int mail_remove(struct cli *cl)
{
	int64_t id;
	int rc = parse_id(cl, cl->pos[1], &id);

	if (!rc)
		rc = store_begin(cl->app.st, &cl->err);
	if (rc)
		return rc;
	rc = store_mailbox_delete(cl->app.st, cl->app.ws, id, &cl->err);
	if (!rc)
		rc = store_commit(cl->app.st, &cl->err);
	else
		store_rollback(cl->app.st);
	if (!rc && !cl->json)
		printf("Removed mailbox %lld\n", (long long)id);
	else if (!rc)
		rc = kj_print(json_pack("{s:I}", "removed", (json_int_t)id));
	return rc;
}

/* Sync every mailbox (or one): each on its own, so one failing does not
 * stop the others; the exit status says whether all went through. */
static int mail_sync(struct cli *cl)
{
	struct mailbox *m = NULL;
	struct mail_key key;
	size_t n = 0, failed = 0;
	int64_t only = 0;
	json_t *a = cl->json ? json_array() : NULL;
	struct kith_err first = { 0 };
	bool dry = cli_has(cl, "dry-run");
	int rc;

	if (cl->npos == 2) {
		rc = parse_id(cl, cl->pos[1], &only);
		if (rc)
			return rc;
	}
	rc = store_mailbox_list(&m, &n, cl->app.st, cl->app.ws, &cl->err);
	if (!rc && !n)
		rc = kith_err_set(&cl->err, KITH_EINPUT, NULL,
				  "no mailboxes to sync (kith mail add)");
	if (!rc)
		rc = mail_key_load(&key, cl->db_path, false, &cl->err);
	for (size_t i = 0; !rc && i < n; i++) {
		struct mail_tally t = { 0 };
		struct kith_err e = { 0 };
		int r;

		if (only && m[i].id != only)
			continue;
		r = dry ? app_mailbox_sync_dry(cl->app.st, &key, &m[i],
					       cl->app.now, &t, &e)
			: app_mailbox_sync(cl->app.st, &key, &m[i],
					   cl->app.now, &t, &e);
		fflush(stdout);
		if (r) {
			if (!failed++)
				first = e;
			fprintf(stderr, "kith mail sync: mailbox %lld: %s\n",
				(long long)m[i].id, e.msg);
		} else {
			warn_bad("mail sync", &t);
		}
		if (a) {
			json_t *o = kj_mailbox(&m[i]);

			json_t *made = kj_mail_tally(&t);

			if (made)
				json_object_set_new(made, "dry_run",
						    json_boolean(dry));
			json_object_set_new(o, "made", made);
			json_array_append_new(a, o);
		} else if (!r) {
			printf("%lld  %s: ", (long long)m[i].id, m[i].url);
			print_tally(&t, dry);
		}
		fflush(stdout);
	}
	if (!rc && only) {
		bool found = false;

		for (size_t i = 0; i < n; i++)
			found = found || m[i].id == only;
		if (!found)
			rc = kith_err_set(&cl->err, KITH_ENOTFOUND, "ID",
					  "no mailbox %lld", (long long)only);
	}
	sodium_memzero(&key, sizeof(key));
	store_mailboxes_free(m, n);
	if (a && !rc)
		rc = kj_print(a);
	else
		json_decref(a);
	if (!rc && failed) {
		cl->err = first;
		rc = kith_err_set(&cl->err, KITH_EIO, NULL,
				  "%zu mailbox%s failed (the others synced)",
				  failed, failed == 1 ? "" : "es");
	}
	return rc;
}

static volatile sig_atomic_t watch_stop;

static void on_stop(int sig)
{
	(void)sig;
	watch_stop = 1;
}

struct watches {
	char **paths;		/* by watch descriptor */
	size_t n;
};

/* Watch cur/ and new/ of dir and of its subfolders (depth 8): a mail
 * program moves a delivered message into new/ (or cur/) by rename. */
static int watch_add(int fd, const char *dir, int depth, struct watches *w)
{
	static const char *const leaves[] = { "cur", "new" };
	char path[PATH_MAX];
	DIR *d;
	struct dirent *e;

	for (int l = 0; l < 2; l++) {
		int wd;

		if (snprintf(path, sizeof(path), "%s/%s", dir, leaves[l]) >=
		    (int)sizeof(path))
			continue;
		wd = inotify_add_watch(fd, path, IN_MOVED_TO | IN_CLOSE_WRITE);
		if (wd < 0)
			continue;
		if ((size_t)wd >= w->n) {
			char **g = realloc(w->paths,
					   ((size_t)wd + 1) * sizeof(*g));

			if (!g)
				return -1;
			memset(g + w->n, 0,
			       ((size_t)wd + 1 - w->n) * sizeof(*g));
			w->paths = g;
			w->n = (size_t)wd + 1;
		}
		free(w->paths[wd]);
		w->paths[wd] = strdup(path);
		if (!w->paths[wd])
			return -1;
	}
	if (depth >= 8 || !(d = opendir(dir)))
		return 0;
	while ((e = readdir(d))) {
		struct stat sb;

		if (e->d_name[0] == '.' &&
		    (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		if (!strcmp(e->d_name, "cur") || !strcmp(e->d_name, "new") ||
		    !strcmp(e->d_name, "tmp"))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
			    (int)sizeof(path) ||
		    stat(path, &sb) || !S_ISDIR(sb.st_mode))
			continue;
		if (watch_add(fd, path, depth + 1, w)) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

/* One message file (or a whole Maildir) in one transaction. */
static int watch_take(struct cli *cl, const char *path, bool all,
		      struct mail_tally *t)
{
	struct app_mail m = { 0 };
	int rc;

	rc = kith_now(&cl->app.now, &cl->err);
	if (!rc)
		rc = store_begin(cl->app.st, &cl->err);
	if (rc)
		return rc;
	rc = app_mail_begin(&m, &cl->app, cli_get(cl, "address"), 0,
			    &cl->err);
	if (!rc)
		rc = all ? app_mail_maildir(&m, path, &cl->err)
			 : app_mail_file(&m, path, &cl->err);
	if (!rc)
		rc = store_commit(cl->app.st, &cl->err);
	else
		store_rollback(cl->app.st);
	*t = m.tally;
	app_mail_end(&m);
	return rc;
}

/* kith mail watch DIR: catch up once, then take each message as it
 * lands, each in its own transaction, until SIGINT or SIGTERM. */
static int mail_watch(struct cli *cl)
{
	struct watches w = { 0 };
	struct mail_tally t;
	struct sigaction sa = { 0 };
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	int fd, rc;

	if (app_mail_sniff(cl->pos[1]) != MAIL_SRC_MAILDIR)
		return kith_err_set(&cl->err, KITH_EINPUT, "DIR",
				    "%s: not a Maildir (no cur/ or new/)",
				    cl->pos[1]);
	fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd < 0)
		return kith_err_set(&cl->err, KITH_EIO, NULL, "inotify: %s",
				    strerror(errno));
	/* Watch first, then catch up: nothing lands in between unseen (a
	 * message seen twice is one touch). */
	if (watch_add(fd, cl->pos[1], 0, &w)) {
		rc = kith_err_nomem(&cl->err);
		goto done;
	}
	rc = watch_take(cl, cl->pos[1], true, &t);
	if (rc)
		goto done;
	print_tally(&t, false);
	fprintf(stderr, "kith mail watch: watching %s (Ctrl-C to stop)\n",
		cl->pos[1]);
	fflush(stdout);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!watch_stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t len;

		if (poll(&p, 1, 500) <= 0)
			continue;
		len = read(fd, buf, sizeof(buf));
		for (char *q = buf; len > 0 && q < buf + len;) {
			struct inotify_event *ev = (struct inotify_event *)q;
			char path[PATH_MAX];

			q += sizeof(*ev) + ev->len;
			if (!ev->len || ev->name[0] == '.' || ev->wd < 0 ||
			    (size_t)ev->wd >= w.n || !w.paths[ev->wd] ||
			    snprintf(path, sizeof(path), "%s/%s",
				     w.paths[ev->wd],
				     ev->name) >= (int)sizeof(path))
				continue;
			rc = watch_take(cl, path, false, &t);
			if (rc)
				goto done;
			printf("%s: %zu touch%s, %zu signal%s, %zu answered%s\n",
			       path, t.touches, t.touches == 1 ? "" : "es",
			       t.signals, t.signals == 1 ? "" : "s",
			       t.answered, t.dup ? " (seen before)" : "");
			fflush(stdout);
		}
	}
done:
	for (size_t i = 0; i < w.n; i++)
		free(w.paths[i]);
	free(w.paths);
	close(fd);
	return rc;
}

static int mail_suggest(struct cli *cl)
{
	struct mail_suggestion *s = NULL;
	size_t n = 0;
	long limit;
	int rc;

	rc = cli_int(&limit, cl, "limit", 1, 1000, 20);
	if (!rc)
		rc = app_mail_suggest(&s, &n, &cl->app, (size_t)limit,
				      &cl->err);
	if (rc)
		return rc;
	if (cl->json) {
		json_t *a = json_array();

		for (size_t i = 0; a && i < n; i++)
			json_array_append_new(a, kj_mail_suggestion(&s[i]));
		rc = kj_print(a);
	} else if (!n) {
		printf("No suggestions yet: nobody outside the book has "
		       "written back and forth with you.\n");
	}
	for (size_t i = 0; !cl->json && i < n; i++)
		printf("%-32s %-24s %3lld in %3lld out  replied %3.0f%%\n",
		       s[i].p.addr, s[i].p.name ? s[i].p.name : "",
		       (long long)s[i].p.n_in, (long long)s[i].p.n_out,
		       s[i].reply_rate * 100);
	if (!cl->json && n)
		printf("Add one: kith add NAME --email ADDRESS\n");
	app_mail_suggestions_free(s, n);
	return rc;
}

static int mail_alias(struct cli *cl)
{
	char **v = NULL;
	size_t n = 0;
	int rc = KITH_OK;

	if (cl->npos == 3 && (!strcmp(cl->pos[1], "add") ||
			      !strcmp(cl->pos[1], "remove"))) {
		if (!strchr(cl->pos[2], '@'))
			return kith_err_set(&cl->err, KITH_EINPUT, "ADDRESS",
					    "expected an address like "
					    "ana@example.org");
		rc = store_begin(cl->app.st, &cl->err);
		if (rc)
			return rc;
		rc = cl->pos[1][0] == 'a'
			     ? store_mail_alias_add(cl->app.st, cl->app.ws,
						    cl->pos[2], &cl->err)
			     : store_mail_alias_remove(cl->app.st, cl->app.ws,
						       cl->pos[2], &cl->err);
		if (!rc)
			rc = store_commit(cl->app.st, &cl->err);
		else
			store_rollback(cl->app.st);
		if (rc)
			return rc;
	} else if (cl->npos != 1) {
		return kith_err_set(&cl->err, KITH_EINPUT, NULL,
				    "usage: kith mail alias [add|remove "
				    "ADDRESS]");
	}
	rc = store_mail_alias_list(&v, &n, cl->app.st, cl->app.ws, &cl->err);
	if (rc)
		return rc;
	if (cl->json) {
		json_t *a = json_array();

		for (size_t i = 0; a && i < n; i++)
			json_array_append_new(a, json_string(v[i]));
		rc = kj_print(a);
	} else {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", v[i]);
		if (!n)
			printf("No aliases: your own addresses are the "
			       "users' and the mailboxes'.\n");
	}
	store_strings_free(v, n);
	return rc;
}

int cmd_mail(struct cli *cl)
{
	static const struct cli_opt opts[] = {
		{ "password-stdin", false }, { "address", true },
		{ "cacert", true },	     { "user", true },
		{ "limit", true },	     { "folders", true },
		{ "dry-run", false },	     { NULL, false }
	};
	const char *sub;
	int rc;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 1, 3);
	if (rc)
		return rc;
	sub = cl->pos[0];
	if (!strcmp(sub, "add") && cl->npos == 2)
		return mail_add(cl);
	if (!strcmp(sub, "list") && cl->npos == 1)
		return mail_list(cl);
	if (!strcmp(sub, "remove") && cl->npos == 2)
		return mail_remove(cl);
	if (!strcmp(sub, "sync") && cl->npos <= 2)
		return mail_sync(cl);
	if (!strcmp(sub, "watch") && cl->npos == 2)
		return mail_watch(cl);
	if (!strcmp(sub, "suggest") && cl->npos == 1)
		return mail_suggest(cl);
	if (!strcmp(sub, "alias"))
		return mail_alias(cl);
	return kith_err_set(&cl->err, KITH_EINPUT, NULL,
			    "expected add URL, list, remove ID, sync [ID], "
			    "watch DIR, suggest or alias (see kith mail "
			    "--help)");
}
