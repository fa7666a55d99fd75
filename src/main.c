/* main.c: kith's command line: global options, then a table of commands. */
#include "cli/cli.h"
#include "render/json.h"

#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

struct command {
	const char *name;
	int (*fn)(struct cli *c);
	bool write;		/* runs in one transaction */
	const char *usage;
	const char *help;
	bool own_store;		/* opens the store itself: no workspace */
};

static const struct command commands[] = {
	{ "init", cmd_init, true, "init",
	  "Create the database and a workspace (idempotent)." },
	{ "add", cmd_add, true,
	  "add NAME [--email E]... [--phone P]... [--org ORG] [--title T]\n"
	  "         [--tz ZONE] [--tier A|B|C] [--every CADENCE]\n"
	  "         [--meet-every CADENCE] [--tag TAG]... [--since DATE]\n"
	  "         [--handle @H]... [--notes TEXT]",
	  "Add a contact. CADENCE is days (30) or 30d, 6w, 3m, 1y." },
	{ "edit", cmd_edit, true,
	  "edit WHO [--name N] [--email E]... [--remove-email E]\n"
	  "         [--phone P]... [--org ORG] [--title T] [--tz ZONE]\n"
	  "         [--tier A|B|C|none] [--every C] [--meet-every C]\n"
	  "         [--tag T]... [--untag T]... [--since DATE] [--notes T]",
	  "Change a contact. An empty value (--org \"\") clears a field;\n"
	  "--every 0 returns to the inherited cadence." },
	{ "show", cmd_show, false, "show WHO", "Show one contact." },
	{ "list", cmd_list, false,
	  "list [--tag TAG] [--tier A|B|C] [--limit N]", "List contacts." },
	{ "search", cmd_search, false, "search WORDS",
	  "Find contacts by name, email, organization, title, tag, phone,\n"
	  "notes or a remembered fact." },
	{ "delete", cmd_delete, true, "delete WHO",
	  "Delete a contact and what only they took part in." },
	{ "merge", cmd_merge, true, "merge FROM INTO",
	  "Merge two records of one person: FROM's touches, facts, dates,\n"
	  "promises and gifts move to INTO, and FROM is removed." },
	{ "snooze", cmd_snooze, true,
	  "snooze WHO (--for DURATION | --until DATE | --off)",
	  "Keep a contact off the agenda for a while (1w, 3d, 2026-12-01)." },
	{ "log", cmd_log, true,
	  "log WHO[,WHO...] --via CHANNEL [--at TIME] [--minutes N]\n"
	  "         [--note TEXT] [--direction out|in|mutual]",
	  "Log a touchpoint with one or more people. CHANNEL is in_person,\n"
	  "video, call, letter, gift, text, email or social; TIME without a\n"
	  "zone is local (\"2026-11-20 09:30\"); default now." },
	{ "fact", cmd_fact, true, "fact WHO TEXT",
	  "Remember a personal detail." },
	{ "date", cmd_date, true, "date WHO KIND DATE [--once]",
	  "Remember a date (birthday, anniversary, ...): YYYY-MM-DD, or\n"
	  "--MM-DD without a year. Dates recur yearly unless --once." },
	{ "promise", cmd_promise, true, "promise WHO TEXT [--due TIME]",
	  "Record a commitment; a date alone is due at the end of that day\n"
	  "in the contact's time zone." },
	{ "promises", cmd_promises, false, "promises [--all]",
	  "Open promises with their ids, overdue first (--all: kept too)." },
	{ "done", cmd_done, true, "done ID", "Mark promise ID kept." },
	{ "gift", cmd_gift, true, "gift WHO TEXT [--value N] [--at TIME]",
	  "Record a thank-you, perk or gift." },
	{ "revenue", cmd_revenue, true,
	  "revenue WHO AMOUNT [--at TIME] [--note TEXT]",
	  "Record revenue from a client (for lifetime value)." },
	{ "cadence", cmd_cadence, true,
	  "cadence [(--tag TAG | --tier A|B|C | --default)\n"
	  "         [--every C] [--meet-every C]]",
	  "Set how often to be in touch for a tag, a tier or everyone;\n"
	  "without options, list the rules. --every 0 unsets." },
	{ "due", cmd_due, false, "due [--limit N]",
	  "Who to reach today, most urgent first, each with its reasons." },
	{ "brief", cmd_brief, false, "brief WHO",
	  "One screen before the call or the coffee." },
	{ "health", cmd_health, false, "health [WHO]",
	  "Relationship health 0-100 with its parts; without WHO, the\n"
	  "workspace's distribution." },
	{ "report", cmd_report, false, "report",
	  "Channel mix, human-touch balance, loyalty and who is going cold." },
	{ "export", cmd_export, false,
	  "export [--format json|vcard|csv|ics] [--version 3.0|4.0]\n"
	  "         [--output FILE]",
	  "Write the book (stdout by default): json, the whole book for\n"
	  "kith import; vcard (3.0 default, or 4.0) and csv (Google and\n"
	  "Outlook columns) for address books; ics, birthdays,\n"
	  "anniversaries and promises for a calendar." },
	{ "import", cmd_import, true,
	  "import FILE|DIR|- [--format json|vcard|csv] [--map COLS]\n"
	  "         [--dry-run] [--skip-bad]\n"
	  "       kith import FILE.mbox | MAILDIR [--dry-run] [--me ADDR]",
	  "Import contacts from vCard (.vcf, or a folder of them) or CSV\n"
	  "(Google, Outlook, Apple, LinkedIn; --map \"E-mail=email,Company=org\"\n"
	  "for others), matching by UID, email, then phone: a match is\n"
	  "merged, a card that adds nothing is left. All or nothing; with\n"
	  "--skip-bad bad cards are listed and the rest imported; --dry-run\n"
	  "tells what would happen. A JSON book (.json) is restored whole\n"
	  "into an empty workspace. An mbox file or a Maildir (kith import\n"
	  "FILE.mbox | MAILDIR [--dry-run] [--me ADDR]): emails to and from\n"
	  "contacts become touches, unanswered ones from clients signals." },
	{ "demo", cmd_demo, true, "demo [--contacts N --touches M]",
	  "Seed the demo book; with --contacts, a big synthetic one." },
	{ "serve", cmd_serve, false,
	  "serve [--listen ADDR:PORT] [--threads N] [--quiet]\n"
	  "         [--notify-allow HOST[:PORT],...]... [--hook-rate N]\n"
	  "         [--hook-daily N] [--trust-proxy CIDR]...\n"
	  "         [--per-ip-limit N] [--header-timeout SECONDS]\n"
	  "         [--max-streams N] [--mail-every SECONDS]\n"
	  "         [--mail-allow HOST[:PORT],...]... [--stop-grace SECONDS]",
	  "Serve the JSON API and the web app (default 127.0.0.1:8080)\n"
	  "until SIGTERM; one access-log line per request on stderr unless\n"
	  "--quiet; sync mailboxes every --mail-every seconds (default\n"
	  "180). Up to 4000 connections, --per-ip-limit (64) per address;\n"
	  "headers must arrive within --header-timeout (10 s). On SIGTERM,\n"
	  "requests in flight get --stop-grace (10 s) to finish. For TLS,\n"
	  "put nginx or Caddy in front and name it with --trust-proxy:\n"
	  "see kith-serve(1) and docs/OPERATIONS.md." },
	{ "user", cmd_user, true,
	  "user add EMAIL [--role owner|member|viewer] [--name N]\n"
	  "                [--password-stdin]\n"
	  "       kith user list | kith user remove EMAIL",
	  "Members of the workspace (--workspace NAME creates it)." },
	{ "webhook", cmd_webhook, true, "webhook [show | rotate] [--base URL]",
	  "The workspace's webhook URL for signals; rotate replaces it." },
	{ "feed", cmd_feed, true,
	  "feed [--rotate] [--user EMAIL] [--base-url URL]",
	  "Your secret calendar feed URL (dates, promises, who is due\n"
	  "today) for Google, Apple or Thunderbird to subscribe to;\n"
	  "--rotate replaces it and the old URL stops working." },
	{ "carddav", cmd_carddav, false,
	  "carddav [--user EMAIL] [--base-url URL]",
	  "The URL and user name to give a phone, DAVx5, Thunderbird or\n"
	  "vdirsyncer so its address book syncs with kith serve." },
	{ "signals", cmd_signals, true,
	  "signals [--waiting] [--stats] | signals attach ID WHO |\n"
	  "       kith signals new ID [--name N]",
	  "Inbound signals, waiting first; --stats gives response times\n"
	  "in working minutes. attach and new make a lead a contact's." },
	{ "focus", cmd_focus, true,
	  "focus (--for DURATION | --until TIME | --off) [--user EMAIL]",
	  "Hold alerts while you focus; they come as one digest after." },
	{ "notify", cmd_notify, true,
	  "notify add URL [--json] | notify list | notify remove ID |\n"
	  "       kith notify test   [--user EMAIL]",
	  "Where alerts go besides the web app (a plain POST, as ntfy\n"
	  "takes; --json for a JSON body). test sends the digest now." },
	{ "meetings", cmd_meetings, true,
	  "meetings [import FILE.ics | confirm ID | dismiss ID] [--user EMAIL]",
	  "Meetings hold alerts while they run; past ones with contacts\n"
	  "become touchpoints to confirm." },
	{ "mail", cmd_mail, false,
	  "mail add imaps://USER@HOST/MAILBOX --password-stdin\n"
	  "         [--address ADDR] [--cacert FILE] [--user EMAIL]\n"
	  "       kith mail add imaps://USER@HOST --folders INBOX,Sent\n"
	  "         [--password-stdin] ...\n"
	  "       kith mail list | remove ID | sync [ID] [--dry-run]\n"
	  "       kith mail watch MAILDIR\n"
	  "       kith mail suggest [--limit N] | alias [add|remove ADDR]",
	  "Email becomes touches and signals: IMAP mailboxes, one per folder\n"
	  "(headers only; the password sealed with the key in DB.mailkey or\n"
	  "$KITH_MAIL_KEY; another folder of an account takes its password),\n"
	  "a Maildir watched as mail lands, and new correspondents worth\n"
	  "adding. alias adds an address of yours (direction of mail)." },
	{ "token", cmd_token, true,
	  "token create EMAIL [--name N] [--expires DAYS] | token list |\n"
	  "       kith token revoke ID",
	  "API tokens; create prints the secret once, on its last line.\n"
	  "create needs no --workspace: EMAIL's user belongs to one." },
	{ "backup", cmd_backup, false, "backup FILE [--force]",
	  "Copy the whole database, as of one moment, to FILE (online: a\n"
	  "running kith serve keeps answering). Never replaces FILE unless\n"
	  "--force.", true },
	{ "restore", cmd_restore, false, "restore FILE [--force]",
	  "Replace the whole database with the backup FILE, after checking\n"
	  "it (integrity, a kith schema this kith reads). Refuses a database\n"
	  "that holds a book unless --force; a running server sees the old\n"
	  "book or the new one, never a mix.", true },
	{ "migrate", cmd_migrate, false, "migrate --to postgresql://URL [--json]",
	  "Copy the whole book (every workspace, user, token, signal...)\n"
	  "from the SQLite --db into an empty PostgreSQL database, in one\n"
	  "transaction; then run kith with --db URL. Refuses a target that\n"
	  "holds a workspace. Mailbox passwords stay sealed with DB.mailkey:\n"
	  "give the server that key as KITH_MAIL_KEY (64 hex digits).", true },
	{ "doctor", cmd_doctor, false,
	  "doctor [--repair] [--listen ADDR:PORT] [--json]",
	  "Check the database (integrity, schema, sizes, summaries), notify\n"
	  "targets, mailboxes and, with --listen, the server. Exit 1 names\n"
	  "each problem. --repair first makes again, in one transaction,\n"
	  "what is kept derived from history and the list tables: summaries,\n"
	  "each contact's kept lists, the directory.", true },
};

