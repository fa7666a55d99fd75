/* mail.c: an email's header through GMime 3 into struct mail_header. */
#include "mail.h"

#include <gmime/gmime.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_names[MAIL_N_FIELDS] = {
	"From",	       "Sender",	"Reply-To",  "To",
	"Cc",	       "Bcc",		"Resent-From", "Resent-Sender",
	"Resent-To",   "Resent-Cc",	"Resent-Bcc",
};

const char *mail_field_name(enum mail_field f)
{
	return f < MAIL_N_FIELDS ? field_names[f] : "?";
}

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;
static GMimeParserOptions *opts;

/* GMime and its options, once per process: g_mime_init registers types
 * and is not thread-safe. Raw 8-bit headers are tried as UTF-8, then as
 * windows-1252 (a superset of Latin-1 for every byte that matters),
 * which is what mail clients that skip RFC 2047 mostly send. */
static void gmime_setup(void)
{
	static const char *fallback[] = { "UTF-8", "windows-1252", NULL };

	g_mime_init();
	opts = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(opts, fallback);
	g_mime_parser_options_set_address_compliance_mode(
		opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_rfc2047_compliance_mode(
		opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(
		opts, GMIME_RFC_COMPLIANCE_LOOSE);
}

size_t mail_header_end(const char *data, size_t len)
{
	size_t i = 0;

	/* A line is empty when it is "\n" or "\r\n" right at its start. */
	while (i < len) {
		if (data[i] == '\n')
			return i + 1;
		if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
			return i + 2;
		const char *nl = memchr(data + i, '\n', len - i);

		if (!nl)
			return len;
		i = (size_t)(nl - data) + 1;
	}
	return len;
}

/* A copy in malloc'd memory, valid UTF-8, control characters dropped
 * (a subject ends up in terminals and event streams), spaces trimmed. */
static char *clean_text(const char *s)
{
	gchar *valid;
	char *out, *w;
	const unsigned char *r;

	if (!s)
		return NULL;
	valid = g_utf8_make_valid(s, -1);
	if (!valid)
		return NULL;
	out = malloc(strlen(valid) + 1);
	if (!out) {
		g_free(valid);
		return NULL;
	}
	w = out;
	for (r = (const unsigned char *)valid; *r; r++) {
		if (*r == '\t' || *r == '\r' || *r == '\n')
			*w++ = ' ';
		else if (*r >= 0x20 && *r != 0x7f)
			*w++ = (char)*r;
	}
	*w = '\0';
	g_free(valid);
	/* trim, and fold runs of spaces left by unfolding */
	r = (const unsigned char *)out;
	w = out;
	while (*r == ' ')
		r++;
	for (; *r; r++)
		if (*r != ' ' || (r[1] && r[1] != ' '))
			*w++ = (char)*r;
	*w = '\0';
	return out;
}

static void lower_ascii(char *s)
{
	for (; s && *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static int addrs_push(struct mail_addrs *a, const char *name,
		      const char *addr)
{
	struct mail_addr *v;
	const char *at = addr ? strrchr(addr, '@') : NULL;

	/* A bare local part ("undisclosed-recipients", "ana") names no one
	 * kith can match: left out. */
	if (!at || at == addr || !at[1])
		return KITH_OK;
	v = realloc(a->v, (a->n + 1) * sizeof(*v));
	if (!v)
		return KITH_ENOMEM;
	a->v = v;
	v[a->n].name = name && *name ? clean_text(name) : NULL;
	v[a->n].addr = clean_text(addr);
	if (!v[a->n].addr) {
		free(v[a->n].name);
		return KITH_ENOMEM;
	}
	lower_ascii(v[a->n].addr);
	if (v[a->n].name && !*v[a->n].name) {
		free(v[a->n].name);
		v[a->n].name = NULL;
	}
	a->n++;
	return KITH_OK;
}

/* Every mailbox of list, a group's members in its place (RFC 5322 3.4:
 * "Team: a@x, b@y;"). Groups do not nest, but GMime's loose mode may
 * build them so: depth bounds the walk. */
static int addrs_walk(struct mail_addrs *a, InternetAddressList *list,
		      int depth)
{
	int n = list ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		int rc;

		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			if (depth > 4)
				continue;
			rc = addrs_walk(a,
					internet_address_group_get_members(
						INTERNET_ADDRESS_GROUP(ia)),
					depth + 1);
		} else if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			rc = addrs_push(
				a, internet_address_get_name(ia),
				internet_address_mailbox_get_addr(
					INTERNET_ADDRESS_MAILBOX(ia)));
		} else {
			continue;
		}
		if (rc)
			return rc;
	}
	return KITH_OK;
}

static int addrs_parse(struct mail_addrs *a, const char *value)
{
	InternetAddressList *list;
	int rc;

	list = internet_address_list_parse(opts, value);
	if (!list)
		return KITH_OK;
	rc = addrs_walk(a, list, 0);
	g_object_unref(list);
	return rc;
}

void mail_addrs_clear(struct mail_addrs *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].name);
		free(a->v[i].addr);
	}
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

