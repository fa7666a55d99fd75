-- citus-check.sql: what docs/SCALING.md reports about kith on Citus,
-- run against scripts/citus-schema.sql on a scripts/citus-cluster:
--
--   d=$(mktemp -d) && scripts/citus-cluster start "$d"
--   scripts/citus-cluster psql "$d" -v ON_ERROR_STOP=1 < scripts/citus-schema.sql
--   scripts/citus-cluster psql "$d" -v ON_ERROR_STOP=1 < scripts/citus-check.sql
--   scripts/citus-cluster stop "$d"; rm -rf "$d"
--
-- It seeds 200 workspaces (200 contacts, 1,000 touches, 50 promises
-- each), EXPLAINs kith's statements for one workspace (each should say
-- "Task Count: 1"), shows what does not route, shows the key shapes
-- Citus refuses, and moves one workspace to its own shard and then to
-- the other worker. The statements are the store's (src/store/sqlite_*.c)
-- with literals for their parameters; the prepared form is checked too.

\pset pager off
\set VERBOSITY terse

\echo '== seed: 200 workspaces'
\timing on
INSERT INTO workspace (id, name, created_at)
SELECT w, 'ws' || w, 0 FROM generate_series(1, 200) w;
INSERT INTO directory_workspace SELECT name, id FROM workspace;
INSERT INTO "user" (workspace_id, id, email, created_at)
SELECT w, 1, 'owner@ws' || w || '.example', 0 FROM generate_series(1, 200) w;
INSERT INTO directory_login SELECT email, workspace_id, id FROM "user";
-- Ids are per workspace: contact 42 exists in every workspace.
INSERT INTO contact (workspace_id, id, name, tier, every, eff_every,
		     created_at, updated_at, any_anchor, meet_anchor, due_at)
SELECT w, c, 'contact ' || c, (ARRAY['a', 'b', 'c'])[1 + c % 3], 30, 30, 0, 0,
       c * 3600, c * 3600, c * 3600 + 30 * 86400
FROM generate_series(1, 200) w, generate_series(1, 200) c;
INSERT INTO contact_email (workspace_id, contact_id, pos, email)
SELECT workspace_id, id, 0, 'c' || id || '@w' || workspace_id || '.example'
FROM contact;
INSERT INTO touchpoint (workspace_id, id, at, channel, direction, created_at)
SELECT w, t, t * 600, 'email', 'out', t * 600
FROM generate_series(1, 200) w, generate_series(1, 1000) t;
INSERT INTO touch_contact (workspace_id, contact_id, at, touch_id)
SELECT workspace_id, 1 + id % 200, at, id FROM touchpoint;
INSERT INTO promise (workspace_id, id, contact_id, text, due, created_at)
SELECT w, p, 1 + p % 200, 'promise ' || p, p * 86400, 0
FROM generate_series(1, 200) w, generate_series(1, 50) p;
INSERT INTO session (workspace_id, id_hash, user_id, created_at, expires_at)
SELECT w, md5('s' || w), 1, 0, 99999999999 FROM generate_series(1, 200) w;
INSERT INTO directory_credential
SELECT id_hash, 'session', workspace_id FROM session;
ANALYZE;
\timing off

\echo '== routed: one workspace, one shard'
\echo '-- contact read by (workspace_id, id) (sqlite_contact.c)'
EXPLAIN (COSTS OFF)
SELECT name, tier, last_touch, due_at, touch_count FROM contact
WHERE workspace_id = 7 AND id = 42;
\echo '-- its lists (the contact read, migration 14)'
EXPLAIN (COSTS OFF)
SELECT pos, email, label FROM contact_email
WHERE workspace_id = 7 AND contact_id = 42 ORDER BY pos;
\echo '-- agenda page: store_due_page, one cadence and tier, by anchor'
EXPLAIN (COSTS OFF)
SELECT id, any_anchor FROM contact
WHERE workspace_id = 7 AND eff_every = 30 AND tier = 'a'
  AND (any_anchor, id) > (0, 0)
ORDER BY any_anchor, id LIMIT 50;
\echo '-- agenda promises: open, by due'
EXPLAIN (COSTS OFF)
SELECT id, contact_id, text, due FROM promise
WHERE workspace_id = 7 AND done_at IS NULL ORDER BY due LIMIT 50;
\echo '-- touch insert (sqlite_touch.c), its summary update (sqlite_summary.c), its participant'
EXPLAIN (COSTS OFF)
INSERT INTO touchpoint (workspace_id, at, channel, direction, minutes,
			note, source, created_at)
VALUES (7, 900000, 'call', 'out', 5, NULL, 'manual', 900000) RETURNING id;
EXPLAIN (COSTS OFF)
UPDATE contact SET touch_count = touch_count + 1,
  last_touch = greatest(coalesce(last_touch, 900000), 900000),
  any_anchor = CASE WHEN last_touch IS NULL OR 900000 > last_touch
	       THEN 900000 ELSE any_anchor END,
  due_at = CASE WHEN last_touch IS NULL OR 900000 > last_touch
	   THEN kith_due(eff_every, 900000) ELSE due_at END
