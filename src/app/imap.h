/*
 * imap.h: IMAP mailboxes: adding one (its password sealed with a key kept
 * outside the database), syncing only what is new (UIDVALIDITY and the
 * last UID seen; headers only, the mailbox opened read-only so nothing
 * is marked read), and kith serve's syncer threads with backoff.
 *
 * libcurl opens the connection: TCP, TLS (imaps://, or STARTTLS for
 * imap://), the server's greeting and the login (CURLOPT_CONNECT_ONLY).
 * kith then speaks EXAMINE and UID FETCH itself over that connection
 * (curl_easy_send/recv): libcurl 7.88's CURLOPT_CUSTOMREQUEST drops the
 * literal that carries a FETCH's header bytes, and its own FETCH uses
 * SELECT and BODY[] (which sets \Seen on the user's mail).
 *
 * What a message means is app/mail.c's; this file only brings headers.
 */
#ifndef KITH_APP_IMAP_H
#define KITH_APP_IMAP_H

#include "mail.h"

/* A mailbox syncs this often when all is well (kith serve). */
#define IMAP_SYNC_EVERY 180
/* Headers fetched per round trip, and per transaction. */
#define IMAP_BATCH 500

/* The key that seals mailbox passwords: 32 bytes for secretbox. */
struct mail_key {
	unsigned char k[32];
};

/*
 * The key: $KITH_MAIL_KEY (64 hex digits) if set, else the file
 * db_path + ".mailkey" (32 raw bytes, mode 0600), made with a random key
 * when create is set and it does not exist. A key file readable by group
 * or others is refused. KITH_EINPUT (field "KITH_MAIL_KEY" or the file)
 * for a bad key, KITH_ENOTFOUND when there is none and create is not
 * set, KITH_EIO when it cannot be read or written.
 */
int mail_key_load(struct mail_key *out, const char *db_path, bool create,
		  struct kith_err *err);

/* Seal password into *out (base64 of nonce and box; the caller frees).
 * KITH_ENOMEM. */
int mail_seal(char **out, const struct mail_key *key, const char *password,
	      struct kith_err *err);
/* Open a sealed password into *out (the caller wipes it with
 * sodium_memzero and frees). KITH_EINPUT (field "key") when it does not
 * open with this key; KITH_ENOMEM. */
int mail_unseal(char **out, const struct mail_key *key, const char *sealed,
		struct kith_err *err);

/* A mailbox URL: imap[s]://USER@HOST[:PORT]/MAILBOX. */
struct imap_url {
	bool tls;		/* imaps:// */
	char *user;		/* %-decoded */
	char *host;		/* without brackets */
	int port;
	char *mailbox;		/* %-decoded; "INBOX" when the path is empty */
};

/* KITH_EINPUT (field "url") naming what is wrong: another scheme, no
 * user, a password in the URL, a bad port, a control character. */
int imap_url_parse(struct imap_url *out, const char *url,
		   struct kith_err *err);
void imap_url_clear(struct imap_url *u);

/*
 * Add a mailbox to ctx's workspace: url checked, password sealed with
 * key (never stored or logged in the clear), address the mailbox's own
 * (NULL: the URL's user when it is an address), ca_file a CA bundle to
 * trust (NULL: the system's). *out (may be NULL) gets the stored row
 * (mailbox_clear). KITH_EINPUT (fields "url", "password", "address"), KITH_EIO,
 * KITH_ENOMEM.
 */
int app_mailbox_add(struct mailbox *out, struct app_ctx *ctx,
		    const struct mail_key *key, const char *url,
		    const char *password, const char *address,
		    const char *ca_file, int64_t user_id, struct kith_err *err);

/*
 * Add several folders of one account at once, or one more folder of an
 * account already here. With folders (a comma list, "INBOX,Sent"; blanks
 * around names dropped) url names the account alone
 * (imaps://USER@HOST[:PORT], no folder) and each folder becomes a
 * mailbox of its own, with its own UID and sync state; NULL: url names
 * the one folder. A mailbox of the same account (scheme, user, host,
 * port) in ctx's workspace, the newest, lends its address and CA file
 * unless given, and with password NULL its sealed password, copied
 * without being opened. The same message in two folders
 * (INBOX and Sent) is one touch all the same: app/mail.c keys messages
 * by Message-ID.
 *
 * *out gets the mailboxes added, in the order named (*n of them;
 * app_mailboxes_free). Each is added in the caller's transaction: on
 * any error the caller rolls back, and *out is NULL. KITH_EINPUT (fields
 * "url", "password": none given and no mailbox of the account to take
 * it from, "address", "--folders": an empty name, or folders named in
 * both the URL and the list); KITH_ECONFLICT (field "url") when a folder
 * is a mailbox of the workspace already; KITH_EIO, KITH_ENOMEM.
 * An empty password is KITH_EINPUT. app_mailbox_add is this for one
 * folder with a password required (NULL is an empty one), as the API
 * takes it.
 */
