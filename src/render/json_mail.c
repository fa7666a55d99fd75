/* json_mail.c: mailboxes, mail tallies and suggestions as JSON. */
#include "json_mail.h"

json_t *kj_mailbox(const struct mailbox *m)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(m->id));
	json_object_set_new(o, "url", kj_str(m->url));
	json_object_set_new(o, "address",
			    kj_str(m->address && *m->address ? m->address
							     : NULL));
	json_object_set_new(o, "user_id", kj_id(m->user_id));
	json_object_set_new(o, "last_sync", kj_time(m->last_sync));
	json_object_set_new(o, "last_error", kj_str(m->last_error));
	json_object_set_new(o, "messages", json_integer(m->messages));
	json_object_set_new(o, "uidvalidity", json_integer(m->uidvalidity));
	json_object_set_new(o, "last_uid", json_integer(m->last_uid));
	json_object_set_new(o, "next_sync", kj_time(m->next_sync));
	json_object_set_new(o, "failures", json_integer(m->failures));
	json_object_set_new(o, "created_at", kj_time(m->created_at));
	return o;
}

json_t *kj_mail_tally(const struct mail_tally *t)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
			 "messages", (json_int_t)t->read, "touches",
			 (json_int_t)t->touches, "signals",
			 (json_int_t)t->signals, "answered",
			 (json_int_t)t->answered, "duplicates",
			 (json_int_t)t->dup, "bulk", (json_int_t)t->bulk,
			 "unknown", (json_int_t)t->unknown, "skipped",
			 (json_int_t)t->bad, "first_skipped",
			 kj_str(t->bad ? t->first_bad : NULL));
}

json_t *kj_mail_suggestion(const struct mail_suggestion *s)
{
	return json_pack("{s:o, s:o, s:I, s:I, s:f, s:f, s:o}", "address",
			 kj_str(s->p.addr), "name", kj_str(s->p.name),
			 "messages_in", (json_int_t)s->p.n_in, "messages_out",
			 (json_int_t)s->p.n_out, "reply_rate", s->reply_rate,
			 "score", s->score, "last_at", kj_time(s->p.last_at));
}
