/* book.c: kith export, import and demo: the whole book at once. */
#include "cli.h"
#include "../app/book.h"
#include "../app/demo.h"
#include "../app/import.h"
#include "../app/export.h"
#include "../input/book_json.h"
#include "../input/vcard.h"
#include "../render/json.h"
#include "../render/json_views.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* The sink of a file export: fwrite, a short write is KITH_EIO. */
static int file_sink(void *f, const char *buf, size_t len,
		     struct kith_err *err)
{
	if (fwrite(buf, 1, len, f) != len)
		return kith_err_set(err, KITH_EIO, "--output",
				    "cannot write: %s", strerror(errno));
	return KITH_OK;
}

/* vcard, csv or ics through app_export; JSON stays the book dump. */
static int export_file(struct cli *cl, const char *format, FILE *f)
{
	const char *v = cli_get(cl, "version");
	struct export_opts o = { 0 };
	int rc;

	if (!strcmp(format, "vcard"))
		o.format = EXPORT_VCARD;
	else if (!strcmp(format, "csv"))
		o.format = EXPORT_CSV;
	else
		o.format = EXPORT_ICS;
	o.version = VCARD_30;
	if (v && o.format != EXPORT_VCARD)
		return kith_err_set(&cl->err, KITH_EINPUT, "--version",
				    "--version is for --format vcard");
	if (v && !strcmp(v, "4.0"))
		o.version = VCARD_40;
	else if (v && strcmp(v, "3.0"))
		return kith_err_set(&cl->err, KITH_EINPUT, "--version",
				    "unknown vCard version \"%s\" (3.0, 4.0)",
				    v);
	store_read_begin(cl->app.st);
	rc = app_export(&cl->app, &o, file_sink, f, &cl->err);
	store_read_end(cl->app.st);
	return rc;
}

int cmd_export(struct cli *cl)
{
	static const struct cli_opt opts[] = {
		{ "format", true }, { "output", true }, { "version", true },
		{ NULL, false }
	};
	const char *path, *format;
	struct book b;
	char *text = NULL;
	FILE *f = stdout;
	int rc;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 0, 0);
	if (rc)
		return rc;
	format = cli_get(cl, "format") ? cli_get(cl, "format") : "json";
	if (strcmp(format, "json") && strcmp(format, "vcard") &&
	    strcmp(format, "csv") && strcmp(format, "ics"))
		return kith_err_set(&cl->err, KITH_EINPUT, "--format",
				    "unknown format \"%s\" (json, vcard, "
				    "csv, ics)",
				    format);
	if (!strcmp(format, "json")) {
		if (cli_get(cl, "version"))
			return kith_err_set(&cl->err, KITH_EINPUT, "--version",
					    "--version is for --format vcard");
		rc = app_book_load(&b, &cl->app, &cl->err);
		if (rc)
			return rc;
		text = kj_book_dump(&b);
		book_clear(&b);
		if (!text)
			return kith_err_nomem(&cl->err);
	}
	path = cli_get(cl, "output");
	if (path && !(f = fopen(path, "w"))) {
		rc = kith_err_set(&cl->err, KITH_EIO, "--output",
				  "cannot write %s: %s", path, strerror(errno));
		free(text);
		return rc;
	}
	if (text) {
		fputs(text, f);
		fputc('\n', f);
	} else {
		rc = export_file(cl, format, f);
	}
	if (fflush(f) && !rc)
		rc = kith_err_set(&cl->err, KITH_EIO, "--output",
				  "cannot write %s: %s",
				  path ? path : "standard output",
				  strerror(errno));
	if (path && fclose(f) && !rc)
		rc = kith_err_set(&cl->err, KITH_EIO, "--output",
				  "cannot write %s: %s", path, strerror(errno));
	/* A failed export leaves no half file behind. */
	if (rc && path)
		remove(path);
	free(text);
	return rc;
}

/* Read path ("-": stdin) whole into *out. cap non-zero: a file longer
 * than cap bytes is refused once cap is passed, not read to its end. */
