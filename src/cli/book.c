/* book.c: kith export, import and demo: the whole book at once. */
#include "cli.h"
#include "../app/book.h"
#include "../app/demo.h"
#include "../app/export.h"
#include "../input/book_json.h"
#include "../render/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int check_format(struct cli *cl)
{
	const char *f = cli_get(cl, "format");

	if (f && strcmp(f, "json"))
		return kith_err_set(&cl->err, KITH_EINPUT, "--format",
				    "unknown format \"%s\" (json)", f);
	return KITH_OK;
}

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
		rc = app_book_load(&cl->app, &b, &cl->err);
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

static int read_file(struct cli *cl, const char *path, char **out,
		     size_t *n)
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
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (f != stdin)
		fclose(f);
	*out = buf;
	*n = len;
	return KITH_OK;
}

int cmd_import(struct cli *cl)
{
	static const struct cli_opt opts[] = { { "format", true },
					       { NULL, false } };
	struct book b;
	char *text = NULL;
	size_t len = 0;
	int rc;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 1, 1);
	if (!rc)
		rc = check_format(cl);
	if (!rc)
		rc = read_file(cl, cl->pos[0], &text, &len);
	if (rc)
		return rc;
	rc = book_parse_json(&b, text, len, cl->pos[0], &cl->err);
	free(text);
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

static void progress_bar(void *p, uint64_t done, uint64_t total)
{
	int width = 40, fill = total ? (int)(done * width / total) : width;

	(void)p;
	fprintf(stderr, "\r  seeding [");
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
		rc = cli_int(cl, "contacts", 1, 100000000, 0, &contacts);
	if (!rc)
		rc = cli_int(cl, "touches", 0, 1000000000, contacts * 10,
			     &touches);
	if (!rc)
		rc = store_workspace_empty(cl->app.st, cl->app.ws, &empty,
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