#define N_COMMANDS (sizeof(commands) / sizeof(*commands))

static void usage(FILE *f)
{
	fprintf(f, "usage: kith [--db PATH] [--workspace NAME] [--json] "
		   "COMMAND [ARGS]\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const char *nl = strchr(commands[i].help, '\n');
		int len = nl ? (int)(nl - commands[i].help)
			     : (int)strlen(commands[i].help);

		fprintf(f, "  %-9s %.*s\n", commands[i].name, len,
			commands[i].help);
	}
	fprintf(f, "\nkith COMMAND --help tells more. The database is --db, "
		   "else $KITH_DB,\nelse $XDG_DATA_HOME/kith/kith.db. "
		   "KITH_NOW=2026-11-20T09:00:00Z fixes \"now\".\n");
}

static const char *default_db(char *buf, size_t n)
{
	const char *v = getenv("KITH_DB");

	if (v && *v)
		return v;
	v = getenv("XDG_DATA_HOME");
	if (v && *v) {
		snprintf(buf, n, "%s/kith/kith.db", v);
		return buf;
	}
	v = getenv("HOME");
	snprintf(buf, n, "%s/.local/share/kith/kith.db", v && *v ? v : ".");
	return buf;
}

/* Take the global options out of argv, wherever they stand. */
static int take_globals(struct cli *c, int *argc, char **argv, bool *help,
			bool *version)
{
	int out = 0;

	for (int i = 0; i < *argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json")) {
			c->json = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			*help = true;
		} else if (!strcmp(a, "--version") && !out) {
			/* Before the command word only: after it, --version
			 * is the command's (export --version 4.0). */
			*version = true;
		} else if (!strcmp(a, "--db") || !strcmp(a, "--workspace")) {
			if (i + 1 >= *argc)
				return kith_err_set(&c->err, KITH_EINPUT, a,
						    "needs a value");
			if (a[2] == 'd')
				c->db_path = argv[++i];
			else
				c->ws_name = argv[++i];
		} else if (!strncmp(a, "--db=", 5)) {
			c->db_path = a + 5;
		} else if (!strncmp(a, "--workspace=", 12)) {
			c->ws_name = a + 12;
		} else {
			argv[out++] = argv[i];
		}
	}
	*argc = out;
	return KITH_OK;
}