static int read_file(struct cli *cl, const char *path, size_t lim,
		     char **out, size_t *n)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf = NULL;
	size_t cap = 0, len = 0;

	if (!f)
		return kith_err_set(&cl->err, KITH_EINPUT, "FILE",
				    "cannot read %s: %s", path,
				    strerror(errno));
	for (;;) {
		size_t got;

		if (len + 65536 > cap) {
			char *b = realloc(buf, cap = cap * 2 + 65536);

			if (!b) {
				free(buf);
				if (f != stdin)
					fclose(f);
				return kith_err_nomem(&cl->err);
			}
			buf = b;
		}
		got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0 || (lim && len > lim))
			break;
	}
	if (f != stdin)
		fclose(f);
	if (lim && len > lim) {
		free(buf);
		kith_err_set(&cl->err, KITH_EINPUT, NULL,
			     "file larger than %zu MiB", lim >> 20);
		kith_err_at(&cl->err, path, 0);
		return KITH_EINPUT;
	}
	buf[len] = '\0';
	*out = buf;
	*n = len;
	return KITH_OK;
}

enum in_format { IN_NONE, IN_JSON, IN_VCARD, IN_CSV };

static bool ends_with_ci(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcasecmp(s + n - t, tail);
}

/* The format --format names, else the file's extension says. */
static int import_format(struct cli *cl, const char *path, enum in_format *out)
{
	const char *f = cli_get(cl, "format");

	*out = IN_NONE;
	if (f) {
		if (!strcmp(f, "json"))
			*out = IN_JSON;
		else if (!strcmp(f, "vcard"))
			*out = IN_VCARD;
		else if (!strcmp(f, "csv"))
			*out = IN_CSV;
		else
			return kith_err_set(&cl->err, KITH_EINPUT, "--format",
					    "unknown format \"%s\" (json, "
					    "vcard, csv)",
					    f);
	} else if (ends_with_ci(path, ".vcf") || ends_with_ci(path, ".vcard")) {
		*out = IN_VCARD;
	} else if (ends_with_ci(path, ".csv")) {
		*out = IN_CSV;
	} else if (ends_with_ci(path, ".json")) {
		*out = IN_JSON;
	}
	return KITH_OK;
}

/* No --format and no telling extension: a book starts with '{', a
 * vCard with BEGIN:VCARD; anything else must be named. */
static int sniff_format(struct cli *cl, const char *path, const char *text,
			size_t len, enum in_format *out)
{
	size_t i = 0;

	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < len && strchr(" \t\r\n", text[i]))
		i++;
	if (i < len && text[i] == '{')
		*out = IN_JSON;
	else if (len - i >= 11 && !strncasecmp(text + i, "BEGIN:VCARD", 11))
		*out = IN_VCARD;
	else
		return kith_err_set(&cl->err, KITH_EINPUT, "--format",
				    "cannot tell what %s holds: name it with "
				    "--format json, vcard or csv",
				    strcmp(path, "-") ? path : "stdin");
	return KITH_OK;
}

static int import_book(struct cli *cl, const char *text, size_t len)
{
	struct book b;
	int rc;

	if (cli_has(cl, "dry-run") || cli_has(cl, "skip-bad") ||
	    cli_get(cl, "map"))
		return kith_err_set(&cl->err, KITH_EINPUT, "FILE",
				    "--dry-run, --skip-bad and --map are for "
				    "vCard and CSV files; a JSON book is "
				    "restored whole");
	rc = book_parse_json(&b, text, len, cl->pos[0], &cl->err);
	if (rc)
		return rc;
	rc = app_book_restore(&cl->app, &b, cl->pos[0], &cl->err);
	if (!rc && cl->json)
		kj_print(json_pack("{s:I, s:I, s:I}", "contacts",
				     (json_int_t)b.n_contacts, "touchpoints",
				     (json_int_t)b.n_touches, "organizations",
				     (json_int_t)b.n_orgs));
	else if (!rc)
		printf("Imported %zu contacts, %zu touchpoints, %zu "
		       "organizations from %s\n",
		       b.n_contacts, b.n_touches, b.n_orgs, cl->pos[0]);
	book_clear(&b);
	return rc;
}

static void progress_bar(void *p, uint64_t done, uint64_t total);

