/*
 * bench_vcard.c: vCard import and export throughput on generated cards.
 *   bench_vcard [N] [mode]   N cards (100000), mode one of
 *     parse    vcard_parse_each only (streaming, one card in memory)
 *     import   vcard_parse_each + vcard_to_contact per card
 *     whole    vcard_parse of the whole file into one arena
 *     export   import into memory, then vcard_write_contact of all
 *     db       import into a fresh SQLite book (app_contact_add and
 *              the dates, one transaction), then time `kith export
 *              --format vcard` (app_export, keyset pages) to a sink
 *              that only counts bytes: the export from the database
 * Prints cards/s and the peak RSS of the process (run one mode per
 * process so the peaks do not mix).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "app/contact.h"
#include "app/export.h"
#include "input/vcard.h"
#include "render/vcard.h"

#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* A card as iOS writes them: groups, labels, a year-less birthday. */
static char *generate(size_t n, size_t *len)
{
	size_t cap = n * 700 + 1, o = 0;
	char *b = malloc(cap);

	if (!b)
		return NULL;
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(
			b + o, cap - o,
			"BEGIN:VCARD\r\nVERSION:3.0\r\n"
			"PRODID:-//Apple Inc.//iPhone OS 17.4//EN\r\n"
			"N:Lindqvist-%zu;Åsa;;;\r\n"
			"FN:Åsa Lindqvist-%zu\r\n"
			"ORG:Nordlys AB;Research\r\n"
			"TITLE:Engineer\r\n"
			"item1.EMAIL;type=INTERNET;type=pref:asa%zu@nordlys."
			"example\r\n"
			"item1.X-ABLabel:_$!<Other>!$_\r\n"
			"TEL;type=CELL;type=VOICE;type=pref:+46 70 %03zu %02zu "
			"%02zu\r\n"
			"item2.ADR;type=HOME:;;Storgatan %zu;Stockholm;;111 "
			"22;Sweden\r\n"
			"BDAY;X-APPLE-OMIT-YEAR=1604:1604-%02zu-%02zu\r\n"
			"NOTE:Met at the Nordic conference\\, 2024.\\nLikes "
			"long walks and longer notes that get folded at seven"
			"ty-f\r\n ive octets.\r\n"
			"UID:%08zx-4c5e-9a8b-1c2d3e4f5a6b\r\n"
			"END:VCARD\r\n",
			i, i, i, i % 1000, i % 100, i / 100 % 100, i % 200,
			i % 12 + 1, i % 28 + 1, i);
	*len = o;
	return b;
}

static int on_card(const struct vcard *c, void *ctx, struct kith_err *err)
{
	(void)c;
	(void)err;
	(*(size_t *)ctx)++;
	return 0;
}

struct imp {
	size_t n;
	struct vcard_contact *keep;	/* export mode keeps them */
};

static int on_import(const struct vcard *c, void *ctx, struct kith_err *err)
{
	struct imp *im = ctx;
	struct vcard_contact vc;
	int rc = vcard_to_contact(&vc, c, "bench", err);

	if (rc)
		return rc;
	if (im->keep)
		im->keep[im->n] = vc;
	else
		vcard_contact_clear(&vc);
	im->n++;
	return 0;
}

struct db {
	struct app_ctx app;
	size_t n;
};

static int on_store(const struct vcard *c, void *ctx, struct kith_err *err)
{
	struct db *d = ctx;
	struct vcard_contact vc;
	struct contact k;
	int rc = vcard_to_contact(&vc, c, "bench", err);

	if (rc)
		return rc;
	k = vc.c;
	k.email_labels = vc.email_labels;
	k.phone_labels = vc.phone_labels;
	k.addresses = vc.addresses;
	k.address_labels = vc.address_labels;
	k.uid = vc.uid;
	k.card = vc.card;
	rc = app_contact_add(&d->app, &k, err);
	vc.c.id = k.id;
	for (size_t i = 0; !rc && i < vc.n_dates; i++) {
		vc.dates[i].contact_id = k.id;
		rc = store_date_add(d->app.st, d->app.ws, &vc.dates[i], err);
	}
	/* k lent vc's strings; vc frees them once */
	vcard_contact_clear(&vc);
	d->n++;
	return rc;
}

static int count_sink(void *p, const char *buf, size_t len,
		      struct kith_err *err)
{
	(void)buf;
	(void)err;
	*(size_t *)p += len;
	return KITH_OK;
}

