/*
 * mail.h: email becomes touches, signals and suggestions. One message's
 * header (input/mail.h) is matched to the book: from or to a contact (by
 * address, then by an organization's domain, as signals match) it is a
 * touch of channel email whose note is the subject, its direction decided
 * by the user's own addresses; an inbound message from a client or a
 * lead that a person wrote is a signal; a reply from the user answers the
 * signal of the message it replies to. Senders not in the book are
 * counted for suggestions. Each message is kept once by its key
 * (Message-ID, else a hash of its key headers): who, when, subject,
 * thread, never the body. Writes go through app_touch_log and
 * app_signal_ingest, in the caller's transaction.
 *
 * The sources (an mbox file, a Maildir tree, one message file) are read
 * here too, header by header; IMAP is app/imap.c's.
 */
#ifndef KITH_APP_MAIL_H
#define KITH_APP_MAIL_H

#include "app.h"
#include "../input/mail.h"

/* An inbound message older than this (seconds before now) is a touch but
 * no signal: importing last year's archive must not page anyone, and a
 * week-old email is no longer a question of minutes. */
#define MAIL_SIGNAL_WINDOW (7 * KITH_DAY)

/* What a run made of its messages. */
struct mail_tally {
	size_t read;		/* messages read */
	size_t dup;		/* seen before (by key): nothing made */
	size_t touches;		/* touches logged */
	size_t signals;		/* signals made */
	size_t answered;	/* signals a reply answered */
	size_t unknown;		/* nobody in the book: counted for suggest */
	size_t bulk;		/* lists, bulk, auto-replies, no-reply */
	size_t bad;		/* no header, or no sender: skipped */
	char first_bad[200];	/* where the first bad one was, and why */
};

/* One run over many messages: the user's addresses and the users are
 * read once. */
struct app_mail {
	struct app_ctx *ctx;
	char **self;		/* own addresses, lower-cased */
	size_t n_self;
	struct user *users;
	size_t n_users;
	int64_t by_user;	/* who a message is logged for when no user's
				 * address is on it (a mailbox's owner) */
	struct mail_tally tally;
};

/*
 * Start a run in ctx: own addresses are the workspace's users, its
 * mailboxes, its aliases and extra_self (NULL: none; a mailbox's
 * address). by_user: see struct app_mail (0: none). KITH_EIO,
 * KITH_ENOMEM. End with app_mail_end, whatever the status.
 */
int app_mail_begin(struct app_mail *m, struct app_ctx *ctx,
		   const char *extra_self, int64_t by_user,
		   struct kith_err *err);
void app_mail_end(struct app_mail *m);

/*
 * One parsed message: record it once and make what it means (the touch,
 * the signal, the answer, the suggestion counts), counted in m->tally.
 * A message without a sender counts as bad (where names it). KITH_OK;
 * the store's and app_touch_log's failures (KITH_EIO, KITH_ENOMEM) stop
 * the run and the caller rolls back.
 */
int app_mail_header(struct app_mail *m, const struct mail_header *h,
		    const char *where, struct kith_err *err);
/* One raw message (its header is all that is read). A message whose
 * header cannot be read is counted bad, not an error. */
int app_mail_raw(struct app_mail *m, const char *data, size_t len,
		 const char *where, struct kith_err *err);

/*
 * The sources. app_mail_mbox: every message of an mbox file (messages
 * start at lines "From "; Gmail Takeout, Thunderbird). app_mail_maildir:
 * every file in cur/ and new/ of dir and of its subfolders (Maildir++
 * ".Sent" and nested ones; tmp/ is never read). app_mail_file: one
 * message file. KITH_EINPUT (field "FILE") when path cannot be read or
 * is not that kind; else app_mail_header's statuses.
 */
int app_mail_mbox(struct app_mail *m, const char *path, struct kith_err *err);
int app_mail_maildir(struct app_mail *m, const char *dir,
		     struct kith_err *err);
int app_mail_file(struct app_mail *m, const char *path, struct kith_err *err);

/* What a path holds: an mbox file (starts "From "), a Maildir (a folder
 * with cur/ or new/, or with such subfolders), or neither. */
enum mail_source { MAIL_SRC_NONE, MAIL_SRC_MBOX, MAIL_SRC_MAILDIR };
enum mail_source app_mail_sniff(const char *path);

/* A correspondent worth adding. */
struct mail_suggestion {
	struct mail_peer p;	/* addr, name, n_in, n_out, last_at */
	double reply_rate;	/* share of their messages you answered */
	double score;		/* (n_in + n_out) * (1 + reply_rate) */
};

/*
 * New correspondents worth adding: people not in the book you wrote to
 * at least once and exchanged at least two messages with (lists, bulk,
 * auto-replies and no-reply senders are never counted), by score, at
 * most limit. *out is the caller's (app_mail_suggestions_free).
 * KITH_EIO, KITH_ENOMEM.
 */
int app_mail_suggest(struct mail_suggestion **out, size_t *n,
		     struct app_ctx *ctx, size_t limit, struct kith_err *err);
void app_mail_suggestions_free(struct mail_suggestion *s, size_t n);

#endif