WHERE id = 42 AND workspace_id = 7;
EXPLAIN (COSTS OFF)
INSERT INTO touch_contact (workspace_id, contact_id, at, touch_id)
VALUES (7, 42, 900000, 5001);
\echo '-- a contact x its touches, one workspace: the timeline join (sqlite_touch.c)'
EXPLAIN (COSTS OFF)
SELECT t.id, t.at, t.channel FROM touch_contact tc
JOIN touchpoint t ON t.workspace_id = tc.workspace_id AND t.id = tc.touch_id
WHERE tc.workspace_id = 7 AND tc.contact_id = 42
ORDER BY tc.at DESC LIMIT 20;
\echo '-- contact x touch_contact, whole workspace: most-touched contacts'
EXPLAIN (COSTS OFF)
SELECT c.id, c.name, count(*) AS n FROM contact c
JOIN touch_contact tc ON tc.workspace_id = c.workspace_id AND tc.contact_id = c.id
WHERE c.workspace_id = 7
GROUP BY c.id, c.name ORDER BY n DESC LIMIT 5;
\echo '-- the same, prepared (the engine prepares every statement), 6th run = generic plan'
PREPARE most(bigint) AS
SELECT c.id, c.name, count(*) AS n FROM contact c
JOIN touch_contact tc ON tc.workspace_id = c.workspace_id AND tc.contact_id = c.id
WHERE c.workspace_id = $1
GROUP BY c.id, c.name ORDER BY n DESC LIMIT 5;
EXECUTE most(7); EXECUTE most(7); EXECUTE most(7); EXECUTE most(7); EXECUTE most(7);
EXPLAIN (COSTS OFF) EXECUTE most(7);
\echo '-- sign-in: the directory (reference table) names the workspace'
EXPLAIN (COSTS OFF)
SELECT workspace_id, user_id FROM directory_login WHERE email = 'owner@ws7.example';
EXPLAIN (COSTS OFF)
SELECT workspace_id FROM directory_credential WHERE hash = md5('s7');
\echo '-- ... then the session row is read on its shard'
EXPLAIN (COSTS OFF)
SELECT user_id, expires_at, idle_until FROM session
WHERE workspace_id = 7 AND id_hash = md5('s7');

\echo '== one write transaction of one workspace: one node, one-phase commit'
SET citus.log_remote_commands = on;
BEGIN;
INSERT INTO touchpoint (workspace_id, id, at, channel, direction, created_at)
VALUES (7, 5001, 900000, 'call', 'out', 900000);
UPDATE contact SET touch_count = touch_count + 1,
  last_touch = greatest(coalesce(last_touch, 900000), 900000)
WHERE id = 42 AND workspace_id = 7;
INSERT INTO touch_contact (workspace_id, contact_id, at, touch_id)
VALUES (7, 42, 900000, 5001);
COMMIT;
RESET citus.log_remote_commands;

\echo '== not routed: every shard'
\echo '-- a session by its hash alone (the SQLite store today): 32 tasks'
EXPLAIN (COSTS OFF)
SELECT workspace_id, user_id FROM session WHERE id_hash = md5('s7');
\echo '-- a server-wide job: the notification sender''s due scan'
EXPLAIN (COSTS OFF)
SELECT id, workspace_id FROM outbox WHERE sent_at IS NULL AND next_at <= 1000
ORDER BY next_at LIMIT 20;

\echo '== refused by Citus'
\set ON_ERROR_STOP 0
\echo '-- a join that misses the key (tc.workspace_id not joined)'
SELECT count(*) FROM contact c
JOIN touch_contact tc ON tc.contact_id = c.id
WHERE c.workspace_id = 7;
\echo '-- the SQLite key shapes: id PRIMARY KEY alone, a UNIQUE across workspaces'
CREATE TABLE sqlite_shape_contact (id BIGINT PRIMARY KEY,
				   workspace_id BIGINT NOT NULL);
SELECT create_distributed_table('sqlite_shape_contact', 'workspace_id',
				colocate_with => 'workspace');
DROP TABLE sqlite_shape_contact;
CREATE TABLE sqlite_shape_token (workspace_id BIGINT NOT NULL,
				 hash TEXT NOT NULL UNIQUE);
SELECT create_distributed_table('sqlite_shape_token', 'workspace_id',
				colocate_with => 'workspace');
DROP TABLE sqlite_shape_token;
\echo '-- foreign keys: on touch_id alone (PostgreSQL refuses: touchpoint(id) is no'
\echo '-- longer unique), not on the distribution column (Citus refuses), and right'
CREATE TABLE fk_shape (workspace_id BIGINT NOT NULL, contact_id BIGINT NOT NULL,
		       touch_id BIGINT NOT NULL);
SELECT create_distributed_table('fk_shape', 'workspace_id',
				colocate_with => 'workspace');
ALTER TABLE fk_shape ADD FOREIGN KEY (touch_id) REFERENCES touchpoint (id);
ALTER TABLE fk_shape ADD FOREIGN KEY (contact_id, touch_id)
	REFERENCES touchpoint (workspace_id, id);
