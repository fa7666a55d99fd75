/* assets.h: the web app's files, embedded at build time (tools/embed.c
 * writes build/gen/assets.c from web/). */
#ifndef KITH_ASSETS_H
#define KITH_ASSETS_H

#include <stddef.h>

struct asset {
	const char *path;	/* "/index.html" */
	const char *type;	/* Content-Type */
	const unsigned char *data;
	size_t len;
};

extern const struct asset assets[];
extern const size_t n_assets;

/* The asset for a URL path, or NULL. "/" is /index.html. */
const struct asset *asset_find(const char *path);

#endif