int app_mailbox_add_folders(struct mailbox **out, size_t *n,
			    struct app_ctx *ctx, const struct mail_key *key,
			    const char *url, const char *folders,
			    const char *password, const char *address,
			    const char *ca_file, int64_t user_id,
			    struct kith_err *err);
void app_mailboxes_free(struct mailbox *m, size_t n);

/*
 * Sync mailbox mb (of workspace mb->workspace_id) now: log in, EXAMINE,
 * and fetch the headers of messages above mb->last_uid (all of them when
 * UIDVALIDITY changed), IMAP_BATCH per round trip, each batch handed to
 * app_mail in its own transaction with the new last UID, so an
 * interrupted sync resumes where it stopped. Then the outcome (last_sync,
 * last_error, next_sync: IMAP_SYNC_EVERY later, or a backoff of 1, 2, 4
 * ... 60 minutes after failures) is written in a transaction of its own,
 * unless mail_syncer_stop cut the sync short: that is no failure of the
 * mailbox's, and its state stays as its committed batches left it.
 * mb is updated in place; tally (may be NULL) adds up what was made.
 *
 * Opens and commits its own transactions: call it outside one. KITH_OK;
 * KITH_EIO with the reason (the server, the login refused, TLS, a
 * timeout) in err, also kept in the mailbox's last_error; KITH_EINPUT
 * when the password does not open with key; the store's statuses.
 */
int app_mailbox_sync(struct store *st, const struct mail_key *key,
		     struct mailbox *mb, kith_time now, struct mail_tally *tally,
		     struct kith_err *err);
/*
 * What app_mailbox_sync would make, written nowhere (kith mail sync
 * --dry-run): the same fetch, with every batch in one transaction that
 * is rolled back, so a reply in a later batch still answers a message of
 * an earlier one, as in the real sync. The mailbox's state, in the store
 * and in mb, stays as it was, and so does its error. It holds the
 * write lock while it fetches: a CLI check, not for the server. Same
 * statuses; call it outside a transaction.
 */
int app_mailbox_sync_dry(struct store *st, const struct mail_key *key,
			 struct mailbox *mb, kith_time now,
			 struct mail_tally *tally, struct kith_err *err);

/*
 * Where a mailbox may connect (SSRF, as notify.h's guard): with the guard
 * on (kith serve, where any workspace's owner adds mailboxes), every
 * connection is checked on the address DNS gave, and a loopback,
 * private, link-local, CGNAT, multicast or reserved address is refused
 * (notify_addr_blocked), unless the operator allowed the host:
 * mail_allow_add("HOST") or "HOST:PORT" (kith serve --mail-allow). Off
 * (the CLI, run by the operator) any address goes. Set both before the
 * syncer starts; not thread-safe. KITH_EINPUT (field "--mail-allow") for
 * another shape or a 33rd host.
 */
void mail_guard(bool on);
int mail_allow_add(const char *spec, struct kith_err *err);

/* The wait in seconds after `failures` failed syncs in a row: 60, 120,
 * 240 ... at most 3600. */
int64_t imap_backoff(int failures);

/*
 * kith serve's syncer: two threads, each syncing the due mailbox no
 * other is syncing, so one slow or failing server never holds up the
 * others (each sync is bounded by its timeouts: 15 s to connect, 60 s
 * without progress). Each thread opens its own store on db_path. every
 * is the normal interval in seconds (0: IMAP_SYNC_EVERY). key is copied.
 * KITH_ENOMEM, KITH_EIO when a thread cannot start. Stop joins them; a
 * stop without a start does nothing.
 */
int mail_syncer_start(const char *db_path, const struct mail_key *key,
		      int every, struct kith_err *err);
void mail_syncer_stop(void);
/* The key kith serve loaded (the API seals with it), or NULL. */
const struct mail_key *mail_server_key(void);
/* Hold key (copied) as the server's without starting the syncer: a
 * server that takes mailboxes but syncs none (the fuzz harness).
 * mail_syncer_start does this itself. Call before serving. */
void mail_server_key_set(const struct mail_key *key);

#endif
