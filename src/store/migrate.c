/*
 * migrate.c: the schema as numbered migrations, run in order on open.
 * A migration is never edited once landed; a change is a new entry.
 * Every table leads its keys with workspace_id so the schema can be
 * sharded by tenant. Foreign keys are declared only where the child has
 * an index leading with the key (an undeclared key is kept by the store:
 * a declared one without an index turns a contact delete into a scan of
 * ten million touches).
 */
#include "migrate.h"

static const char *const migrations[] = {
	/* 1: the relationship book */
	"CREATE TABLE workspace ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	" tz TEXT NOT NULL DEFAULT '',"
	" work_start INTEGER NOT NULL DEFAULT 540,"
	" work_end INTEGER NOT NULL DEFAULT 1080,"
	" response_target INTEGER NOT NULL DEFAULT 30,"
	" created_at INTEGER NOT NULL);"
	"CREATE TABLE user ("
	" id INTEGER PRIMARY KEY,"
	" workspace_id INTEGER NOT NULL REFERENCES workspace(id),"
	" email TEXT NOT NULL COLLATE NOCASE,"
	" name TEXT NOT NULL DEFAULT '',"
	" role TEXT NOT NULL DEFAULT 'member',"
	" password_hash TEXT,"
	" tz TEXT NOT NULL DEFAULT '',"
	" created_at INTEGER NOT NULL,"
	" UNIQUE (workspace_id, email));"
	"CREATE TABLE organization ("
	" id INTEGER PRIMARY KEY,"
	" workspace_id INTEGER NOT NULL REFERENCES workspace(id),"
	" name TEXT NOT NULL,"
	" created_at INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX organization_name"
	" ON organization(workspace_id, name COLLATE NOCASE);"
	"CREATE TABLE contact ("
	" id INTEGER PRIMARY KEY,"
	" workspace_id INTEGER NOT NULL REFERENCES workspace(id),"
	" name TEXT NOT NULL,"
	" org_id INTEGER,"
	" title TEXT,"
	" tz TEXT,"
	" notes TEXT,"
	" tier TEXT NOT NULL DEFAULT '',"
	" every INTEGER NOT NULL DEFAULT 0,"
	" meet_every INTEGER NOT NULL DEFAULT 0,"
	" since INTEGER,"
	" owner_id INTEGER,"
	" snooze_until INTEGER,"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" version INTEGER NOT NULL DEFAULT 1,"
	/* summaries, kept by the store on every write */
	" last_touch INTEGER,"
	" last_in_person INTEGER,"
	" touch_count INTEGER NOT NULL DEFAULT 0,"
	" eff_every INTEGER NOT NULL DEFAULT 0,"
	" eff_meet INTEGER NOT NULL DEFAULT 0,"
	" any_anchor INTEGER NOT NULL,"
	" meet_anchor INTEGER NOT NULL,"
	" due_at INTEGER,"
	" meet_due_at INTEGER);"
	/* The agenda reads these two in order: oldest anchor per cadence. */
	"CREATE INDEX contact_due_any"
	" ON contact(workspace_id, eff_every, any_anchor);"
	"CREATE INDEX contact_due_meet"
	" ON contact(workspace_id, eff_meet, meet_anchor);"
	"CREATE INDEX contact_name ON contact(workspace_id, name COLLATE NOCASE);"
	"CREATE INDEX contact_org ON contact(workspace_id, org_id);"
	"CREATE TABLE contact_email ("
	" workspace_id INTEGER NOT NULL,"
	" contact_id INTEGER NOT NULL REFERENCES contact(id),"
	" pos INTEGER NOT NULL,"
	" email TEXT NOT NULL COLLATE NOCASE,"
	" PRIMARY KEY (contact_id, pos));"
	"CREATE INDEX contact_email_addr ON contact_email(workspace_id, email);"
	"CREATE TABLE contact_phone ("
	" workspace_id INTEGER NOT NULL,"
	" contact_id INTEGER NOT NULL REFERENCES contact(id),"
	" pos INTEGER NOT NULL,"
	" phone TEXT NOT NULL,"
	" PRIMARY KEY (contact_id, pos));"
	"CREATE TABLE contact_handle ("
	" workspace_id INTEGER NOT NULL,"
	" contact_id INTEGER NOT NULL REFERENCES contact(id),"
	" pos INTEGER NOT NULL,"
	" handle TEXT NOT NULL COLLATE NOCASE,"
	" PRIMARY KEY (contact_id, pos));"
	"CREATE INDEX contact_handle_name ON contact_handle(workspace_id, handle);"
	"CREATE TABLE contact_tag ("
	" workspace_id INTEGER NOT NULL,"
	" contact_id INTEGER NOT NULL REFERENCES contact(id),"
	" tag TEXT NOT NULL COLLATE NOCASE,"
	" PRIMARY KEY (contact_id, tag));"
	"CREATE INDEX contact_tag_name ON contact_tag(workspace_id, tag);"
	"CREATE TABLE touchpoint ("
	" id INTEGER PRIMARY KEY,"
	" workspace_id INTEGER NOT NULL,"
	" at INTEGER NOT NULL,"
	" channel TEXT NOT NULL,"
	" direction TEXT NOT NULL,"
	" minutes INTEGER NOT NULL DEFAULT 0,"
	" note TEXT,"
	" source TEXT NOT NULL DEFAULT 'manual',"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX touchpoint_at ON touchpoint(workspace_id, at);"
	/* One row per participant; `at` is copied so a contact's timeline is
	 * one range of this key. */
	"CREATE TABLE touch_contact ("
	" workspace_id INTEGER NOT NULL,"
	" contact_id INTEGER NOT NULL,"
	" at INTEGER NOT NULL,"
	" touch_id INTEGER NOT NULL REFERENCES touchpoint(id),"
	" PRIMARY KEY (workspace_id, contact_id, at, touch_id)) WITHOUT ROWID;"
	"CREATE INDEX touch_contact_touch ON touch_contact(touch_id);"
	"CREATE TABLE touch_user ("
	" workspace_id INTEGER NOT NULL,"
	" touch_id INTEGER NOT NULL REFERENCES touchpoint(id),"
	" user_id INTEGER NOT NULL,"
	" PRIMARY KEY (touch_id, user_id)) WITHOUT ROWID;"
	"CREATE TABLE fact ("
	" id INTEGER PRIMARY KEY,"
	" workspace_id INTEGER NOT NULL,"
	" contact_id INTEGER NOT NULL,"
	" text TEXT NOT NULL,"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX fact_contact ON fact(workspace_id, contact_id);"
	"CREATE TABLE kdate ("
	" id INTEGER PRIMARY KEY,"
	" workspace_id INTEGER NOT NULL,"
	" contact_id INTEGER NOT NULL,"
	" kind TEXT NOT NULL,"
	" day INTEGER NOT NULL,"
	" year_known INTEGER NOT NULL,"
	" yearly INTEGER NOT NULL,"
	" mmdd INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX kdate_contact ON kdate(workspace_id, contact_id);"
	"CREATE INDEX kdate_yearly ON kdate(workspace_id, yearly, mmdd);"
	"CREATE INDEX kdate_day ON kdate(workspace_id, yearly, day);"
	"CREATE TABLE promise ("
	" id INTEGER PRIMARY KEY,"
	" workspace_id INTEGER NOT NULL,"
	" contact_id INTEGER NOT NULL,"
	" text TEXT NOT NULL,"
	" due INTEGER,"
	" done_at INTEGER,"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX promise_contact ON promise(workspace_id, contact_id);"
	"CREATE INDEX promise_open ON promise(workspace_id, due)"
	" WHERE done_at IS NULL;"
	"CREATE TABLE gift ("
	" id INTEGER PRIMARY KEY,"
	" workspace_id INTEGER NOT NULL,"
	" contact_id INTEGER,"
	" org_id INTEGER,"
	" text TEXT NOT NULL,"
	" value_cents INTEGER NOT NULL DEFAULT 0,"
	" at INTEGER NOT NULL);"
	"CREATE INDEX gift_contact ON gift(workspace_id, contact_id, at);"
	"CREATE INDEX gift_org ON gift(workspace_id, org_id, at);"
	"CREATE TABLE revenue ("
	" id INTEGER PRIMARY KEY,"
	" workspace_id INTEGER NOT NULL,"
	" contact_id INTEGER,"
	" org_id INTEGER,"
	" amount_cents INTEGER NOT NULL,"
	" at INTEGER NOT NULL,"
	" note TEXT);"
	"CREATE INDEX revenue_contact ON revenue(workspace_id, contact_id);"
	"CREATE INDEX revenue_org ON revenue(workspace_id, org_id);"
	"CREATE TABLE cadence_rule ("
	" workspace_id INTEGER NOT NULL,"
	" scope TEXT NOT NULL,"
	" key TEXT NOT NULL COLLATE NOCASE,"
	" every INTEGER NOT NULL DEFAULT 0,"
	" meet INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (workspace_id, scope, key));",
	/* 2: accounts. Session ids and API tokens are stored as hashes only;
	 * an email signs in to one workspace, so it is unique across them. */
	"CREATE UNIQUE INDEX user_email ON user(email);"
	"CREATE TABLE session ("
	" id_hash TEXT PRIMARY KEY,"
	" workspace_id INTEGER NOT NULL,"
	" user_id INTEGER NOT NULL REFERENCES user(id),"
	" created_at INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX session_user ON session(user_id);"
	"CREATE TABLE api_token ("
	" id INTEGER PRIMARY KEY,"
	" workspace_id INTEGER NOT NULL,"
	" user_id INTEGER NOT NULL REFERENCES user(id),"
	" name TEXT NOT NULL,"
	" hash TEXT NOT NULL UNIQUE,"
	" created_at INTEGER NOT NULL,"
	" last_used_at INTEGER,"
	" revoked_at INTEGER);"
	"CREATE INDEX api_token_user ON api_token(user_id);",
	/* 3: signals, focus, alerts and meetings. */
	"CREATE TABLE hook ("
	" workspace_id INTEGER PRIMARY KEY,"
	" secret TEXT NOT NULL,"		/* shown by `kith webhook show` */
	" secret_hash TEXT NOT NULL UNIQUE);"	/* looked up by hash */
	"CREATE TABLE signal ("
	" id INTEGER PRIMARY KEY,"
	" workspace_id INTEGER NOT NULL,"
	" ext_id TEXT NOT NULL,"
	" type TEXT NOT NULL,"
	" email TEXT, name TEXT, handle TEXT, url TEXT, text TEXT,"
	" at INTEGER NOT NULL,"
	" received_at INTEGER NOT NULL,"
	" contact_id INTEGER,"
	" answered_at INTEGER,"
	" UNIQUE (workspace_id, ext_id));"
	"CREATE INDEX signal_at ON signal(workspace_id, at);"
	"CREATE INDEX signal_open ON signal(workspace_id, contact_id, at)"
	" WHERE answered_at IS NULL;"
	"ALTER TABLE user ADD COLUMN focus_until INTEGER;"
	"ALTER TABLE user ADD COLUMN digest_day INTEGER;"
	/* What a member is told, in order: ids are SSE event ids. Held rows
	 * wait out a focus and are then carried by one digest. */
	"CREATE TABLE alert ("
	" id INTEGER PRIMARY KEY,"
	" workspace_id INTEGER NOT NULL,"
	" user_id INTEGER NOT NULL,"
	" kind TEXT NOT NULL,"
	" signal_id INTEGER,"
	" data TEXT NOT NULL,"
	" held INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX alert_user ON alert(user_id, id);"
	"CREATE INDEX alert_held ON alert(held, user_id) WHERE held = 1;"
	"CREATE TABLE notify_target ("
	" id INTEGER PRIMARY KEY,"
	" workspace_id INTEGER NOT NULL,"
	" user_id INTEGER NOT NULL,"
	" url TEXT NOT NULL,"
	" json INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL,"
	" UNIQUE (user_id, url));"
	/* Notifications to send, retried with backoff until sent. */
	"CREATE TABLE outbox ("
	" id INTEGER PRIMARY KEY,"
	" workspace_id INTEGER NOT NULL,"
	" target_id INTEGER NOT NULL,"
	" body TEXT NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_at INTEGER NOT NULL,"
	" sent_at INTEGER,"
	" last_error TEXT);"
	"CREATE INDEX outbox_due ON outbox(next_at) WHERE sent_at IS NULL;"
	"CREATE TABLE meeting ("
	" id INTEGER PRIMARY KEY,"
	" workspace_id INTEGER NOT NULL,"
	" user_id INTEGER NOT NULL,"
	" uid TEXT NOT NULL,"
	" start INTEGER NOT NULL,"
	" end INTEGER NOT NULL,"
	" summary TEXT,"
	" video INTEGER NOT NULL DEFAULT 0,"
	" state TEXT NOT NULL DEFAULT 'none',"	/* none, suggested, logged, dismissed */
	" touch_id INTEGER,"
	" UNIQUE (workspace_id, uid, start));"
	"CREATE INDEX meeting_user ON meeting(user_id, start);"
	"CREATE TABLE meeting_contact ("
	" meeting_id INTEGER NOT NULL REFERENCES meeting(id),"
	" contact_id INTEGER NOT NULL,"
	" PRIMARY KEY (meeting_id, contact_id)) WITHOUT ROWID;",
	/* 4: the agenda's indexes group by tier too, so the bound on an
	 * unseen contact's rank uses its tier's weight, not the largest
	 * (measured at 1M contacts: a third of the rows read). */
	"CREATE INDEX contact_due_any_tier"
	" ON contact(workspace_id, eff_every, tier, any_anchor);"
	"CREATE INDEX contact_due_meet_tier"
	" ON contact(workspace_id, eff_meet, tier, meet_anchor);"
	"DROP INDEX contact_due_any;"
	"DROP INDEX contact_due_meet;",
	/* 5: signals match on an email's domain through an index, not a
	 * LIKE '%@domain' over every address (118 webhooks/s at 100k). */
	"ALTER TABLE contact_email ADD COLUMN domain TEXT GENERATED ALWAYS AS"
	" (lower(substr(email, instr(email, '@') + 1))) VIRTUAL;"
	"CREATE INDEX contact_email_domain ON contact_email(workspace_id, domain);",
	/* 6: a meeting is its user's: unique per user, not per workspace, so
	 * one member's import cannot take over another's (L8). The tables
	 * are rebuilt (a UNIQUE constraint cannot be dropped); the contact
	 * links move first so no foreign key ever dangles; renaming
	 * meeting_new rewrites meeting_contact's reference to it. */
	"CREATE TABLE meeting_new ("
	" id INTEGER PRIMARY KEY,"
	" workspace_id INTEGER NOT NULL,"
	" user_id INTEGER NOT NULL,"
	" uid TEXT NOT NULL,"
	" start INTEGER NOT NULL,"
	" end INTEGER NOT NULL,"
	" summary TEXT,"
	" video INTEGER NOT NULL DEFAULT 0,"
	" state TEXT NOT NULL DEFAULT 'none',"
	" touch_id INTEGER,"
	" UNIQUE (workspace_id, user_id, uid, start));"
	"INSERT INTO meeting_new SELECT id, workspace_id, user_id, uid, start,"
	" end, summary, video, state, touch_id FROM meeting;"
	"CREATE TABLE meeting_contact_new ("
	" meeting_id INTEGER NOT NULL REFERENCES meeting_new(id),"
	" contact_id INTEGER NOT NULL,"
	" PRIMARY KEY (meeting_id, contact_id)) WITHOUT ROWID;"
	"INSERT INTO meeting_contact_new SELECT meeting_id, contact_id"
	" FROM meeting_contact;"
	"DROP TABLE meeting_contact;"
	"DROP TABLE meeting;"
	"ALTER TABLE meeting_new RENAME TO meeting;"
	"ALTER TABLE meeting_contact_new RENAME TO meeting_contact;"
	"CREATE INDEX meeting_user ON meeting(user_id, start);",
	/* 7: a session also ends after a stretch of idleness (review M9):
	 * idle_until slides forward with use, never past expires_at (the
	 * absolute cap); NULL (older rows) means expires_at. Tokens may
	 * expire. */
	("ALTER TABLE session ADD COLUMN idle_until INTEGER;"
	 "ALTER TABLE api_token ADD COLUMN expires_at INTEGER;"),
	/* 8: address books in and out (vCard, CSV, CardDAV). Labels run
	 * beside their values; a phone keeps its E.164 form so an import
	 * matches "(415) 555-0134" to "+1 415 555 0134" through an index;
	 * uid and card let a re-import merge instead of doubling and an
	 * export give back what kith does not model. Each member has a
	 * secret calendar feed, kept like the webhook secret. */
	("ALTER TABLE contact ADD COLUMN uid TEXT;"
	 "ALTER TABLE contact ADD COLUMN card TEXT;"
	 "CREATE INDEX contact_uid ON contact(workspace_id, uid)"
	 " WHERE uid IS NOT NULL;"
	 "ALTER TABLE contact_email ADD COLUMN label TEXT NOT NULL DEFAULT '';"
	 "ALTER TABLE contact_phone ADD COLUMN label TEXT NOT NULL DEFAULT '';"
	 "ALTER TABLE contact_phone ADD COLUMN e164 TEXT;"
	 "CREATE INDEX contact_phone_e164 ON contact_phone(workspace_id, e164)"
	 " WHERE e164 IS NOT NULL;"
	 "CREATE TABLE contact_address ("
	 " workspace_id INTEGER NOT NULL,"
	 " contact_id INTEGER NOT NULL REFERENCES contact(id),"
	 " pos INTEGER NOT NULL,"
	 " address TEXT NOT NULL,"
	 " label TEXT NOT NULL DEFAULT '',"
	 " PRIMARY KEY (contact_id, pos));"
	 "ALTER TABLE user ADD COLUMN feed_secret TEXT;"
	 "ALTER TABLE user ADD COLUMN feed_hash TEXT;"
	 "CREATE UNIQUE INDEX user_feed ON user(feed_hash)"
	 " WHERE feed_hash IS NOT NULL;"),
	/* 9: an import matches "Ann@X.com" to "ann@x.com" once per card;
	 * contact_email_addr is BINARY, so without this each lookup read
	 * every address of the workspace. */
	"CREATE INDEX contact_email_nocase"
	" ON contact_email(workspace_id, email COLLATE NOCASE);",
	/* 10: email (app/mail.c). A message is kept by its key (Message-ID,
	 * else a hash of its key headers), never its body: who, when, the
	 * subject, the thread, and the touch and signal it made, so the
	 * same message seen through IMAP, mbox and Maildir is one touch and
	 * a reply finds the signal of the message it answers. Senders not
	 * in the book are counted in mail_peer for `kith mail suggest`.
	 * A mailbox keeps its password encrypted (the key lives outside the
	 * database) and its IMAP sync state. */
	("CREATE TABLE mail_message ("
	 " id INTEGER PRIMARY KEY,"
	 " workspace_id INTEGER NOT NULL,"
	 " msg_key TEXT NOT NULL,"
	 " at INTEGER NOT NULL,"
	 " outbound INTEGER NOT NULL,"
	 " sender TEXT NOT NULL DEFAULT '',"
	 " subject TEXT,"
	 " parent TEXT,"
	 " thread TEXT,"
	 " touch_id INTEGER,"
	 " signal_id INTEGER,"
	 " UNIQUE (workspace_id, msg_key));"
	 "CREATE INDEX mail_message_parent ON mail_message(workspace_id, parent)"
	 " WHERE parent IS NOT NULL;"
	 "CREATE TABLE mail_peer ("
	 " workspace_id INTEGER NOT NULL,"
	 " addr TEXT NOT NULL COLLATE NOCASE,"
	 " name TEXT,"
	 " n_in INTEGER NOT NULL DEFAULT 0,"
	 " n_out INTEGER NOT NULL DEFAULT 0,"
	 " last_at INTEGER NOT NULL,"
	 " PRIMARY KEY (workspace_id, addr)) WITHOUT ROWID;"
	 "CREATE TABLE mail_alias ("
	 " workspace_id INTEGER NOT NULL,"
	 " addr TEXT NOT NULL COLLATE NOCASE,"
	 " PRIMARY KEY (workspace_id, addr)) WITHOUT ROWID;"
	 "CREATE TABLE mailbox ("
	 " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	 " workspace_id INTEGER NOT NULL,"
	 " user_id INTEGER,"
	 " url TEXT NOT NULL,"
	 " address TEXT NOT NULL DEFAULT '',"
	 " secret TEXT NOT NULL,"
	 " ca_file TEXT,"
	 " uidvalidity INTEGER NOT NULL DEFAULT 0,"
	 " last_uid INTEGER NOT NULL DEFAULT 0,"
	 " messages INTEGER NOT NULL DEFAULT 0,"
	 " last_sync INTEGER,"
	 " last_error TEXT,"
	 " next_sync INTEGER NOT NULL DEFAULT 0,"
	 " failures INTEGER NOT NULL DEFAULT 0,"
	 " created_at INTEGER NOT NULL);"
	 "CREATE INDEX mailbox_ws ON mailbox(workspace_id, id);"
	 "CREATE INDEX mailbox_next ON mailbox(next_sync);"),
	/* 11: a page of contacts (store_contact_list: the export, `kith
	 * list`, the API's list) is the workspace's ids after a cursor in
	 * order. Without an index ordered by id inside the workspace every
	 * page read all the workspace's contacts through contact_org and
	 * sorted them: an export of 100,000 went quadratic. */
	"CREATE INDEX contact_ws ON contact(workspace_id, id);",
};

size_t migrate_count(void)
{
	return sizeof(migrations) / sizeof(migrations[0]);
}

const char *migrate_sql(size_t version)
{
	if (version < 1 || version > migrate_count())
		return NULL;
	return migrations[version - 1];
}
