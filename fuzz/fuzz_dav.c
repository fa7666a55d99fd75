/* fuzz_dav.c: libFuzzer target for the WebDAV/CardDAV request bodies
 * (input/dav_xml.c). Any input must parse or fail with KITH_EINPUT (or
 * KITH_ENOMEM); what parses must keep its limits; and the writer's XML
 * escaping of the same bytes must always be well-formed XML text. */
#include "input/dav_xml.h"

#include <libxml/parser.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void escape_parses(const uint8_t *data, size_t size)
{
	struct dav_buf b = {0};
	xmlDoc *doc;

	dav_buf_str(&b, "<x a=\"");
	dav_buf_xml(&b, (const char *)data, size);
	dav_buf_str(&b, "\">");
	dav_buf_xml(&b, (const char *)data, size);
	dav_buf_str(&b, "</x>");
	if (b.failed)
		abort();
	doc = xmlReadMemory(b.s, (int)b.len, NULL, "UTF-8",
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
				XML_PARSE_NOWARNING);
	if (!doc)
		abort();
	xmlFreeDoc(doc);
	dav_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct kith_err err = {0};
	struct dav_body b;
	int rc;

	if (!ready) {
		dav_xml_init();
		ready = 1;
	}
	rc = dav_xml_parse(&b, (const char *)data, size, &err);
	if (rc && rc != KITH_EINPUT && rc != KITH_ENOMEM)
		abort();
	if (!rc) {
		if (b.n_props > DAV_XML_MAX_PROPS ||
		    b.n_hrefs > DAV_XML_MAX_HREFS ||
		    b.n_filters > DAV_XML_MAX_FILTERS)
			abort();
		for (size_t i = 0; i < b.n_props; i++)
			if (!b.props[i].ns || !b.props[i].name)
				abort();
		for (size_t i = 0; i < b.n_hrefs; i++)
			if (!b.hrefs[i])
				abort();
		if (b.kind == DAV_BODY_SYNC && !b.sync_token)
			abort();
		if (b.resourcetype < 0 || b.resourcetype > 2)
			abort();
		/* A param-filter has its name; a text-match its type. */
		for (size_t i = 0; i < b.n_filters; i++)
			if ((b.filters[i].param_text &&
			     (!b.filters[i].param ||
			      !b.filters[i].param_match)) ||
			    (b.filters[i].text && !b.filters[i].match))
				abort();
		dav_body_free(&b);
	}
	if (size < 4096)
		escape_parses(data, size);
	return 0;
}