ALTER TABLE fk_shape ADD FOREIGN KEY (workspace_id, touch_id)
	REFERENCES touchpoint (workspace_id, id);
DROP TABLE fk_shape;
\set ON_ERROR_STOP 1

\echo '== moving workspace 7: its own shard, then the other worker'
SELECT get_shard_id_for_distribution_column('workspace', 7) AS old_shard \gset
SELECT nodeport AS old_port FROM citus_shards WHERE shardid = :old_shard \gset
SELECT count(*) AS rows_before FROM touch_contact WHERE workspace_id = 7 \gset
\echo shard :old_shard on port :old_port, touch_contact rows :rows_before
\timing on
SELECT isolate_tenant_to_new_shard('workspace', 7, 'CASCADE',
				   shard_transfer_mode => 'block_writes') AS new_shard \gset
\timing off
SELECT nodeport AS new_port FROM citus_shards WHERE shardid = :new_shard \gset
SELECT shardid, shardminvalue, shardmaxvalue FROM pg_dist_shard
WHERE shardid = :new_shard;
SELECT nodeport AS dest_port FROM pg_dist_node
WHERE nodeport <> :new_port AND shouldhaveshards AND noderole = 'primary' LIMIT 1 \gset
\echo workspace 7 now alone in shard :new_shard on :new_port; moving it to :dest_port
\timing on
SELECT citus_move_shard_placement(:new_shard, '127.0.0.1', :new_port,
				  '127.0.0.1', :dest_port,
				  shard_transfer_mode => 'force_logical');
\timing off
SELECT count(DISTINCT s.table_name) AS tables_moved, min(s.nodeport) AS port
FROM citus_shards s JOIN pg_dist_shard d USING (shardid)
WHERE d.shardminvalue = (SELECT shardminvalue FROM pg_dist_shard WHERE shardid = :new_shard)
  AND d.shardmaxvalue = (SELECT shardmaxvalue FROM pg_dist_shard WHERE shardid = :new_shard);
SELECT count(*) AS rows_after, count(*) = :rows_before AS same
FROM touch_contact WHERE workspace_id = 7;
EXPLAIN (COSTS OFF)
SELECT name FROM contact WHERE workspace_id = 7 AND id = 42;

\echo '== triggers'
\set ON_ERROR_STOP 0
\echo '-- a CardDAV counting trigger (migrate_pg.c, dav_contact_ins) on contact'
CREATE FUNCTION dav_contact_ins() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN
 UPDATE workspace SET dav_seq = dav_seq + 1 WHERE id = NEW.workspace_id;
 UPDATE contact SET dav_seq = (SELECT dav_seq FROM workspace
  WHERE id = NEW.workspace_id) WHERE workspace_id = NEW.workspace_id
  AND id = NEW.id;
 RETURN NULL; END$$;
CREATE TRIGGER dav_contact_ins AFTER INSERT ON contact
 FOR EACH ROW EXECUTE FUNCTION dav_contact_ins();
SET citus.enable_unsafe_triggers = on;
CREATE TRIGGER dav_contact_ins AFTER INSERT ON contact
 FOR EACH ROW EXECUTE FUNCTION dav_contact_ins();
RESET citus.enable_unsafe_triggers;
\echo '-- (the setting is checked by trigger DDL, not when one fires: it fires'
\echo '-- without it, on workspace 7 alone on its node and 8 in a shared shard)'
INSERT INTO contact (workspace_id, id, name, created_at, updated_at,
		     any_anchor, meet_anchor)
VALUES (7, 1001, 'via trigger', 0, 0, 0, 0), (8, 1001, 'via trigger', 0, 0, 0, 0);
INSERT INTO contact (workspace_id, id, name, created_at, updated_at,
		     any_anchor, meet_anchor)
VALUES (7, 1003, 'via trigger', 0, 0, 0, 0);
SELECT c.workspace_id, c.id, c.dav_seq, w.dav_seq AS workspace_dav_seq
FROM contact c JOIN workspace w ON w.id = c.workspace_id
WHERE c.workspace_id IN (7, 8) AND c.id > 1000 ORDER BY 1, 2;
DROP TRIGGER dav_contact_ins ON contact;
SET citus.enable_unsafe_triggers = on;
DROP TRIGGER dav_contact_ins ON contact;
RESET citus.enable_unsafe_triggers;
DROP FUNCTION dav_contact_ins();
\echo '-- the same counting as the store''s own statements, in one transaction'
BEGIN;
UPDATE workspace SET dav_seq = dav_seq + 1 WHERE id = 7 RETURNING dav_seq AS seq \gset
INSERT INTO contact (workspace_id, id, name, created_at, updated_at,
		     any_anchor, meet_anchor, dav_seq)
VALUES (7, 1002, 'counted by the store', 0, 0, 0, 0, :seq);
COMMIT;
SELECT id, dav_seq FROM contact WHERE workspace_id = 7 AND id = 1002;
\set ON_ERROR_STOP 1
