/* fuzz_router.c: libFuzzer target for the API router and its handlers.
 * The input is a request in parts, one a line:
 *   method             ("GET", ...; one byte picks a known method)
 *   path               ("/api/v1/contacts/1"; "@HOOK@" is the webhook)
 *   query              ("limit=5&cursor=x", without '?')
 *   flags              (1st: c cookie+CSRF, n cookie without CSRF,
 *                       b a wrong bearer token, else none; 2nd: j JSON,
 *                       t text/plain, else no Content-Type)
 *   one extra header   ("If-Match: \"x\"", or empty)
 *   body               (the rest, bytes as they are)
 * The harness (serve_harness.h) makes it one well-formed HTTP request,
 * bytes outside the token and path alphabets percent-encoded, and sends
 * it to a real server whose owner is signed in. Every request must be
 * answered, and never with a 5xx. */
#include "serve_harness.h"

#include <ctype.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next line of in, or the rest when it is the body. */
static const uint8_t *next_line(const uint8_t **in, const uint8_t *end,
				size_t *len)
{
	const uint8_t *s = *in;
	const uint8_t *nl = s < end ? memchr(s, '\n', (size_t)(end - s)) : NULL;

	*len = nl ? (size_t)(nl - s) : (size_t)(end - s);
	*in = nl ? nl + 1 : end;
	return s;
}

/* Append s[0..n), keeping bytes ok() allows and %-encoding the rest. */
static size_t put(char *out, size_t o, size_t max, const uint8_t *s, size_t n,
		  int (*ok)(int c))
{
	for (size_t i = 0; i < n && o + 4 < max; i++) {
		if (ok(s[i]))
			out[o++] = (char)s[i];
		else
			o += (size_t)snprintf(out + o, 4, "%%%02X", s[i]);
	}
	out[o] = '\0';
	return o;
}

static int path_ok(int c)
{
	return c > ' ' && c < 127 && c != '?' && c != '#' && c != '%';
}

static int query_ok(int c)
{
	return c > ' ' && c < 127 && c != '#' && c != '%';
}

static int header_ok(int c)
{
	return c >= ' ' && c < 127;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET",	 "POST",    "PUT",
					       "PATCH",	 "DELETE",  "HEAD",
					       "OPTIONS" };
	static char req[80 * 1024], resp[1 << 20];
	const uint8_t *in = data, *end = data + size, *m, *p, *q, *f, *h;
	size_t ml, pl, ql, fl, hl, o = 0;
	char method[17] = "";
	int status;

	hs_start();
	hs_begin();
	if (size > 64 * 1024)
		return 0;
	m = next_line(&in, end, &ml);
	p = next_line(&in, end, &pl);
	q = next_line(&in, end, &ql);
	f = next_line(&in, end, &fl);
	h = next_line(&in, end, &hl);
	if (ml <= 1) {
		snprintf(method, sizeof(method), "%s",
			 methods[(ml ? m[0] : 0) % 7]);
	} else {
		for (size_t i = 0; i < ml && i < 16; i++)
			method[i] = isalpha(m[i]) ? (char)toupper(m[i]) : 'X';
		method[ml < 16 ? ml : 16] = '\0';
	}
	o = (size_t)snprintf(req, sizeof(req), "%s ", method);
	if (pl >= 6 && !memcmp(p, "@HOOK@", 6)) {
		o += (size_t)snprintf(req + o, sizeof(req) - o, "%s", hs_hook);
		p += 6;
		pl -= 6;
	} else if (!pl || p[0] != '/') {
		req[o++] = '/';
	}
	o = put(req, o, 2048, p, pl, path_ok);
	if (ql) {
		req[o++] = '?';
		o = put(req, o, 4096, q, ql, query_ok);
	}
	o += (size_t)snprintf(req + o, sizeof(req) - o,
			      " HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n");
	if (fl && (f[0] == 'c' || f[0] == 'n'))
		o += (size_t)snprintf(req + o, sizeof(req) - o,
				      "Cookie: %s\r\n", hs_cookie);
	if (fl && f[0] == 'c')
		o += (size_t)snprintf(req + o, sizeof(req) - o,
				      "X-CSRF-Token: %s\r\n", hs_csrf);
	if (fl && f[0] == 'b')
		o += (size_t)snprintf(req + o, sizeof(req) - o,
				      "Authorization: Bearer kith_tok_x\r\n");
	if (fl > 1 && (f[1] == 'j' || f[1] == 't'))
		o += (size_t)snprintf(req + o, sizeof(req) - o,
				      "Content-Type: %s\r\n",
				      f[1] == 'j' ? "application/json"
						  : "text/plain");
	/* A header line needs a name and a colon; else it is left out. */
	if (hl && memchr(h, ':', hl) && h[0] != ':' && h[0] != ' ') {
		o = put(req, o, 8192, h, hl, header_ok);
		o += (size_t)snprintf(req + o, sizeof(req) - o, "\r\n");
	}
	o += (size_t)snprintf(req + o, sizeof(req) - o,
			      "Content-Length: %zu\r\n\r\n",
			      (size_t)(end - in));
	if ((size_t)(end - in) > sizeof(req) - o)
		return 0;
	memcpy(req + o, in, (size_t)(end - in));
	o += (size_t)(end - in);
	/* A well-formed request: no answer within 10 s is a hang. */
	hs_exchange(req, o, resp, sizeof(resp), 10000, 0);
	status = hs_status(resp);
	/* No answer at all: once more before calling it a finding, since
	 * thousands of connections a second can run the machine out of
	 * sockets for a moment; a real hang or crash comes back. */
	if (!status) {
		usleep(200 * 1000);
		hs_exchange(req, o, resp, sizeof(resp), 10000, 0);
		status = hs_status(resp);
	}
	if (status == 0 || status >= 500) {
		fprintf(stderr, "fuzz_router: %d for:\n%.*s\n--\n%.2000s\n",
			status, (int)(o < 3000 ? o : 3000), req, resp);
		abort();
	}
	hs_keep_signed_in();
	hs_settle();
	return 0;
}
