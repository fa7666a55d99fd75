/* fuzz_mail.c: libFuzzer target for the email header parser and the
 * address list reader (src/input/mail.c). Any input must parse or fail
 * with KITH_EINPUT, never crash or leak; every address it returns has
 * an '@' with something on both sides, and no control character. */
#include "input/mail.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_addrs(const struct mail_addrs *a)
{
	for (size_t i = 0; i < a->n; i++) {
		const char *at = strrchr(a->v[i].addr, '@');

		if (!at || at == a->v[i].addr || !at[1])
			abort();
		for (const char *p = a->v[i].addr; *p; p++)
			if ((unsigned char)*p < 0x20)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kith_err err = { 0 };
	struct mail_header m;
	struct mail_addrs a;
	char *s;

	if (mail_parse_header(&m, (const char *)data, size, &err)) {
		if (err.status != KITH_EINPUT && err.status != KITH_ENOMEM)
			abort();
	} else {
		for (int f = 0; f < MAIL_N_FIELDS; f++)
			check_addrs(&m.a[f]);
		if (m.subject && strpbrk(m.subject, "\r\n\x01\x1b"))
			abort();
		mail_header_clear(&m);
	}
	/* The same bytes as one address list value. */
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (!mail_parse_addrs(&a, s, &err)) {
		check_addrs(&a);
		mail_addrs_clear(&a);
	}
	free(s);
	return 0;
}