/* A bar for a big import only: a small one is over before it shows. */
static void import_bar(void *p, uint64_t done, uint64_t total)
{
	if (total > 2000)
		progress_bar(p, done, total);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.vcf (and *.vcard) in dir, as paths, sorted. */
static int dir_cards(struct cli *cl, const char *dir, struct strlist *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = KITH_OK;

	if (!d)
		return kith_err_set(&cl->err, KITH_EINPUT, "FILE",
				    "cannot read %s: %s", dir, strerror(errno));
	while (!rc && (e = readdir(d))) {
		char path[4096];

		if (e->d_name[0] == '.' || !(ends_with_ci(e->d_name, ".vcf") ||
					     ends_with_ci(e->d_name, ".vcard")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (strlist_push(out, path))
			rc = kith_err_nomem(&cl->err);
	}
	closedir(d);
	if (!rc && !out->n)
		rc = kith_err_set(&cl->err, KITH_EINPUT, "FILE",
				  "no .vcf files in %s", dir);
	if (!rc)
		qsort(out->v, out->n, sizeof(*out->v), by_name);
	return rc;
}

static void import_print(const struct import_report *r, const char *from)
{
	bool dry = r->dry_run;

	printf("%s %zu contacts from %s: %zu created, %zu merged, %zu "
	       "unchanged",
	       dry ? "Would import" : "Imported",
	       r->created + r->merged + r->unchanged, from, r->created,
	       r->merged, r->unchanged);
	if (r->skipped)
		printf(", %zu skipped", r->skipped);
	putchar('\n');
	for (size_t i = 0; i < r->n_items; i++) {
		const struct import_item *it = &r->items[i];

		if (it->action == IMPORT_MERGED)
			printf("  %s %s:%d %s into #%lld (same %s): %s\n",
			       dry ? "would merge" : "merged", it->file,
			       it->line, it->name ? it->name : "",
			       (long long)it->contact_id, it->matched_by,
			       it->reason ? it->reason : "");
		else if (it->action == IMPORT_SKIPPED)
			printf("  %s %s\n", dry ? "would skip" : "skipped",
			       it->reason ? it->reason : "");
	}
	if (r->unknown.n) {
		printf("Columns kith does not know, kept on each card:");
		for (size_t i = 0; i < r->unknown.n; i++)
			printf("%s \"%s\"", i ? "," : "", r->unknown.v[i]);
		putchar('\n');
	}
}

static int import_cards(struct cli *cl, enum in_format fmt, char *text,
			size_t len, const struct strlist *files)
{
	struct import_opts o = { cli_has(cl, "dry-run"),
				 cli_has(cl, "skip-bad"), cli_get(cl, "map") };
	struct import_report rep;
	struct import_source *srcs;
	size_t n = files->n ? files->n : 1;
	int rc = KITH_OK;

	if (o.map && fmt != IN_CSV)
		return kith_err_set(&cl->err, KITH_EINPUT, "--map",
				    "--map names the columns of a CSV file");
	srcs = calloc(n, sizeof(*srcs));
	if (!srcs)
		return kith_err_nomem(&cl->err);
	import_report_init(&rep);
	if (!files->n)
		srcs[0] = (struct import_source){
			strcmp(cl->pos[0], "-") ? cl->pos[0] : "stdin", text,
			len, fmt == IN_CSV ? IMPORT_CSV : IMPORT_VCARD
		};
	for (size_t i = 0; !rc && i < files->n; i++) {
		char *t;
		size_t l;

		rc = read_file(cl, files->v[i], VCARD_MAX_FILE, &t, &l);
		if (!rc)
			srcs[i] = (struct import_source){ files->v[i], t, l,
							  IMPORT_VCARD };
	}
	if (!rc)
		rc = app_import(&cl->app, srcs, n, &o,
				isatty(STDERR_FILENO) ? import_bar : NULL,
				"importing", &rep, &cl->err);
	if (!rc && cl->json)
		kj_print(kj_import_report(&rep, files->n > 0));
	else if (!rc)
		import_print(&rep, srcs[0].name && !files->n ? srcs[0].name
							      : cl->pos[0]);
	for (size_t i = 0; i < files->n; i++)
		free((char *)srcs[i].text);
	free(srcs);
	import_report_clear(&rep);
	return rc;
}

int cmd_import(struct cli *cl)
{
	static const struct cli_opt opts[] = {
		{ "format", true },    { "map", true },	     { "dry-run", false },
		{ "skip-bad", false }, { NULL, false }
	};
	struct strlist files = { 0 };
	enum in_format fmt;
	struct stat sb;
	const char *path;
	char *text = NULL;
	size_t len = 0;
	int rc;

	/* Mail (an mbox file, a Maildir) goes to cli/mail.c. */
	if (cli_mail_import_wants(cl))
		return cmd_mail_import(cl);
	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 1, 1);
	if (rc)
		return rc;
	path = cl->pos[0];
	rc = import_format(cl, path, &fmt);
	if (rc)
		return rc;
	if (strcmp(path, "-") && !stat(path, &sb) && S_ISDIR(sb.st_mode)) {
		if (fmt != IN_NONE && fmt != IN_VCARD)
			return kith_err_set(&cl->err, KITH_EINPUT, "FILE",
					    "%s is a folder: its .vcf files "
					    "are read as vCard",
					    path);
		rc = dir_cards(cl, path, &files);
		if (!rc)
			rc = import_cards(cl, IN_VCARD, NULL, 0, &files);
		strlist_clear(&files);
		return rc;
	}
	/* A book has no size limit of its own here (book_json counts its
	 * items); cards do. */
	rc = read_file(cl, path, fmt == IN_JSON ? 0 : VCARD_MAX_FILE, &text,
		       &len);
	if (!rc && fmt == IN_NONE)
		rc = sniff_format(cl, path, text, len, &fmt);
	if (!rc && fmt == IN_JSON)
		rc = import_book(cl, text, len);
	else if (!rc)
		rc = import_cards(cl, fmt, text, len, &files);
	free(text);
	return rc;
}

/* p: what is being done ("importing"); NULL is the demo's "seeding". */
static void progress_bar(void *p, uint64_t done, uint64_t total)
{
	int width = 40, fill = total ? (int)(done * width / total) : width;

	fprintf(stderr, "\r  %s [", p ? (const char *)p : "seeding");
	for (int i = 0; i < width; i++)
		fputs(i < fill ? "#" : " ", stderr);
	fprintf(stderr, "] %3d%%", total ? (int)(done * 100 / total) : 100);
	if (done >= total)
		fputc('\n', stderr);
	fflush(stderr);
}

int cmd_demo(struct cli *cl)
{
	static const struct cli_opt opts[] = {
		{ "contacts", true }, { "touches", true }, { NULL, false }
	};
	long contacts, touches;
	bool empty;
	int rc;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 0, 0);
	if (!rc)
		rc = cli_int(&contacts, cl, "contacts", 1, 100000000, 0);
	if (!rc)
		rc = cli_int(&touches, cl, "touches", 0, 1000000000,
			     contacts * 10);
	if (!rc)
		rc = store_workspace_empty(&empty, cl->app.st, cl->app.ws,
					   &cl->err);
	if (rc)
		return rc;
	if (!empty)
		return kith_err_set(&cl->err, KITH_ECONFLICT, "--workspace",
				    "the workspace already holds contacts; "
				    "seed the demo into a new one "
				    "(--workspace Demo)");
	if (contacts) {
		rc = demo_seed_big(&cl->app, (uint64_t)contacts,
				   (uint64_t)touches,
				   isatty(STDERR_FILENO) ? progress_bar : NULL,
				   NULL, &cl->err);
		if (!rc)
			rc = store_analyze(cl->app.st, &cl->err);
	} else {
		rc = demo_seed_small(&cl->app, &cl->err);
	}
	if (rc)
		return rc;
	if (cl->json)
		kj_print(json_pack("{s:b}", "seeded", 1));
	else if (contacts)
		printf("Seeded %ld contacts and %ld touchpoints\n", contacts,
		       touches);
	else
		printf("Seeded the demo book. Try: kith due\n");
	return KITH_OK;
}
