/* fuzz_vcard.c: libFuzzer target for the vCard reader, the mapping to a
 * contact and the writer. Any input must parse or fail with KITH_EINPUT;
 * what parses must map or fail with KITH_EINPUT; what maps must write,
 * and what is written must parse again to the same number of cards.
 * The input read as a contact's stored card: what vcard_stored_lean
 * takes must be exactly what the full reader reads. */
#include "input/vcard.h"
#include "render/vcard.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(const struct vcard *c, void *ctx, struct kith_err *err)
{
	(void)c;
	(void)err;
	(*(size_t *)ctx)++;
	return 0;
}

static int count_bad(const struct kith_err *bad, void *ctx)
{
	if (bad->status != KITH_EINPUT || !bad->file[0])
		abort();
	(*(size_t *)ctx)++;
	return 0;
}

static int prop_differs(const struct vcard_prop *p, const struct vcard_prop *q)
{
	if (!p->group != !q->group || (p->group && strcmp(p->group, q->group)) ||
	    strcmp(p->name, q->name) || p->line != q->line ||
	    p->value_len != q->value_len ||
	    memcmp(p->value, q->value, p->value_len) ||
	    p->n_params != q->n_params)
		return 1;
	for (size_t k = 0; k < p->n_params; k++) {
		const struct vcard_param *x = &p->params[k], *y = &q->params[k];

		if (strcmp(x->name, y->name) || x->n_values != y->n_values)
			return 1;
		for (size_t v = 0; v < x->n_values; v++)
			if (strcmp(x->values[v], y->values[v]))
				return 1;
	}
	return 0;
}

static void stored(const uint8_t *data, size_t size)
{
	static const char head[] = "BEGIN:VCARD\r\nVERSION:3.0\r\n",
			  tail[] = "\r\nEND:VCARD\r\n";
	struct kith_err err = { 0 };
	struct vcard_file lean, full;
	char *blob = malloc(size + 1), *w;
	size_t n;

	if (!blob)
		return;
	memcpy(blob, data, size);
	blob[size] = '\0';
	n = strlen(blob);
	if (vcard_stored_lean(&lean, blob, &err)) {
		free(blob);
		return;
	}
	w = malloc(sizeof(head) + n + sizeof(tail));
	if (!w)
		abort();
	memcpy(w, head, sizeof(head) - 1);
	memcpy(w + sizeof(head) - 1, blob, n);
	memcpy(w + sizeof(head) - 1 + n, tail, sizeof(tail));
	if (vcard_parse(&full, w, sizeof(head) + n + sizeof(tail) - 2, "card",
			&err) ||
	    full.n_cards != 1 ||
	    full.cards[0].n_props != lean.cards[0].n_props)
		abort();
	for (size_t i = 0; i < lean.cards[0].n_props; i++)
		if (prop_differs(&lean.cards[0].props[i],
				 &full.cards[0].props[i]))
			abort();
	vcard_file_free(&full);
	vcard_file_free(&lean);
	free(w);
	free(blob);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kith_err err = { 0 };
	struct vcard_file f;
	size_t seen = 0;
	int skip;

	stored(data, size);
	/* --skip-bad never fails on a bad card, only on no memory */
	skip = vcard_parse_each_skip((const char *)data, size, "fuzz", count,
				     count_bad, &seen, &err);
	if (skip && skip != KITH_ENOMEM)
		abort();
	if (vcard_parse(&f, (const char *)data, size, "fuzz", &err)) {
		if (err.status != KITH_EINPUT && err.status != KITH_ENOMEM)
			abort();
		return 0;
	}
	for (size_t i = 0; i < f.n_cards; i++) {
		struct vcard_contact vc;
		struct vcard_out o = { 0 };
		struct vcard_file g;

		if (vcard_write_card(&o, &f.cards[i], VCARD_40))
			abort();
		if (vcard_parse(&g, o.buf, o.len, "out", &err) ||
		    g.n_cards != 1)
			abort();
		vcard_file_free(&g);
		vcard_out_free(&o);
		if (vcard_to_contact(&vc, &f.cards[i], "fuzz", &err)) {
			if (err.status != KITH_EINPUT)
				abort();
			continue;
		}
		if (vcard_write_contact(&o, &vc, VCARD_30, &err))
			abort();
		if (vcard_parse(&g, o.buf, o.len, "out", &err) ||
		    g.n_cards != 1)
			abort();
		vcard_file_free(&g);
		vcard_out_free(&o);
		vcard_contact_clear(&vc);
	}
	vcard_file_free(&f);
	return 0;
}