int mail_parse_addrs(struct mail_addrs *out, const char *value,
		     struct kith_err *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	pthread_once(&gmime_once, gmime_setup);
	rc = value ? addrs_parse(out, value) : KITH_OK;
	if (rc) {
		mail_addrs_clear(out);
		return kith_err_nomem(err);
	}
	return KITH_OK;
}

void mail_header_clear(struct mail_header *m)
{
	for (int f = 0; f < MAIL_N_FIELDS; f++)
		mail_addrs_clear(&m->a[f]);
	free(m->subject);
	free(m->message_id);
	for (size_t i = 0; i < m->n_parents; i++)
		free(m->parents[i]);
	free(m->parents);
	for (size_t i = 0; i < m->n_references; i++)
		free(m->references[i]);
	free(m->references);
	free(m->list_id);
	free(m->precedence);
	free(m->auto_submitted);
	memset(m, 0, sizeof(*m));
	m->date = KITH_NO_TIME;
}

/* Message ids of an In-Reply-To or References value, appended. A
 * malformed id GMime cannot read is skipped; at most 200 are kept (a
 * thread deeper than that is a loop or an attack, and only the root and
 * the nearest ancestors matter). */
static int ids_parse(char ***v, size_t *n, const char *value)
{
	GMimeReferences *refs = g_mime_references_parse(opts, value);
	int len = refs ? g_mime_references_length(refs) : 0;
	int rc = KITH_OK;

	for (int i = 0; i < len && *n < 200; i++) {
		const char *id = g_mime_references_get_message_id(refs, i);
		char **g, *c;

		if (!id || !*id)
			continue;
		c = clean_text(id);
		g = c ? realloc(*v, (*n + 1) * sizeof(**v)) : NULL;
		if (!g) {
			free(c);
			rc = KITH_ENOMEM;
			break;
		}
		*v = g;
		g[(*n)++] = c;
	}
	if (refs)
		g_mime_references_free(refs);
	return rc;
}

/* A header's value once: the first occurrence wins (a second Subject is
 * a malformed message; the first is what clients show). */
static int set_once(char **slot, const char *value, bool lower)
{
	if (*slot)
		return KITH_OK;
	*slot = clean_text(value);
	if (!*slot)
		return KITH_ENOMEM;
	lower_ascii(lower ? *slot : NULL);
	return KITH_OK;
}

static bool name_is(const char *a, const char *b)
{
	return !g_ascii_strcasecmp(a, b);
}

/* Mark what tells mail no person wrote, or mail to many (RFC 3834 for
 * Auto-Submitted; RFC 2369 and 2919 for the List-* fields; Precedence
 * is not standard but universal; X-Autoreply and friends come from
 * vacation programs and Exchange). */
