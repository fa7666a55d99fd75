/*
 * bench_vcard.c: vCard import and export throughput on generated cards.
 *   bench_vcard [N] [mode]   N cards (100000), mode one of
 *     parse    vcard_parse_each only (streaming, one card in memory)
 *     import   vcard_parse_each + vcard_to_contact per card
 *     whole    vcard_parse of the whole file into one arena
 *     export   import into memory, then vcard_write_contact of all
 *     db       app_import into a new SQLite database (argv[3], default
 *              bench_import.db in $TMPDIR or /tmp; removed first), one
 *              transaction, as `kith import` does
 * Prints cards/s and the peak RSS of the process (run one mode per
 * process so the peaks do not mix).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "app/import.h"
#include "input/vcard.h"
#include "render/vcard.h"

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
			"TEL;type=CELL;type=VOICE;type=pref:+46 70 %03zu "
			"%04zu\r\n"
			"item2.ADR;type=HOME:;;Storgatan %zu;Stockholm;;111 "
			"22;Sweden\r\n"
			"BDAY;X-APPLE-OMIT-YEAR=1604:1604-%02zu-%02zu\r\n"
			"NOTE:Met at the Nordic conference\\, 2024.\\nLikes "
			"long walks and longer notes that get folded at seven"
			"ty-f\r\n ive octets.\r\n"
			"UID:%08zx-4c5e-9a8b-1c2d3e4f5a6b\r\n"
			"END:VCARD\r\n",
			i, i, i, i / 10000 % 1000, i % 10000, i % 200,
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
		char path[512];
		const char *tmp = getenv("TMPDIR");
		struct app_ctx ctx;
		struct import_report rep;
		struct import_opts o = { false, false, NULL };
		struct import_source src = { "bench", text, len, IMPORT_VCARD };

		snprintf(path, sizeof(path), "%s",
			 argc > 3 ? argv[3] : "");
		if (!path[0])
			snprintf(path, sizeof(path), "%s/bench_import.db",
				 tmp ? tmp : "/tmp");
		unlink(path);
		import_report_init(&rep);
		rc = app_open_tx(&ctx, path, NULL, 1795000000, true, &err);
		t0 = now();
		if (!rc)
			rc = app_import(&ctx, &src, 1, &o, NULL, NULL, &rep,
					&err);
		if (!rc)
			rc = store_commit(ctx.st, &err);
		t1 = now();
		app_close(&ctx);
		if (!rc)
			printf("db: %zu cards (%zu created, %zu merged, %zu "
			       "unchanged) into SQLite, %.1f MB, %.0f cards/s, "
			       "peak RSS %ld KiB\n",
			       rep.n_items, rep.created, rep.merged,
			       rep.unchanged, (double)len / 1e6,
			       (double)rep.n_items / (t1 - t0), peak_kib());
		import_report_clear(&rep);
		free(text);
		if (rc) {
			char buf[700];

			fprintf(stderr, "%s\n",
				kith_err_format(&err, buf, sizeof(buf)));
			return 1;
		}
		return 0;
	} else if (!strcmp(mode, "parse")) {
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
