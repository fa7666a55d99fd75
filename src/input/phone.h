/*
 * phone.h: phone numbers to E.164 ("+14155550134") so an import can match
 * a contact by phone. A small normaliser, not a validator: it knows each
 * region's calling code and trunk prefix and the international prefixes
 * (00, and 011 in the NANP), not numbering plans, so it accepts numbers
 * that no carrier would route. Debian's libphonenumber is C++ only (no C
 * API, and pnc is a command-line wrapper); see the commit that added this
 * file for why this is not a C++ shim.
 */
#ifndef KITH_INPUT_PHONE_H
#define KITH_INPUT_PHONE_H

#include <stddef.h>

#include "../kith.h"

/* E.164: '+', at most 15 digits, and a NUL. */
#define PHONE_E164_MAX 17

/*
 * Normalise raw ("(415) 555-0134", "+44 20 7946 0958", "0049 30 1234567",
 * "tel:+1-555-0100;ext=12") to E.164 in out (PHONE_E164_MAX bytes).
 * region is an ISO 3166 code ("US", "gb") for numbers written without an
 * international prefix; NULL or unknown leaves those unresolvable.
 * Separators (space . - / ( ) and NBSP) are ignored; an extension
 * ("x12", "ext. 12", ";ext=12") is dropped, as matching ignores it.
 * Statuses:
 *   KITH_OK        out holds "+<digits>".
 *   KITH_ENOTFOUND a national number and no known region: the country is
 *                  not known, so there is no E.164 form (not an error for
 *                  an import: match on the digits instead).
 *   KITH_EINPUT    not a phone number (letters, too few or too many
 *                  digits, a '+' inside); err names field.
 * Pure; O(strlen(raw)).
 */
int phone_e164(char *out, const char *raw, const char *region,
	       const char *field, struct kith_err *err);

/* The calling code of region ("US" -> 1, "DE" -> 49), or 0. */
int phone_region_code(const char *region);

#endif