/* May the command run again after a failure the store calls
 * retryable? The one-transaction writes that read nothing but their
 * arguments (not stdin, which a first run consumed) and write nothing
 * outside the database. */
static bool retry_safe(const struct command *cmd)
{
	static int (*const fns[])(struct cli *) = {
		cmd_init,  cmd_add,	cmd_edit,    cmd_delete, cmd_merge,
		cmd_snooze, cmd_log,	cmd_fact,    cmd_date,	 cmd_promise,
		cmd_done,  cmd_gift,	cmd_revenue, cmd_cadence,
	};

	if (!cmd->write || cmd->own_store)
		return false;
	for (size_t i = 0; i < sizeof(fns) / sizeof(*fns); i++)
		if (cmd->fn == fns[i])
			return true;
	return false;
}

static int fail(struct cli *c, int rc)
{
	char buf[1024];

	if (c->err.status == KITH_OK)
		kith_err_set(&c->err, (enum kith_status)rc, NULL,
			     "failed (%s)", kith_status_name(rc));
	/* One line: the command, then file:line: field: what was expected. */
	fprintf(stderr, "kith%s%s: %s\n", c->cmd ? " " : "",
		c->cmd ? c->cmd : "", kith_err_format(&c->err, buf, sizeof(buf)));
	return kith_status_exit(c->err.status);
}

