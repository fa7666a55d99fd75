-- citus-distribute.sql: distribute a kith database (the engine's own
-- schema, src/store/migrate_pg.c, every migration applied) by workspace
-- on a Citus coordinator. Run once, after the migrations and before the
-- book is used: `scripts/citus-cluster newdb DIR NAME` makes the
-- database, `scripts/citus-cluster kithdb DIR NAME KITH` migrates and
-- runs this (docs/SCALING.md, "kith's suites on Citus").
--
-- What it changes, and why each is needed:
-- 1. Citus keeps a unique rule only if it includes the distribution
--    column. Since migration 19 every key does, but for six rules that
--    are global by design: a workspace's name, a sign-in email, a
--    calendar feed's hash, a session's id hash, a token's hash, a
--    webhook secret's hash. Each becomes unique within its workspace
--    here; across workspaces the directory (migration 20) holds them:
--    directory_workspace, directory_login and directory_credential,
--    made reference tables below, keyed by the name, the email and the
--    hash. The store writes them beside the rows they name and, on
--    Citus, finds a credential's workspace there before reading its
--    row on its one shard.
-- 2. A workspace's id is its shard: Citus needs it before the row is
--    routed, so the trigger that numbers it (kith_id, max(id) + 1, which
--    on a shard would see only that shard) gives way to a sequence the
--    coordinator draws from.
-- 3. Triggers on distributed tables (the CardDAV counts) need
--    citus.enable_unsafe_triggers; each statement in them names
--    NEW.workspace_id (migration 15), so they stay on one workspace's
--    co-located shards.
\set ON_ERROR_STOP on
SET citus.enable_unsafe_triggers = on;
SET citus.shard_count = 32;

-- 1. the directory's unique rules, per workspace
ALTER TABLE workspace DROP CONSTRAINT workspace_name_key;
DROP INDEX user_email;
DROP INDEX user_feed;
CREATE UNIQUE INDEX user_feed ON "user"(workspace_id, feed_hash)
	WHERE feed_hash IS NOT NULL;
ALTER TABLE session DROP CONSTRAINT session_pkey,
	ADD PRIMARY KEY (workspace_id, id_hash);
ALTER TABLE api_token DROP CONSTRAINT api_token_hash_key,
	ADD UNIQUE (workspace_id, hash);
ALTER TABLE hook DROP CONSTRAINT hook_secret_hash_key,
	ADD UNIQUE (workspace_id, secret_hash);

-- 2. workspace ids from the coordinator
DROP TRIGGER workspace_id ON workspace;
CREATE SEQUENCE workspace_id_seq;
SELECT setval('workspace_id_seq', coalesce(max(id), 0) + 1, false)
	FROM workspace;
ALTER TABLE workspace ALTER id SET DEFAULT nextval('workspace_id_seq');

-- 3. the tables: the schema version on every node; the book by
-- workspace, parents before the tables whose keys point at them
SELECT create_reference_table('kith_schema');
SELECT create_reference_table('directory_workspace');
SELECT create_reference_table('directory_login');
SELECT create_reference_table('directory_credential');
SELECT create_distributed_table('workspace', 'id');
SELECT create_distributed_table('"user"', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('organization', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('contact', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('touchpoint', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('meeting', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('contact_email', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('contact_phone', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('contact_handle', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('contact_tag', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('contact_address', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('touch_contact', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('touch_user', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('fact', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('kdate', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('promise', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('gift', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('revenue', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('cadence_rule', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('session', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('api_token', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('hook', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('signal', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('alert', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('notify_target', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('outbox', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('meeting_contact', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('mail_message', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('mail_peer', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('mail_alias', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('mailbox', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('dav_book', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('dav_card', 'workspace_id', colocate_with => 'workspace');
SELECT create_distributed_table('dav_tombstone', 'workspace_id', colocate_with => 'workspace');
