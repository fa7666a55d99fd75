/* fuzz_ical.c: libFuzzer target for the iCalendar reader, over a fixed
 * window (2026). Any input must parse or fail with KITH_EINPUT, never
 * crash, leak or run unbounded (the occurrence budget). */
#include "input/ical.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kith_err err = {0};
	struct ical_event *e = NULL;
	size_t n = 0;

	/* 2026-01-01T00:00:00Z to 2027-01-01T00:00:00Z */
	if (ical_parse(&e, &n, (const char *)data, size, "fuzz",
		       (kith_time)20454 * KITH_DAY, (kith_time)20819 * KITH_DAY,
		       &err) == KITH_OK)
		ical_events_free(e, n);
	else if (err.status != KITH_EINPUT && err.status != KITH_ENOMEM)
		abort();
	return 0;
}
