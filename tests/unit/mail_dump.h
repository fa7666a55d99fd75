/*
 * mail_dump.h: one line per parsed header, the shape test_mail.c's table
 * pins: only the fields present, in a fixed order, "|" between them.
 */
#ifndef KITH_TEST_MAIL_DUMP_H
#define KITH_TEST_MAIL_DUMP_H

#include "input/mail.h"

#include <stdio.h>
#include <string.h>

static void mail_dump(char *buf, size_t n, const struct mail_header *m)
{
	size_t off = 0;
	char iso[40];

#define PUT(...)                                                           \
	do {                                                               \
		int k_ = snprintf(buf + off, off < n ? n - off : 0,        \
				  __VA_ARGS__);                            \
		if (k_ > 0)                                                \
			off += (size_t)k_;                                 \
	} while (0)
	buf[0] = '\0';
	for (int f = 0; f < MAIL_N_FIELDS; f++) {
		if (!m->a[f].n)
			continue;
		PUT("%s%s=", off ? "|" : "", mail_field_name(f));
		for (size_t i = 0; i < m->a[f].n; i++) {
			if (m->a[f].v[i].name)
				PUT("%s%s <%s>", i ? "," : "",
				    m->a[f].v[i].name, m->a[f].v[i].addr);
			else
				PUT("%s%s", i ? "," : "", m->a[f].v[i].addr);
		}
	}
	if (m->subject)
		PUT("|subject=%s", m->subject);
	if (m->date != KITH_NO_TIME)
		PUT("|date=%s", kith_time_iso(m->date, iso, sizeof(iso)));
	if (m->message_id)
		PUT("|id=%s", m->message_id);
	for (size_t i = 0; i < m->n_parents; i++)
		PUT("%s%s", i ? "," : "|parent=", m->parents[i]);
	for (size_t i = 0; i < m->n_references; i++)
		PUT("%s%s", i ? "," : "|refs=", m->references[i]);
	if (m->list_id)
		PUT("|list=%s", m->list_id);
	if (m->bulk)
		PUT("|bulk");
	if (m->automatic)
		PUT("|auto");
#undef PUT
}

#endif