/* Import n cards into a temporary book, then time the export. */
static int db_mode(char *text, size_t len, struct kith_err *err)
{
	char dir[] = "/tmp/kith-bench-XXXXXX", path[64], cmd[80];
	struct export_opts o = { EXPORT_VCARD, VCARD_30, NULL, 0 };
	struct db d = { 0 };
	size_t bytes = 0;
	double t0, t1, t2;
	int rc;

	if (!mkdtemp(dir))
		return KITH_EIO;
	snprintf(path, sizeof(path), "%s/book.db", dir);
	rc = app_open(&d.app, path, NULL, 1795186800, err);
	if (rc)
		return rc;
	t0 = now();
	rc = store_begin(d.app.st, err);
	if (!rc)
		rc = vcard_parse_each(text, len, "bench", on_store, &d, err);
	if (!rc)
		rc = store_commit(d.app.st, err);
	t1 = now();
	if (!rc) {
		printf("db import: %zu cards through app_contact_add, %.0f "
		       "cards/s\n",
		       d.n, (double)d.n / (t1 - t0));
		store_read_begin(d.app.st);
		t1 = now();
		rc = app_export(&d.app, &o, count_sink, &bytes, err);
		t2 = now();
		store_read_end(d.app.st);
		if (!rc)
			printf("db export: %zu cards, %.1f MB, %.0f cards/s, "
			       "peak RSS %ld KiB\n",
			       d.n, (double)bytes / 1e6,
			       (double)d.n / (t2 - t1), peak_kib());
	}
	app_close(&d.app);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "bench_vcard: could not remove %s\n", dir);
	return rc;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000, len, got = 0;
	const char *mode = argc > 2 ? argv[2] : "import";
	struct kith_err err = { 0 };
	double t0, t1;
	char *text = generate(n, &len);
	int rc = 0;

	if (!text)
		return 1;
	t0 = now();
	if (!strcmp(mode, "db")) {
		rc = db_mode(text, len, &err);
		free(text);
		if (rc) {
			char buf[700];

			fprintf(stderr, "%s\n",
				kith_err_format(&err, buf, sizeof(buf)));
			return 1;
		}
		return 0;
	}
	if (!strcmp(mode, "parse")) {
		rc = vcard_parse_each(text, len, "bench", on_card, &got, &err);
	} else if (!strcmp(mode, "whole")) {
		struct vcard_file f;

		rc = vcard_parse(&f, text, len, "bench", &err);
		got = f.n_cards;
		t1 = now();
		printf("whole: %zu cards, %.1f MB, %.0f cards/s, %.1f MB/s, "
		       "peak RSS %ld KiB\n",
		       got, (double)len / 1e6, (double)got / (t1 - t0),
		       (double)len / 1e6 / (t1 - t0), peak_kib());
		vcard_file_free(&f);
		free(text);
		return rc;
	} else {
		struct imp im = { 0, NULL };

		if (!strcmp(mode, "export"))
			im.keep = calloc(n, sizeof(*im.keep));
		rc = vcard_parse_each(text, len, "bench", on_import, &im, &err);
		got = im.n;
		if (!rc && im.keep) {
			struct vcard_out o = { 0 };

			free(text);
			text = NULL;
			t0 = now();
			for (size_t i = 0; !rc && i < got; i++)
				rc = vcard_write_contact(&o, &im.keep[i],
							 VCARD_30, &err);
			t1 = now();
			printf("export: %zu cards, %.1f MB, %.0f cards/s, "
			       "peak RSS %ld KiB\n",
			       got, (double)o.len / 1e6,
			       (double)got / (t1 - t0), peak_kib());
			vcard_out_free(&o);
			for (size_t i = 0; i < got; i++)
				vcard_contact_clear(&im.keep[i]);
			free(im.keep);
			return rc;
		}
	}
	t1 = now();
	if (rc) {
		char buf[700];

		fprintf(stderr, "%s\n", kith_err_format(&err, buf, sizeof(buf)));
		return 1;
	}
	printf("%s: %zu cards, %.1f MB, %.0f cards/s, %.1f MB/s, peak RSS "
	       "%ld KiB\n",
	       mode, got, (double)len / 1e6, (double)got / (t1 - t0),
	       (double)len / 1e6 / (t1 - t0), peak_kib());
	free(text);
	return 0;
}
