/* fuzz_vcard.c: libFuzzer target for the vCard reader, the mapping to a
 * contact and the writer. Any input must parse or fail with KITH_EINPUT;
 * what parses must map or fail with KITH_EINPUT; what maps must write,
 * and what is written must parse again to the same number of cards. */
#include "input/vcard.h"
#include "render/vcard.h"

#include <stdint.h>
#include <stdlib.h>

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kith_err err = { 0 };
	struct vcard_file f;
	size_t seen = 0;
	int skip;

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
