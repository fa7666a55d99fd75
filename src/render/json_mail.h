/*
 * json_mail.h: the JSON shapes of mail: a mailbox with its sync state
 * (never its password), what an import or a sync made, and the
 * suggested correspondents. Conventions of json.h (new references the
 * caller owns; NULL only for no memory).
 */
#ifndef KITH_RENDER_JSON_MAIL_H
#define KITH_RENDER_JSON_MAIL_H

#include "json.h"
#include "../app/mail.h"

/* {id, url, address, user_id, last_sync, last_error, messages,
 *  uidvalidity, last_uid, next_sync, failures, created_at}: the sealed
 * password is never part of it. */
json_t *kj_mailbox(const struct mailbox *m);
/* {messages, touches, signals, answered, duplicates, bulk, unknown,
 *  skipped, first_skipped} */
json_t *kj_mail_tally(const struct mail_tally *t);
/* {address, name, messages_in, messages_out, reply_rate, score,
 *  last_at} */
json_t *kj_mail_suggestion(const struct mail_suggestion *s);

#endif
