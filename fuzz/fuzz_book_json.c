/* fuzz_book_json.c: libFuzzer target for the JSON book reader. Any input
 * must parse or fail with KITH_EINPUT, never crash or leak. */
#include "input/book_json.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kith_err err = { 0 };
	struct book b;

	if (book_parse_json(&b, (const char *)data, size, "fuzz", &err) ==
	    KITH_OK)
		book_clear(&b);
	else if (err.status != KITH_EINPUT && err.status != KITH_ENOMEM)
		abort();
	return 0;
}
