/*
 * cli.h: what every command file shares: parsed options, the open
 * workspace, and the helpers that turn user words into model values
 * (contacts, times, cadences) with errors naming the option.
 */
#ifndef KITH_CLI_H
#define KITH_CLI_H

#include "../app/app.h"
#include "../render/term.h"

#define CLI_MAX_ARGS 64

struct cli_opt {
	const char *name;	/* without the dashes: "every" */
	bool arg;		/* takes a value */
};

struct cli_pair {
	const char *name;
	const char *value;	/* NULL for a flag */
};

struct cli {
	struct app_ctx app;
	const char *db_path;
	const char *ws_name;
	const char *cmd;
	bool json;
	int argc;		/* the command's own words */
	char **argv;
	const char *pos[CLI_MAX_ARGS];
	int npos;
	struct cli_pair opts[CLI_MAX_ARGS];
	int nopts;
	struct kith_err err;
};

/* Parse c->argv against spec (NULL-name terminated) into pos and opts. */
int cli_parse(struct cli *c, const struct cli_opt *spec);
/* Last value of option name, or NULL. */
const char *cli_get(const struct cli *c, const char *name);
bool cli_has(const struct cli *c, const char *name);
/* Exactly n positional words, or a usage error. */
int cli_want(struct cli *c, int min, int max);

/* The usual start of a command: parse options against spec, want min to
 * max words, and (who non-NULL) resolve the first word as the contact. */
int cli_start(int64_t *who, struct cli *c, const struct cli_opt *spec, int min,
	      int max);
/* The one contact `who` names; err names `field`. */
int cli_contact(int64_t *id, struct cli *c, const char *who, const char *field);
/* A time from option `name` (local unless zoned); absent: dflt. */
int cli_time(kith_time *out, struct cli *c, const char *name, kith_time dflt,
	     int end_of_day, const char *tz);
int cli_int(long *out, struct cli *c, const char *name, long lo, long hi,
	    long dflt);
/* A money amount "80", "19.99" into cents. */
int cli_money(int64_t *out, struct cli *c, const char *s, const char *field);

/* A use case's field (its JSON key) and the word a command's user typed
 * for it: "emails" is "--email". */
struct cli_field {
	const char *key;
	const char *word;
};

/* Rename c->err.field by map (NULL-key terminated) when rc is an error
 * whose field the map knows; the message stays. Returns rc. */
int cli_fields(struct cli *c, int rc, const struct cli_field *map);

/* The commands; each returns a kith_status with c->err filled. */
int cmd_init(struct cli *c);
int cmd_add(struct cli *c);
int cmd_edit(struct cli *c);
int cmd_show(struct cli *c);
int cmd_list(struct cli *c);
int cmd_search(struct cli *c);
int cmd_delete(struct cli *c);
int cmd_merge(struct cli *c);
int cmd_snooze(struct cli *c);
int cmd_log(struct cli *c);
int cmd_fact(struct cli *c);
int cmd_date(struct cli *c);
int cmd_promise(struct cli *c);
int cmd_promises(struct cli *c);
int cmd_done(struct cli *c);
int cmd_gift(struct cli *c);
int cmd_revenue(struct cli *c);
int cmd_cadence(struct cli *c);
int cmd_due(struct cli *c);
int cmd_brief(struct cli *c);
int cmd_health(struct cli *c);
int cmd_report(struct cli *c);
int cmd_export(struct cli *c);
int cmd_import(struct cli *c);
int cmd_demo(struct cli *c);
int cmd_serve(struct cli *c);
int cmd_user(struct cli *c);
int cmd_token(struct cli *c);
/* Before token opens its workspace: the one EMAIL's user belongs to. */
int cmd_token_workspace(struct cli *c);
int cmd_webhook(struct cli *c);
int cmd_feed(struct cli *c);
int cmd_carddav(struct cli *c);
int cmd_signals(struct cli *c);
int cmd_focus(struct cli *c);
int cmd_notify(struct cli *c);
int cmd_meetings(struct cli *c);
int cmd_mail(struct cli *c);
/* kith import of an mbox file or a Maildir (cli/mail.c): cmd_import
 * hands over when cli_mail_import_wants says the path is one. */
bool cli_mail_import_wants(const struct cli *c);
int cmd_mail_import(struct cli *c);
/* ops.c: they open the store themselves (every workspace at once). */
int cmd_backup(struct cli *c);
int cmd_restore(struct cli *c);
/* Copy the book into PostgreSQL (--to URL). */
int cmd_migrate(struct cli *c);
int cmd_doctor(struct cli *c);

#endif