static void mark_kind(struct mail_header *m, const char *name,
		      const char *value)
{
	if (name_is(name, "List-Post") || name_is(name, "List-Unsubscribe"))
		m->bulk = true;
	else if (name_is(name, "X-Autoreply") ||
		 name_is(name, "X-Autorespond") ||
		 name_is(name, "X-Auto-Response") ||
		 name_is(name, "X-Autogenerated") ||
		 name_is(name, "X-Autoreply-From"))
		m->automatic = true;
	else if (name_is(name, "Content-Type") && value) {
		while (*value == ' ' || *value == '\t')
			value++;
		if (!g_ascii_strncasecmp(value, "multipart/report", 16))
			m->automatic = true;
	}
}

static int read_field(struct mail_header *m, const char *name,
		      const char *value)
{
	int rc = KITH_OK;

	for (int f = 0; f < MAIL_N_FIELDS; f++)
		if (name_is(name, field_names[f]))
			return addrs_parse(&m->a[f], value);
	if (name_is(name, "Subject")) {
		if (!m->subject) {
			char *d = g_mime_utils_header_decode_text(opts, value);

			rc = set_once(&m->subject, d ? d : "", false);
			g_free(d);
		}
	} else if (name_is(name, "Message-ID")) {
		if (!m->message_id) {
			char *id = g_mime_utils_decode_message_id(value);

			if (id && *id)
				rc = set_once(&m->message_id, id, false);
			g_free(id);
		}
	} else if (name_is(name, "In-Reply-To")) {
		rc = ids_parse(&m->parents, &m->n_parents, value);
	} else if (name_is(name, "References")) {
		rc = ids_parse(&m->references, &m->n_references, value);
	} else if (name_is(name, "Date")) {
		if (m->date == KITH_NO_TIME) {
			GDateTime *d = g_mime_utils_header_decode_date(value);

			if (d) {
				m->date = g_date_time_to_unix(d);
				g_date_time_unref(d);
			}
		}
	} else if (name_is(name, "List-Id")) {
		m->bulk = true;
		rc = set_once(&m->list_id, value, false);
	} else if (name_is(name, "Precedence")) {
		rc = set_once(&m->precedence, value, true);
		if (!rc && (strstr(m->precedence, "bulk") ||
			    strstr(m->precedence, "list") ||
			    strstr(m->precedence, "junk")))
			m->bulk = true;
		if (!rc && strstr(m->precedence, "auto_reply"))
			m->automatic = true;
	} else if (name_is(name, "Auto-Submitted")) {
		rc = set_once(&m->auto_submitted, value, true);
		/* "no" (and "no; comment") is a person's message. */
		if (!rc) {
			const char *a = m->auto_submitted;

			if (strncmp(a, "no", 2) ||
			    (a[2] && a[2] != ' ' && a[2] != ';' && a[2] != '('))
				m->automatic = true;
		}
	} else {
		mark_kind(m, name, value);
	}
	return rc;
}

/* Is this a header this file reads? Every other field (Received,
 * DKIM-Signature...: most of a header's bytes) is skipped unread. */
static bool wanted(const char *name, size_t n)
{
	static const char *const names[] = {
		"Subject",	    "Message-ID",      "In-Reply-To",
		"References",	    "Date",	       "List-Id",
		"Precedence",	    "Auto-Submitted",  "List-Post",
		"List-Unsubscribe", "X-Autoreply",     "X-Autorespond",
		"X-Auto-Response",  "X-Autogenerated", "X-Autoreply-From",
		"Content-Type",
	};

	for (int f = 0; f < MAIL_N_FIELDS; f++)
		if (strlen(field_names[f]) == n &&
		    !g_ascii_strncasecmp(name, field_names[f], n))
			return true;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (strlen(names[i]) == n &&
		    !g_ascii_strncasecmp(name, names[i], n))
			return true;
	return false;
}

/*
 * The header is split into fields here (RFC 5322 2.2: a name, a colon,
 * a value that continues on lines starting with a space or a tab), and
 * each wanted value, unfolded, goes to GMime's decoders: addresses,
 * encoded words and charsets, dates, message ids. Building a whole
 * GMimeMessage for the same work cost 42 us a message, most of it in
 * GObject locking, and capped an mbox import at 10,000 messages a
 * second; this costs a fraction of it. A line that is neither a field
 * nor a continuation (no colon, a space in the name) is skipped, as
 * GMime's own parser does.
 */
