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
	/* 11: CardDAV sync (RFC 6578). Each workspace counts its address-book
	 * changes in dav_seq; a contact (or a raw card) carries the count of
	 * its last change, which is both its ETag and what sync-collection
	 * reads through an index; a delete or a rename leaves a tombstone
	 * with the count it happened at. Triggers do the counting so every
	 * writer (CLI, API, import, merge, DAV) is seen without each having
	 * to remember: a contact's version bump, a date added or removed
	 * (BDAY is in the card), a new href. A snooze alone changes no card
	 * and bumps nothing. dav_href is the resource name a client chose
	 * (decoded), so its card comes back under the name it was PUT to.
	 * dav_card holds cards kith does not model as contacts (Apple's
	 * group cards), served back byte for byte. */
	("ALTER TABLE workspace ADD COLUMN dav_seq INTEGER NOT NULL DEFAULT 0;"
	 "ALTER TABLE contact ADD COLUMN dav_seq INTEGER NOT NULL DEFAULT 0;"
	 "ALTER TABLE contact ADD COLUMN dav_href TEXT;"
	 "CREATE UNIQUE INDEX contact_dav_href ON contact(workspace_id, dav_href)"
	 " WHERE dav_href IS NOT NULL;"
	 "CREATE INDEX contact_dav_seq ON contact(workspace_id, dav_seq);"
	 "CREATE TABLE dav_card ("
	 " id INTEGER PRIMARY KEY,"
	 " workspace_id INTEGER NOT NULL,"
	 " href TEXT NOT NULL,"
	 " uid TEXT,"
	 " card TEXT NOT NULL,"
	 " seq INTEGER NOT NULL DEFAULT 0,"
	 " UNIQUE (workspace_id, href));"
	 "CREATE INDEX dav_card_seq ON dav_card(workspace_id, seq);"
	 "CREATE TABLE dav_tombstone ("
	 " workspace_id INTEGER NOT NULL,"
	 " seq INTEGER NOT NULL,"
	 " contact_id INTEGER NOT NULL DEFAULT 0,"
	 " uid TEXT,"
	 " href TEXT,"
	 " PRIMARY KEY (workspace_id, seq)) WITHOUT ROWID;"
	 "CREATE TRIGGER dav_contact_ins AFTER INSERT ON contact BEGIN"
	 " UPDATE workspace SET dav_seq = dav_seq + 1"
	 "  WHERE id = NEW.workspace_id;"
	 " UPDATE contact SET dav_seq = (SELECT dav_seq FROM workspace"
	 "  WHERE id = NEW.workspace_id) WHERE id = NEW.id; END;"
	 "CREATE TRIGGER dav_contact_upd AFTER UPDATE OF version ON contact"
	 " WHEN NEW.version <> OLD.version AND NOT (NEW.snooze_until IS NOT"
	 " OLD.snooze_until AND NEW.name IS OLD.name AND NEW.org_id IS"
	 " OLD.org_id AND NEW.title IS OLD.title AND NEW.notes IS OLD.notes"
	 " AND NEW.card IS OLD.card AND NEW.tz IS OLD.tz AND NEW.tier IS"
	 " OLD.tier) BEGIN"
	 " UPDATE workspace SET dav_seq = dav_seq + 1"
	 "  WHERE id = NEW.workspace_id;"
	 " UPDATE contact SET dav_seq = (SELECT dav_seq FROM workspace"
	 "  WHERE id = NEW.workspace_id) WHERE id = NEW.id; END;"
	 "CREATE TRIGGER dav_contact_href AFTER UPDATE OF dav_href ON contact"
	 " WHEN NEW.dav_href IS NOT OLD.dav_href BEGIN"
	 " UPDATE workspace SET dav_seq = dav_seq + 1"
	 "  WHERE id = NEW.workspace_id;"
	 " INSERT INTO dav_tombstone(workspace_id, seq, contact_id, uid, href)"
	 "  SELECT NEW.workspace_id, dav_seq, OLD.id, OLD.uid, OLD.dav_href"
	 "  FROM workspace WHERE id = NEW.workspace_id;"
	 " UPDATE workspace SET dav_seq = dav_seq + 1"
	 "  WHERE id = NEW.workspace_id;"
	 " UPDATE contact SET dav_seq = (SELECT dav_seq FROM workspace"
	 "  WHERE id = NEW.workspace_id) WHERE id = NEW.id; END;"
	 "CREATE TRIGGER dav_contact_del AFTER DELETE ON contact BEGIN"
	 " UPDATE workspace SET dav_seq = dav_seq + 1"
	 "  WHERE id = OLD.workspace_id;"
	 " INSERT INTO dav_tombstone(workspace_id, seq, contact_id, uid, href)"
	 "  SELECT OLD.workspace_id, dav_seq, OLD.id, OLD.uid, OLD.dav_href"
	 "  FROM workspace WHERE id = OLD.workspace_id; END;"
	 "CREATE TRIGGER dav_kdate_ins AFTER INSERT ON kdate BEGIN"
	 " UPDATE workspace SET dav_seq = dav_seq + 1"
	 "  WHERE id = NEW.workspace_id;"
	 " UPDATE contact SET dav_seq = (SELECT dav_seq FROM workspace"
	 "  WHERE id = NEW.workspace_id) WHERE id = NEW.contact_id; END;"
	 "CREATE TRIGGER dav_kdate_del AFTER DELETE ON kdate BEGIN"
	 " UPDATE workspace SET dav_seq = dav_seq + 1"
	 "  WHERE id = OLD.workspace_id;"
	 " UPDATE contact SET dav_seq = (SELECT dav_seq FROM workspace"
	 "  WHERE id = OLD.workspace_id) WHERE id = OLD.contact_id; END;"
	 "CREATE TRIGGER dav_card_ins AFTER INSERT ON dav_card BEGIN"
	 " UPDATE workspace SET dav_seq = dav_seq + 1"
	 "  WHERE id = NEW.workspace_id;"
	 " UPDATE dav_card SET seq = (SELECT dav_seq FROM workspace"
	 "  WHERE id = NEW.workspace_id) WHERE id = NEW.id; END;"
	 "CREATE TRIGGER dav_card_upd AFTER UPDATE OF card ON dav_card BEGIN"
	 " UPDATE workspace SET dav_seq = dav_seq + 1"
	 "  WHERE id = NEW.workspace_id;"
	 " UPDATE dav_card SET seq = (SELECT dav_seq FROM workspace"
	 "  WHERE id = NEW.workspace_id) WHERE id = NEW.id; END;"
	 "CREATE TRIGGER dav_card_del AFTER DELETE ON dav_card BEGIN"
	 " UPDATE workspace SET dav_seq = dav_seq + 1"
	 "  WHERE id = OLD.workspace_id;"
	 " INSERT INTO dav_tombstone(workspace_id, seq, contact_id, uid, href)"
	 "  SELECT OLD.workspace_id, dav_seq, 0, OLD.uid, OLD.href"
	 "  FROM workspace WHERE id = OLD.workspace_id; END;"),
	/* 12: a page of contacts (store_contact_list: the export, `kith
	 * list`, the API's list) is the workspace's ids after a cursor in
	 * order. Without an index ordered by id inside the workspace every
	 * page read all the workspace's contacts through contact_org and
	 * sorted them: an export of 100,000 went quadratic. */
	"CREATE INDEX contact_ws ON contact(workspace_id, id);",
	/* 13: CardDAV, more address books, pruned tombstones, org renames.
	 * dav_book holds a workspace's address books beyond the default
	 * one (book 0, ".../contacts/"); a contact (or a raw card) is in
	 * exactly one book, dav_book 0 unless a client PUT it into another,
	 * and a name or a UID is unique inside its book only (RFC 6352
	 * 5.1). A book's sync-token is the highest change count among its
	 * cards and tombstones (and its creation, and the prune floor), so
	 * a change in one book leaves the others' tokens alone. A change
	 * of book leaves no tombstone here: a card PUT into a book is made
	 * in book 0 and moved in the same transaction (no client saw it
	 * there), a deleted book's contacts go back to book 0 (its
	 * tombstones go with it), and a contact a client moves (its UID
	 * PUT into another book) gets its tombstone from
	 * store_dav_book_move.
	 * A workspace keeps at most dav_tombstones tombstones (counted in
	 * dav_tombstones_n, so the check costs nothing); past that the
	 * oldest go, down to half, so a bulk delete prunes now and then
	 * rather than on every row. dav_floor is the newest dropped one's
	 * count, and a token below it may have missed a delete (403
	 * valid-sync-token, the client syncs from scratch). A renamed
	 * organization changes the ORG of its contacts' cards: each gets a
	 * new count (dav_seq -1 is the "count me again" mark the row
	 * trigger turns into one). */
	("CREATE TABLE dav_book ("
	 " id INTEGER PRIMARY KEY,"
	 " workspace_id INTEGER NOT NULL,"
	 " slug TEXT NOT NULL,"
	 " name TEXT NOT NULL,"
	 " created_seq INTEGER NOT NULL DEFAULT 0,"
	 " UNIQUE (workspace_id, slug));"
	 "ALTER TABLE workspace ADD COLUMN dav_floor INTEGER NOT NULL"
	 " DEFAULT 0;"
	 "ALTER TABLE workspace ADD COLUMN dav_tombstones INTEGER NOT NULL"
	 " DEFAULT 2000;"
	 "ALTER TABLE workspace ADD COLUMN dav_tombstones_n INTEGER NOT NULL"
	 " DEFAULT 0;"
	 "ALTER TABLE contact ADD COLUMN dav_book INTEGER NOT NULL DEFAULT 0;"
	 "DROP INDEX contact_dav_href;"
	 "CREATE UNIQUE INDEX contact_dav_href ON contact(workspace_id,"
	 " dav_book, dav_href) WHERE dav_href IS NOT NULL;"
	 "DROP INDEX contact_dav_seq;"
	 "CREATE INDEX contact_dav_seq ON contact(workspace_id, dav_book,"
	 " dav_seq);"
	 "CREATE TABLE dav_card_new ("
	 " id INTEGER PRIMARY KEY,"
	 " workspace_id INTEGER NOT NULL,"
	 " book INTEGER NOT NULL DEFAULT 0,"
	 " href TEXT NOT NULL,"
	 " uid TEXT,"
	 " card TEXT NOT NULL,"
	 " seq INTEGER NOT NULL DEFAULT 0,"
	 " UNIQUE (workspace_id, book, href));"
	 "INSERT INTO dav_card_new(id, workspace_id, href, uid, card, seq)"
	 " SELECT id, workspace_id, href, uid, card, seq FROM dav_card;"
	 "DROP TABLE dav_card;"
	 "ALTER TABLE dav_card_new RENAME TO dav_card;"
	 "CREATE INDEX dav_card_seq ON dav_card(workspace_id, book, seq);"
	 "ALTER TABLE dav_tombstone ADD COLUMN book INTEGER NOT NULL"
	 " DEFAULT 0;"
	 "CREATE INDEX dav_tombstone_book ON dav_tombstone(workspace_id,"
	 " book, seq);"
	 "DROP TRIGGER dav_contact_href;"
	 "DROP TRIGGER dav_contact_del;"
	 "CREATE TRIGGER dav_contact_href AFTER UPDATE OF dav_href, dav_book"
	 " ON contact WHEN NEW.dav_href IS NOT OLD.dav_href"
	 " OR NEW.dav_book <> OLD.dav_book BEGIN"
	 " UPDATE workspace SET dav_seq = dav_seq + 1"
	 "  WHERE id = NEW.workspace_id;"
	 " INSERT INTO dav_tombstone(workspace_id, seq, contact_id, uid, href,"
	 "  book) SELECT NEW.workspace_id, dav_seq, OLD.id, OLD.uid,"
	 "  OLD.dav_href, OLD.dav_book FROM workspace"
	 "  WHERE id = NEW.workspace_id AND NEW.dav_book = OLD.dav_book;"
	 " UPDATE workspace SET dav_seq = dav_seq + 1"
	 "  WHERE id = NEW.workspace_id;"
	 " UPDATE contact SET dav_seq = (SELECT dav_seq FROM workspace"
	 "  WHERE id = NEW.workspace_id) WHERE id = NEW.id; END;"
	 "CREATE TRIGGER dav_contact_del AFTER DELETE ON contact BEGIN"
	 " UPDATE workspace SET dav_seq = dav_seq + 1"
	 "  WHERE id = OLD.workspace_id;"
	 " INSERT INTO dav_tombstone(workspace_id, seq, contact_id, uid, href,"
	 "  book) SELECT OLD.workspace_id, dav_seq, OLD.id, OLD.uid,"
	 "  OLD.dav_href, OLD.dav_book FROM workspace"
	 "  WHERE id = OLD.workspace_id; END;"
	 "CREATE TRIGGER dav_contact_recount AFTER UPDATE OF dav_seq ON contact"
	 " WHEN NEW.dav_seq = -1 BEGIN"
	 " UPDATE workspace SET dav_seq = dav_seq + 1"
	 "  WHERE id = NEW.workspace_id;"
	 " UPDATE contact SET dav_seq = (SELECT dav_seq FROM workspace"
	 "  WHERE id = NEW.workspace_id) WHERE id = NEW.id; END;"
	 "CREATE TRIGGER dav_org_name AFTER UPDATE OF name ON organization"
	 " WHEN NEW.name IS NOT OLD.name BEGIN"
	 " UPDATE contact SET dav_seq = -1 WHERE workspace_id ="
	 "  NEW.workspace_id AND org_id = NEW.id; END;"
	 "CREATE TRIGGER dav_card_ins AFTER INSERT ON dav_card BEGIN"
	 " UPDATE workspace SET dav_seq = dav_seq + 1"
	 "  WHERE id = NEW.workspace_id;"
	 " UPDATE dav_card SET seq = (SELECT dav_seq FROM workspace"
	 "  WHERE id = NEW.workspace_id) WHERE id = NEW.id; END;"
	 "CREATE TRIGGER dav_card_upd AFTER UPDATE OF card, book, href"
	 " ON dav_card BEGIN"
	 " UPDATE workspace SET dav_seq = dav_seq + 1"
	 "  WHERE id = NEW.workspace_id;"
	 " UPDATE dav_card SET seq = (SELECT dav_seq FROM workspace"
	 "  WHERE id = NEW.workspace_id) WHERE id = NEW.id; END;"
	 "CREATE TRIGGER dav_card_del AFTER DELETE ON dav_card BEGIN"
	 " UPDATE workspace SET dav_seq = dav_seq + 1"
	 "  WHERE id = OLD.workspace_id;"
	 " INSERT INTO dav_tombstone(workspace_id, seq, contact_id, uid, href,"
	 "  book) SELECT OLD.workspace_id, dav_seq, 0, OLD.uid, OLD.href,"
	 "  OLD.book FROM workspace WHERE id = OLD.workspace_id; END;"
	 "UPDATE workspace SET dav_tombstones_n = (SELECT count(*) FROM"
	 " dav_tombstone t WHERE t.workspace_id = workspace.id);"
	 "CREATE TRIGGER dav_tombstone_del AFTER DELETE ON dav_tombstone BEGIN"
	 " UPDATE workspace SET dav_tombstones_n = dav_tombstones_n - 1"
	 "  WHERE id = OLD.workspace_id; END;"
	 "CREATE TRIGGER dav_tombstone_ins AFTER INSERT ON dav_tombstone BEGIN"
	 " UPDATE workspace SET dav_tombstones_n = dav_tombstones_n + 1"
	 "  WHERE id = NEW.workspace_id; END;"
	 "CREATE TRIGGER dav_tombstone_prune AFTER UPDATE OF dav_tombstones_n"
	 " ON workspace WHEN NEW.dav_tombstones_n > NEW.dav_tombstones BEGIN"
	 " UPDATE workspace SET dav_floor = coalesce((SELECT seq FROM"
	 "  dav_tombstone WHERE workspace_id = NEW.id ORDER BY seq DESC"
	 "  LIMIT 1 OFFSET NEW.dav_tombstones / 2), dav_floor)"
	 "  WHERE id = NEW.id;"
	 " DELETE FROM dav_tombstone WHERE workspace_id = NEW.id"
	 "  AND seq <= (SELECT dav_floor FROM workspace WHERE id = NEW.id);"
	 " END;"),
	/* 14: every statement names the workspace of each table it
	 * touches, so each is routable to one shard once tables are
	 * distributed by workspace_id (issue 18, docs/SCALING.md).
	 * meeting_contact reached its workspace only through meeting: it
	 * gets the column, backfilled. A contact's lists are read and
	 * replaced by (workspace_id, contact_id): with only their
	 * (workspace_id, email|tag|...) indexes to lead with the workspace,
	 * SQLite chose those and read every address of the workspace to
	 * replace one contact's, so each gets an index leading with both.
	 * The keys stay (contact_id, pos) and (meeting_id, contact_id): a
	 * rebuild buys nothing on SQLite, and the PostgreSQL schema is
	 * written afresh. */
	("ALTER TABLE meeting_contact ADD COLUMN workspace_id INTEGER NOT NULL"
	 " DEFAULT 0;"
	 "UPDATE meeting_contact SET workspace_id = coalesce((SELECT"
	 " workspace_id FROM meeting WHERE meeting.id ="
	 " meeting_contact.meeting_id), 0);"
	 "CREATE INDEX meeting_contact_ws ON meeting_contact(workspace_id,"
	 " contact_id);"
	 "CREATE INDEX meeting_contact_meeting ON meeting_contact(workspace_id,"
	 " meeting_id);"
	 "CREATE INDEX contact_email_ws ON contact_email(workspace_id,"
	 " contact_id, pos);"
	 "CREATE INDEX contact_phone_ws ON contact_phone(workspace_id,"
	 " contact_id, pos);"
	 "CREATE INDEX contact_handle_ws ON contact_handle(workspace_id,"
	 " contact_id, pos);"
	 "CREATE INDEX contact_address_ws ON contact_address(workspace_id,"
	 " contact_id, pos);"
	 "CREATE INDEX contact_tag_ws ON contact_tag(workspace_id, contact_id,"
	 " tag);"),
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