int main(int argc, char **argv)
{
	static struct cli c;
	const struct command *cmd = NULL;
	bool help = false, version = false;
	char dbbuf[4096];
	kith_time now;
	int rc, n = argc - 1;

	term_init();
	rc = take_globals(&c, &n, argv + 1, &help, &version);
	if (rc)
		return fail(&c, rc);
	if (version) {
		printf("kith %s\n", KITH_VERSION);
		return 0;
	}
	if (n == 0) {
		usage(help ? stdout : stderr);
		return help ? 0 : 2;
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "kith: unknown command \"%s\"\n\n", argv[1]);
		usage(stderr);
		return 2;
	}
	c.cmd = cmd->name;
	if (help) {
		printf("usage: kith %s\n\n%s\n", cmd->usage, cmd->help);
		return 0;
	}
	c.argc = n - 1;
	c.argv = argv + 2;
	rc = kith_now(&now, &c.err);
	if (rc)
		return fail(&c, rc);
	if (!c.db_path)
		c.db_path = default_db(dbbuf, sizeof(dbbuf));
	if (cmd->fn == cmd_token)
		cmd_token_workspace(&c);
	/* The server serves every workspace: each request's user picks
	 * one. It only needs the migrations run. */
	if (cmd->fn != cmd_serve)
		store_allow_private_index();
	/* A write command says "Added ..." before its commit; held in
	 * the buffer (nothing is on stdout yet), that line is dropped if
	 * the commit fails (a full disk), so stdout never claims a write
	 * that did not happen. Output past the buffer goes out early. */
	if (cmd->write && !cmd->own_store)
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	for (int attempt = 1;; attempt++) {
		if (cmd->own_store) {
			rc = KITH_OK;
		} else if (cmd->fn == cmd_serve && !c.ws_name) {
			memset(&c.app, 0, sizeof(c.app));
			c.app.now = now;
			rc = store_open(&c.app.st, c.db_path, &c.err);
		} else {
			rc = app_open_tx(&c.app, c.db_path, c.ws_name, now,
					 cmd->write, &c.err);
		}
		if (rc) {
			app_close(&c.app);
			return fail(&c, rc);
		}
		rc = cmd->fn(&c);
		if (cmd->write) {
			if (rc)
				store_rollback(c.app.st);
			else
				rc = store_commit(c.app.st, &c.err);
			if (rc && !cmd->own_store)
				__fpurge(stdout);
		}
		/* Another writer won (PostgreSQL's serialization failure or
		 * deadlock) or the connection went: nothing was written, so
		 * the command runs again, whole, on a fresh connection. */
		if (!rc || !retry_safe(cmd) || !store_retryable(c.app.st) ||
		    attempt >= KITH_RETRY_MAX)
			break;
		app_close(&c.app);
		memset(&c.err, 0, sizeof(c.err));
		kith_retry_pause(attempt);
	}
	/* A command ends with its connection idle; one still in a
	 * transaction lost its writes, and says so. */
	if (c.app.st) {
		struct kith_err serr = { 0 };

		if (store_settle(c.app.st, &serr)) {
			fprintf(stderr, "kith: %s\n", serr.msg);
			if (!rc)
				rc = kith_err_set(&c.err, KITH_EIO, NULL, "%s",
						  serr.msg);
		}
	}
	fflush(stdout);
	app_close(&c.app);
	if (rc)
		return fail(&c, rc);
	return 0;
}