int mail_parse_header(struct mail_header *out, const char *data, size_t len,
		      struct kith_err *err)
{
	size_t end = mail_header_end(data, len), i = 0, fields = 0;
	char *value = NULL;
	size_t cap = 0;
	int rc = KITH_OK;

	memset(out, 0, sizeof(*out));
	out->date = KITH_NO_TIME;
	pthread_once(&gmime_once, gmime_setup);
	while (i < end && !rc) {
		const char *line = data + i, *colon, *nl;
		size_t ll, nlen, vlen = 0;
		char name[64];

		nl = memchr(line, '\n', end - i);
		ll = nl ? (size_t)(nl - line) : end - i;
		i += ll + (nl != NULL);
		colon = memchr(line, ':', ll);
		if (!colon || colon == line || line[0] == ' ' ||
		    line[0] == '\t')
			continue;
		nlen = (size_t)(colon - line);
		while (nlen && (line[nlen - 1] == ' ' || line[nlen - 1] == '\t'))
			nlen--;
		if (!nlen || memchr(line, ' ', nlen) || nlen >= sizeof(name))
			continue;
		fields++;
		if (!wanted(line, nlen)) {
			/* skip its continuation lines */
			while (i < end && (data[i] == ' ' || data[i] == '\t')) {
				nl = memchr(data + i, '\n', end - i);
				i = nl ? (size_t)(nl - data) + 1 : end;
			}
			continue;
		}
		memcpy(name, line, nlen);
		name[nlen] = '\0';
		/* The value and its continuations, line ends dropped. */
		for (const char *v = colon + 1;;) {
			size_t vl = (size_t)(line + ll - v);

			if (vl && v[vl - 1] == '\r')
				vl--;
			if (vlen + vl + 1 > cap) {
				char *g = realloc(value, cap = (vlen + vl) * 2 + 256);

				if (!g) {
					rc = KITH_ENOMEM;
					break;
				}
				value = g;
			}
			memcpy(value + vlen, v, vl);
			vlen += vl;
			value[vlen] = '\0';
			if (i >= end || (data[i] != ' ' && data[i] != '\t'))
				break;
			line = v = data + i;
			nl = memchr(line, '\n', end - i);
			ll = nl ? (size_t)(nl - line) : end - i;
			i += ll + (nl != NULL);
		}
		if (!rc)
			rc = read_field(out, name, value);
	}
	free(value);
	if (rc) {
		mail_header_clear(out);
		return kith_err_nomem(err);
	}
	if (!fields)
		return kith_err_set(err, KITH_EINPUT, "header",
				    "no mail header field (expected lines like "
				    "\"From: ana@example.org\")");
	return KITH_OK;
}

bool mail_addr_noreply(const char *addr)
{
	static const char *const exact[] = {
		"noreply",	 "no-reply",	  "no_reply",	   "donotreply",
		"do-not-reply", "do_not_reply", "mailer-daemon", "postmaster",
		"bounce",	 "bounces",	  "notifications", "notification",
		"daemon",	 "nobody",
	};
	const char *at = addr ? strrchr(addr, '@') : NULL;
	size_t len;

	if (!at)
		return false;
	len = (size_t)(at - addr);
	if (!g_ascii_strncasecmp(addr, "noreply", 7) ||
	    !g_ascii_strncasecmp(addr, "no-reply", 8) ||
	    !g_ascii_strncasecmp(addr, "donotreply", 10) ||
	    !g_ascii_strncasecmp(addr, "do-not-reply", 12) ||
	    !g_ascii_strncasecmp(addr, "bounce", 6))
		return true;
	for (size_t i = 0; i < sizeof(exact) / sizeof(*exact); i++)
		if (strlen(exact[i]) == len &&
		    !g_ascii_strncasecmp(addr, exact[i], len))
			return true;
	return false;
}
