/* cli.c: option parsing and the word-to-value helpers of the commands. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int cli_parse(struct cli *c, const struct cli_opt *spec)
{
	bool rest = false;

	c->npos = 0;
	c->nopts = 0;
	for (int i = 0; i < c->argc; i++) {
		const char *a = c->argv[i];
		const struct cli_opt *o = NULL;
		const char *eq;
		size_t len;

		/* "--11-25" is a date without its year, not an option. */
		if (rest || a[0] != '-' || a[1] != '-' || !a[2] ||
		    (a[2] >= '0' && a[2] <= '9')) {
			if (!rest && !strcmp(a, "--")) {
				rest = true;
				continue;
			}
			if (c->npos == CLI_MAX_ARGS)
				return kith_err_set(&c->err, KITH_EINPUT, NULL,
						    "too many arguments");
			c->pos[c->npos++] = a;
			continue;
		}
		eq = strchr(a + 2, '=');
		len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		for (const struct cli_opt *s = spec; s && s->name; s++)
			if (strlen(s->name) == len &&
			    !strncmp(s->name, a + 2, len))
				o = s;
		if (!o)
			return kith_err_set(&c->err, KITH_EINPUT, a,
					    "unknown option for \"%s\" (see "
					    "kith %s --help)",
					    c->cmd, c->cmd);
		if (c->nopts == CLI_MAX_ARGS)
			return kith_err_set(&c->err, KITH_EINPUT, NULL,
					    "too many options");
		c->opts[c->nopts].name = o->name;
		if (!o->arg) {
			if (eq)
				return kith_err_set(&c->err, KITH_EINPUT, a,
						    "takes no value");
			c->opts[c->nopts++].value = NULL;
		} else if (eq) {
			c->opts[c->nopts++].value = eq + 1;
		} else if (i + 1 < c->argc) {
			c->opts[c->nopts++].value = c->argv[++i];
		} else {
			return kith_err_set(&c->err, KITH_EINPUT, a,
					    "needs a value");
		}
	}
	return KITH_OK;
}

const char *cli_get(const struct cli *c, const char *name)
{
	const char *v = NULL;

	for (int i = 0; i < c->nopts; i++)
		if (!strcmp(c->opts[i].name, name))
			v = c->opts[i].value;
	return v;
}

bool cli_has(const struct cli *c, const char *name)
{
	for (int i = 0; i < c->nopts; i++)
		if (!strcmp(c->opts[i].name, name))
			return true;
	return false;
}

int cli_want(struct cli *c, int min, int max)
{
	if (c->npos < min)
		return kith_err_set(&c->err, KITH_EINPUT, NULL,
				    "missing argument (see kith %s --help)",
				    c->cmd);
	if (c->npos > max)
		return kith_err_set(&c->err, KITH_EINPUT, NULL,
				    "unexpected argument \"%s\" (see kith %s "
				    "--help)",
				    c->pos[max], c->cmd);
	return KITH_OK;
}

int cli_start(int64_t *who, struct cli *c, const struct cli_opt *spec, int min,
	      int max)
{
	int rc = cli_parse(c, spec);

	if (!rc)
		rc = cli_want(c, min, max);
	if (!rc && who)
		rc = cli_contact(who, c, c->pos[0], "WHO");
	return rc;
}

int cli_contact(int64_t *id, struct cli *c, const char *who, const char *field)
{
	return app_resolve(id, &c->app, who, 0, field, &c->err);
}

int cli_time(kith_time *out, struct cli *c, const char *name, kith_time dflt,
	     int end_of_day, const char *tz)
{
	const char *v = cli_get(c, name);
	char field[40];

	if (!v) {
		*out = dflt;
		return KITH_OK;
	}
	snprintf(field, sizeof(field), "--%s", name);
	return kith_time_parse(out, v, tz, end_of_day, field, &c->err);
}

int cli_int(long *out, struct cli *c, const char *name, long lo, long hi,
	    long dflt)
{
	const char *v = cli_get(c, name);
	char field[40], *end;
	long n;

	if (!v) {
		*out = dflt;
		return KITH_OK;
	}
	snprintf(field, sizeof(field), "--%s", name);
	errno = 0;
	n = strtol(v, &end, 10);
	if (end == v || *end || errno || n < lo || n > hi)
		return kith_err_set(&c->err, KITH_EINPUT, field,
				    "expected a whole number from %ld to %ld, "
				    "got \"%s\"",
				    lo, hi, v);
	*out = n;
	return KITH_OK;
}

int cli_money(int64_t *out, struct cli *c, const char *s, const char *field)
{
	char *end;
	double v;

	errno = 0;
	v = s ? strtod(s, &end) : 0;
	if (!s || end == s || *end || errno || !isfinite(v) || v < 0 ||
	    v > 1e12)
		return kith_err_set(&c->err, KITH_EINPUT, field,
				    "expected an amount like 80 or 19.99, "
				    "got \"%s\"",
				    s ? s : "");
	*out = llround(v * 100.0);
	return KITH_OK;
}

int cli_fields(struct cli *c, int rc, const struct cli_field *map)
{
	for (const struct cli_field *m = map; rc && m->key; m++) {
		if (!strcmp(c->err.field, m->key)) {
			snprintf(c->err.field, sizeof(c->err.field), "%s",
				 m->word);
			break;
		}
	}
	return rc;
}
