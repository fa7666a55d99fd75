-- bench/pg_floor.sql: the two statements of kith's API read on
-- PostgreSQL (the token's user, then the contact), sent as kith sends
-- them: in one pipeline, one round trip a request. bench/pg.sh runs it
-- with pgbench beside kith serve to show what PostgreSQL alone answers
-- on this machine, with no HTTP in the way, and checks these texts
-- against the ones kith ran (pg_stat_statements), so they cannot drift.
\startpipeline
SELECT u.id, u.workspace_id, u.email, u.name, u.role, u.password_hash, u.tz, u.created_at, u.focus_until, u.digest_day FROM api_token t JOIN "user" u ON u.workspace_id = t.workspace_id AND u.id = t.user_id WHERE t.hash = :hash AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > :now);
SELECT c.id, c.name, c.org_id, o.name, c.title, c.tz, c.notes, c.tier, c.every, c.meet_every, c.since, c.owner_id, c.snooze_until, c.created_at, c.updated_at, c.version, c.last_touch, c.last_in_person, c.eff_every, c.eff_meet, c.due_at, c.meet_due_at, c.touch_count, c.uid, c.lists, CASE WHEN :card <> 0 THEN c.card END FROM contact c LEFT JOIN organization o ON o.id = c.org_id AND o.workspace_id = c.workspace_id WHERE c.id = :id AND c.workspace_id = :ws;
\endpipeline
