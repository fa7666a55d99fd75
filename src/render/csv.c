/* csv.c (render): the contacts CSV in Google's column names. */
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_birthday(const struct kdate *d)
{
	return d->kind && !strcmp(d->kind, "birthday");
}

void csv_columns_fit(struct csv_columns *cols, const struct contact *c,
		     const struct kdate *d, size_t nd)
{
	size_t ev = 0;
	bool bday = false;

	if (c->emails.n > cols->emails)
		cols->emails = c->emails.n;
	if (c->phones.n > cols->phones)
		cols->phones = c->phones.n;
	if (c->addresses.n > cols->addresses)
		cols->addresses = c->addresses.n;
	/* the first birthday has its own column */
	for (size_t i = 0; i < nd; i++) {
		if (is_birthday(&d[i]) && !bday)
			bday = true;
		else
			ev++;
	}
	if (ev > cols->events)
		cols->events = ev;
}

int csv_write_field(struct vcard_out *out, const char *s)
{
	const char *p;
	int rc;

	if (!s || !*s)
		return KITH_OK;
	if (!strpbrk(s, ",\"\r\n"))
		return vcard_out_add(out, s, strlen(s));
	rc = vcard_out_add(out, "\"", 1);
	for (p = s; !rc && *p;) {
		size_t n = strcspn(p, "\"");

		rc = vcard_out_add(out, p, n);
		p += n;
		if (!rc && *p) {
			rc = vcard_out_add(out, "\"\"", 2);
			p++;
		}
	}
	if (!rc)
		rc = vcard_out_add(out, "\"", 1);
	return rc;
}

static int sep(struct vcard_out *out)
{
	return vcard_out_add(out, ",", 1);
}

static int numbered(struct vcard_out *out, const char *what, size_t n,
		    const char *a, const char *b)
{
	char h[96];
	int rc = KITH_OK;

	for (size_t i = 1; !rc && i <= n; i++) {
		snprintf(h, sizeof(h), ",%s %zu - %s,%s %zu - %s", what, i, a,
			 what, i, b);
		rc = vcard_out_add(out, h, strlen(h));
	}
	return rc;
}

int csv_write_header(struct vcard_out *out, const struct csv_columns *cols,
		     struct kith_err *err)
{
	static const char head[] =
	    "\xEF\xBB\xBF"
	    "First Name,Last Name,Organization Name,Organization Title,"
	    "Birthday,Notes,Labels";
	int rc = vcard_out_add(out, head, sizeof(head) - 1);

	if (!rc)
		rc = numbered(out, "E-mail", cols->emails, "Label", "Value");
	if (!rc)
		rc = numbered(out, "Phone", cols->phones, "Label", "Value");
	if (!rc)
		rc = numbered(out, "Address", cols->addresses, "Label",
			      "Formatted");
	if (!rc)
		rc = numbered(out, "Event", cols->events, "Label", "Value");
	if (!rc)
		rc = vcard_out_add(out, "\r\n", 2);
	return rc ? kith_err_nomem(err) : KITH_OK;
}

/* "work" as Google writes it: "Work". */
static int label(struct vcard_out *out, const struct strlist *l, size_t i)
{
	char buf[128];

	if (i >= l->n || !l->v[i] || !*l->v[i])
		return KITH_OK;
	snprintf(buf, sizeof(buf), "%s", l->v[i]);
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
	return csv_write_field(out, buf);
}

static int pairs(struct vcard_out *out, const struct strlist *vals,
		 const struct strlist *labels, size_t n)
{
	int rc = KITH_OK;

	for (size_t i = 0; !rc && i < n; i++) {
		rc = sep(out);
		if (!rc && i < vals->n)
			rc = label(out, labels, i);
		if (!rc)
			rc = sep(out);
		if (!rc && i < vals->n)
			rc = csv_write_field(out, vals->v[i]);
	}
	return rc;
}

static void date_str(char *buf, size_t n, const struct kdate *d)
{
	int y, m, day;

	kith_civil_from_days(d->day, &y, &m, &day);
	if (d->year_known)
		snprintf(buf, n, "%04d-%02d-%02d", y, m, day);
	else
		snprintf(buf, n, "--%02d-%02d", m, day);
}

int csv_write_contact(struct vcard_out *out, const struct csv_columns *cols,
		      const struct contact *c, const struct kdate *d,
		      size_t nd, struct kith_err *err)
{
	const struct kdate *bday = NULL;
	char *first = NULL, date[32];
	const char *last = NULL;
	struct vcard_out tags = { 0 };
	size_t ev = 0;
	int rc = KITH_OK;

	if (c->name) {
		char *sp;

		first = strdup(c->name);
		if (!first)
			return kith_err_nomem(err);
		sp = strrchr(first, ' ');
		if (sp && sp != first && sp[1]) {
			*sp = '\0';
			last = sp + 1;
		}
	}
	for (size_t i = 0; i < nd && !bday; i++)
		if (is_birthday(&d[i]))
			bday = &d[i];
	for (size_t i = 0; !rc && i < c->tags.n; i++) {
		if (i)
			rc = vcard_out_add(&tags, " ::: ", 5);
		if (!rc)
			rc = vcard_out_add(&tags, c->tags.v[i],
					   strlen(c->tags.v[i]));
	}
	if (!rc)
		rc = csv_write_field(out, first);
	if (!rc)
		rc = sep(out);
	if (!rc)
		rc = csv_write_field(out, last);
	if (!rc)
		rc = sep(out);
	if (!rc)
		rc = csv_write_field(out, c->org_name);
	if (!rc)
		rc = sep(out);
	if (!rc)
		rc = csv_write_field(out, c->title);
	if (!rc)
		rc = sep(out);
	if (!rc && bday) {
		date_str(date, sizeof(date), bday);
		rc = csv_write_field(out, date);
	}
	if (!rc)
		rc = sep(out);
	if (!rc)
		rc = csv_write_field(out, c->notes);
	if (!rc)
		rc = sep(out);
	if (!rc)
		rc = csv_write_field(out, tags.buf);
	if (!rc)
		rc = pairs(out, &c->emails, &c->email_labels, cols->emails);
	if (!rc)
		rc = pairs(out, &c->phones, &c->phone_labels, cols->phones);
	if (!rc)
		rc = pairs(out, &c->addresses, &c->address_labels,
			   cols->addresses);
	for (size_t i = 0; !rc && i < nd; i++) {
		char kind[128];

		if (&d[i] == bday || ev >= cols->events)
			continue;
		snprintf(kind, sizeof(kind), "%s", d[i].kind ? d[i].kind : "");
		if (kind[0] >= 'a' && kind[0] <= 'z')
			kind[0] = (char)(kind[0] - 'a' + 'A');
		date_str(date, sizeof(date), &d[i]);
		rc = sep(out);
		if (!rc)
			rc = csv_write_field(out, kind);
		if (!rc)
			rc = sep(out);
		if (!rc)
			rc = csv_write_field(out, date);
		ev++;
	}
	for (; !rc && ev < cols->events; ev++)
		rc = vcard_out_add(out, ",,", 2);
	if (!rc)
		rc = vcard_out_add(out, "\r\n", 2);
	free(first);
	vcard_out_free(&tags);
	return rc ? kith_err_nomem(err) : KITH_OK;
}
