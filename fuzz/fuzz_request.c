/* fuzz_request.c: libFuzzer target for the request line and headers.
 * The input is the raw bytes a client sends, over a real socket to a
 * real server (serve_harness.h): libmicrohttpd parses the request line,
 * target, query, headers and cookies; http.c and api_handle route it.
 * "@COOKIE@", "@CSRF@" and "@HOOK@" in the input become the signed-in
 * owner's session cookie, its CSRF token and the webhook path, so
 * inputs reach past authentication. No input may crash or hang the
 * server or get a 5xx, except 505, libmicrohttpd's correct answer to an
 * HTTP version it does not speak. */
#include "serve_harness.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Replace each marker by its value; out holds at most max bytes. */
static size_t expand(const uint8_t *in, size_t n, char *out, size_t max)
{
	static const struct {
		const char *mark;
		const char *value;
	} marks[] = { { "@COOKIE@", hs_cookie },
		      { "@CSRF@", hs_csrf },
		      { "@HOOK@", hs_hook } };
	size_t o = 0;

	for (size_t i = 0; i < n && o < max;) {
		size_t k, l = 0;

		for (k = 0; k < sizeof(marks) / sizeof(*marks); k++) {
			l = strlen(marks[k].mark);
			if (n - i >= l && !memcmp(in + i, marks[k].mark, l))
				break;
		}
		if (k < sizeof(marks) / sizeof(*marks)) {
			size_t v = strlen(marks[k].value);

			if (o + v > max)
				break;
			memcpy(out + o, marks[k].value, v);
			o += v;
			i += l;
		} else {
			out[o++] = (char)in[i++];
		}
	}
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char req[256 * 1024], resp[1 << 20];
	size_t n;
	int status;

	hs_start();
	hs_begin();
	if (size > 128 * 1024)
		return 0;
	n = expand(data, size, req, sizeof(req));
	/* Without the blank line that ends the headers the server can only
	 * refuse the request line, at once; waiting longer for a request
	 * that cannot be complete would cost the fuzzer most of its speed.
	 * Either way a server quiet for 5 ms (no malloc or free in any
	 * thread) has taken every byte and waits for more: 1,774 exec/s
	 * against 111 when each such input waited the whole time, with the
	 * same answers to every input of the corpus. */
	hs_exchange(req, n, resp, sizeof(resp),
		    memmem(req, n, "\r\n\r\n", 4) || memmem(req, n, "\n\n", 2)
			    ? 250
			    : 30,
		    5);
	status = hs_status(resp);
	if (status >= 500 && status != 505) {
		fprintf(stderr, "fuzz_request: %d for:\n%.*s\n--\n%.2000s\n",
			status, (int)(n < 2000 ? n : 2000), req, resp);
		abort();
	}
	hs_keep_signed_in();
	hs_settle();
	return 0;
}
