/* fuzz_csv.c: libFuzzer target for the contacts CSV reader. Any input
 * must parse or fail with KITH_EINPUT, never crash or leak; every card
 * it makes must map to a contact or fail with KITH_EINPUT (a bad e-mail). */
#include "input/csv.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kith_err err = { 0 };
	struct csv_file f;
	/* half the inputs go through a --map, so mapped targets are fuzzed */
	const char *map = size && (data[0] & 1) ? "a=email,b=phone:work,"
						  "c=birthday,d=address" : NULL;

	if (csv_parse(&f, (const char *)data, size, "fuzz", map, &err)) {
		if (err.status != KITH_EINPUT && err.status != KITH_ENOMEM)
			abort();
		return 0;
	}
	for (size_t i = 0; i < f.n_cards; i++) {
		struct vcard_contact vc;

		if (vcard_to_contact(&vc, &f.cards[i], "fuzz", &err)) {
			if (err.status != KITH_EINPUT)
				abort();
			continue;
		}
		vcard_contact_clear(&vc);
	}
	csv_file_free(&f);
	return 0;
}
