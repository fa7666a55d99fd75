/* fuzz_phone.c: libFuzzer target for the E.164 normaliser (input/phone.c),
 * which reads every phone number an import, a CardDAV PUT or the API
 * hands to app_contact_add. The first byte picks a region (or none); the
 * rest, cut at a NUL, is the number. Any input must give KITH_OK with a
 * '+' and at most 15 digits, or KITH_ENOTFOUND / KITH_EINPUT; never a
 * crash, and never more than PHONE_E164_MAX bytes written. */
#include "input/phone.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const regions[] = { NULL, "US", "gb", "DE", "JP",
					       "FR", "IN", "xx", "" };
	struct kith_err err = { 0 };
	char out[PHONE_E164_MAX + 8], *raw;
	const char *region;
	int rc;

	if (!size)
		return 0;
	region = regions[data[0] % (sizeof(regions) / sizeof(*regions))];
	raw = strndup((const char *)data + 1, size - 1);
	if (!raw)
		return 0;
	memset(out, 'Z', sizeof(out));
	rc = phone_e164(out, raw, region, "phones", &err);
	if (rc == KITH_OK) {
		size_t n = strnlen(out, PHONE_E164_MAX);

		if (n == PHONE_E164_MAX || out[0] != '+' || n > 16)
			abort();
		for (size_t i = 1; i < n; i++)
			if (out[i] < '0' || out[i] > '9')
				abort();
	} else if (rc != KITH_ENOTFOUND && rc != KITH_EINPUT) {
		abort();
	}
	for (size_t i = PHONE_E164_MAX; i < sizeof(out); i++)
		if (out[i] != 'Z')
			abort();
	free(raw);
	return 0;
}
