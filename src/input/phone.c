/* phone.c: E.164 from what people type, given a default region. */
#include "phone.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/*
 * Calling code and trunk prefix per region (ITU-T E.164 assignments and
 * national dialling plans). A trunk prefix is dropped before the calling
 * code goes on: "020 7946 0958" in GB is +44 20 7946 0958. Italy, San
 * Marino and the Vatican keep their leading 0 in E.164, so they have
 * none. Regions missing here fall back to ENOTFOUND, never to a guess.
 */
static const struct {
	char region[3];
	short code;
	char trunk[3];
} regions[] = {
    {"US", 1, "1"},   {"CA", 1, "1"},	{"PR", 1, "1"},	  {"GB", 44, "0"},
    {"IE", 353, "0"}, {"FR", 33, "0"},	{"DE", 49, "0"},  {"AT", 43, "0"},
    {"CH", 41, "0"},  {"NL", 31, "0"},	{"BE", 32, "0"},  {"LU", 352, ""},
    {"ES", 34, ""},   {"PT", 351, ""},	{"IT", 39, ""},	  {"SM", 378, ""},
    {"VA", 39, ""},   {"DK", 45, ""},	{"NO", 47, ""},	  {"SE", 46, "0"},
    {"FI", 358, "0"}, {"IS", 354, ""},	{"PL", 48, ""},	  {"CZ", 420, ""},
    {"SK", 421, "0"}, {"HU", 36, "06"}, {"RO", 40, "0"},  {"BG", 359, "0"},
    {"GR", 30, ""},   {"TR", 90, "0"},	{"UA", 380, "0"}, {"RU", 7, "8"},
    {"KZ", 7, "8"},   {"IL", 972, "0"}, {"AE", 971, "0"}, {"SA", 966, "0"},
    {"EG", 20, "0"},  {"NG", 234, "0"}, {"KE", 254, "0"}, {"ZA", 27, "0"},
    {"MA", 212, "0"}, {"GH", 233, "0"}, {"IN", 91, "0"},  {"PK", 92, "0"},
    {"BD", 880, "0"}, {"CN", 86, "0"},	{"HK", 852, ""},  {"TW", 886, "0"},
    {"JP", 81, "0"},  {"KR", 82, "0"},	{"SG", 65, ""},	  {"MY", 60, "0"},
    {"TH", 66, "0"},  {"VN", 84, "0"},	{"ID", 62, "0"},  {"PH", 63, "0"},
    {"AU", 61, "0"},  {"NZ", 64, "0"},	{"MX", 52, ""},	  {"BR", 55, "0"},
    {"AR", 54, "0"},  {"CL", 56, ""},	{"CO", 57, ""},	  {"PE", 51, "0"},
};

#define N_REGIONS (sizeof(regions) / sizeof(regions[0]))

static int region_index(const char *region)
{
	if (!region)
		return -1;
	for (size_t i = 0; i < N_REGIONS; i++)
		if (!strcasecmp(regions[i].region, region))
			return (int)i;
	return -1;
}

int phone_region_code(const char *region)
{
	int i = region_index(region);

	return i < 0 ? 0 : regions[i].code;
}

/* Where an extension starts: "x", "ext", "ext.", ";ext=", "#". */
static int ext_start(const char *s)
{
	if (*s == '#' || *s == ',' || *s == 'x' || *s == 'X')
		return 1;
	if (!strncasecmp(s, "ext", 3) || !strncasecmp(s, ";ext=", 5))
		return 1;
	return 0;
}

int phone_e164(char *out, const char *raw, const char *region,
	       const char *field, struct kith_err *err)
{
	char d[40];
	size_t nd = 0;
	int plus = 0, ri;
	const char *s = raw ? raw : "";

	out[0] = '\0';
	if (!strncasecmp(s, "tel:", 4))
		s += 4;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isdigit(c)) {
			if (nd + 1 >= sizeof(d))
				goto toolong;
			d[nd++] = (char)c;
		} else if (c == '+') {
			if (nd || plus)
				return kith_err_set(err, KITH_EINPUT, field,
						    "'+' inside \"%s\"", raw);
			plus = 1;
		} else if (c == ' ' || c == '.' || c == '-' || c == '/' ||
			   c == '(' || c == ')' || c == '\t') {
			continue;
		} else if (c == 0xc2 && (unsigned char)s[1] == 0xa0) {
			s++; /* no-break space, as phones paste it */
		} else if (nd && ext_start(s)) {
			break;
		} else {
			return kith_err_set(err, KITH_EINPUT, field,
					    "not a phone number: \"%s\"", raw);
		}
	}
	d[nd] = '\0';
	if (nd < 3)
		return kith_err_set(err, KITH_EINPUT, field,
				    "too few digits for a phone number: "
				    "\"%s\"",
				    raw);
	ri = region_index(region);
	if (!plus) {
		/* 00 (ITU's recommended international prefix) and the NANP's
		 * 011 mean the calling code follows. */
		if (ri >= 0 && regions[ri].code == 1 && !strncmp(d, "011", 3)) {
			memmove(d, d + 3, nd - 2);
			nd -= 3;
			plus = 1;
		} else if (!strncmp(d, "00", 2) &&
			   (ri < 0 || regions[ri].code != 1)) {
			memmove(d, d + 2, nd - 1);
			nd -= 2;
			plus = 1;
		}
	}
	if (!plus) {
		char tmp[48];
		size_t tl = strlen(ri >= 0 ? regions[ri].trunk : "");
		const char *nat = d;

		if (ri < 0)
			return kith_err_set(err, KITH_ENOTFOUND, field,
					    "no country for \"%s\"", raw);
		/* NANP: 10 digits, or 11 with the trunk 1 */
		if (regions[ri].code == 1) {
			if (nd == 11 && d[0] == '1')
				nat = d + 1;
			else if (nd != 10)
				return kith_err_set(err, KITH_EINPUT, field,
						    "expected 10 digits in "
						    "\"%s\"",
						    raw);
		} else if (tl && !strncmp(d, regions[ri].trunk, tl)) {
			nat = d + tl;
		}
		snprintf(tmp, sizeof(tmp), "%d%s", regions[ri].code, nat);
		nd = strlen(tmp);
		if (nd >= sizeof(d))
			goto toolong;
		memcpy(d, tmp, nd + 1);
	}
	if (nd < 7 || nd > 15)
		goto toolong;
	out[0] = '+';
	memcpy(out + 1, d, nd + 1);
	return KITH_OK;
toolong:
	return kith_err_set(err, KITH_EINPUT, field,
			    "E.164 numbers have 7 to 15 digits: \"%s\"", raw);
}
