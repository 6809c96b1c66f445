"""The PostgreSQL schema, versioned in ``leadsync_schema`` and migrated at open.

Migrations run under a transaction-scoped advisory lock, so any number of processes
starting at once against one database migrate it exactly once.
"""

from __future__ import annotations

import psycopg

from leadsync.errors import ConfigError

_MIGRATION_LOCK = 0x6C656164_73796E63  # "leadsync"

_NOW_US = "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint"

MIGRATIONS: tuple[str, ...] = (
    # 1: users, custom fields, leads; lead ids from a sequence (never reused, xs:int).
    """
    CREATE TABLE users (
        user_id text PRIMARY KEY,
        secret text NOT NULL
    );
    CREATE TABLE fields (
        name text PRIMARY KEY,
        type text NOT NULL
    );
    CREATE SEQUENCE leads_id_seq AS integer;
    CREATE TABLE leads (
        id integer PRIMARY KEY DEFAULT nextval('leads_id_seq'),
        email text,
        email_key text,
        foreign_id text UNIQUE,
        foreign_type text,
        attrs jsonb NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL
    );
    ALTER SEQUENCE leads_id_seq OWNED BY leads.id;
    CREATE INDEX leads_email_key ON leads (email_key);
    -- Advisory locks on key hashes, taken one after another in the order given (the
    -- caller sorts), so that two writers never wait on each other in a cycle.
    CREATE FUNCTION leadsync_lock_keys(keys bigint[]) RETURNS void
    LANGUAGE plpgsql AS $body$
    DECLARE
        k bigint;
    BEGIN
        FOREACH k IN ARRAY keys LOOP
            PERFORM pg_advisory_xact_lock(k);
        END LOOP;
    END
    $body$;
    """,
    # 2: instances (tenants). Every user and lead belongs to one; keys are unique per
    # instance.
    """
    CREATE TABLE instances (
        name text PRIMARY KEY
    );
    INSERT INTO instances (name) VALUES ('default');
    ALTER TABLE users ADD COLUMN instance text NOT NULL DEFAULT 'default'
        REFERENCES instances (name);
    ALTER TABLE leads ADD COLUMN instance text NOT NULL DEFAULT 'default';
    ALTER TABLE leads DROP CONSTRAINT leads_foreign_id_key;
    CREATE UNIQUE INDEX leads_foreign_id ON leads (instance, foreign_id)
        WHERE foreign_id IS NOT NULL;
    DROP INDEX leads_email_key;
    CREATE INDEX leads_email_key ON leads (instance, email_key) WHERE email_key IS NOT NULL;
    """,
    # 3: the Munchkin cookie a lead was synced with (syncLead, getLead by COOKIE); a
    # server-wide secret for tamper-evident stream positions; paging by update time.
    """
    ALTER TABLE leads ADD COLUMN cookie text;
    CREATE UNIQUE INDEX leads_cookie ON leads (instance, cookie) WHERE cookie IS NOT NULL;
    CREATE INDEX leads_updated_at ON leads (instance, updated_at);
    CREATE TABLE meta (
        name text PRIMARY KEY,
        value text NOT NULL
    );
    INSERT INTO meta (name, value)
        VALUES ('stream_key', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
    """,
    # 4: a blank Email is no key, and a lead without a ForeignSysPersonId has no
    # ForeignSysType: rows written before those rules are brought in line. The store's
    # and each custom field's creation time, for describeMObject's updatedAt.
    f"""
    UPDATE leads SET email = NULL, email_key = NULL WHERE email_key = '';
    UPDATE leads SET foreign_type = NULL WHERE foreign_id IS NULL;
    ALTER TABLE fields ADD COLUMN added_at bigint NOT NULL DEFAULT 0;
    UPDATE fields SET added_at = {_NOW_US};
    INSERT INTO meta (name, value) VALUES ('created_at', ({_NOW_US})::text);
    """,
    # 5: custom fields per instance, each with its REST and display names, as each
    # Marketo subscription had its own catalog. The fields every instance shared become
    # every instance's (REST name: the first letter lowered; display name: the name).
    """
    ALTER TABLE fields ADD COLUMN instance text NOT NULL DEFAULT 'default'
        REFERENCES instances (name);
    ALTER TABLE fields ADD COLUMN rest_name text;
    ALTER TABLE fields ADD COLUMN display_name text;
    UPDATE fields SET rest_name = lower(left(name, 1)) || substr(name, 2), display_name = name;
    ALTER TABLE fields DROP CONSTRAINT fields_pkey;
    INSERT INTO fields (instance, name, type, rest_name, display_name, added_at)
        SELECT i.name, f.name, f.type, f.rest_name, f.display_name, f.added_at
        FROM fields AS f, instances AS i WHERE i.name <> 'default';
    ALTER TABLE fields ADD PRIMARY KEY (instance, name);
    ALTER TABLE fields ALTER COLUMN instance DROP DEFAULT;
    ALTER TABLE fields ALTER COLUMN rest_name SET NOT NULL;
    ALTER TABLE fields ALTER COLUMN display_name SET NOT NULL;
    """,
    # 6: the leads' history. ``txid``, the writing transaction's id, orders what a change
    # stream may deliver (ids from the sequence become visible out of order);
    # ``attrs`` holds the kind's attribute values as a JSON array.
    """
    CREATE TABLE activities (
        id bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
        txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        instance text NOT NULL,
        lead_id integer NOT NULL,
        kind smallint NOT NULL,
        created_at bigint NOT NULL,
        asset text,
        attrs text NOT NULL,
        campaign text
    );
    CREATE INDEX activities_lead ON activities (lead_id, id);
    CREATE INDEX activities_created ON activities (created_at);
    CREATE INDEX activities_txid ON activities (txid);
    """,
    # 7: activities kept as runs (store/base.py): a row holds the consecutive activities
    # of one lead, kind and time; its id is the last one's, ``n`` their count. A run's
    # ids come from leadsync_activity_ids, which takes a block of the sequence under a
    # lock held for the two sequence calls only (not to commit). Each old row becomes a
    # run of one; the sequence continues where the identity column's stopped.
    """
    CREATE SEQUENCE activity_ids;
    SELECT setval('activity_ids', greatest(used, 1), used > 0) FROM (SELECT greatest(
        (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM activities_id_seq),
        (SELECT coalesce(max(id), 0) FROM activities)) AS used) AS u;
    CREATE TABLE activities_v7 (
        id bigint PRIMARY KEY,
        txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        instance text NOT NULL,
        lead_id integer NOT NULL,
        kind smallint NOT NULL,
        created_at bigint NOT NULL,
        n integer NOT NULL,
        body text NOT NULL
    );
    INSERT INTO activities_v7 (id, txid, instance, lead_id, kind, created_at, n, body)
        SELECT id, txid, instance, lead_id, kind, created_at, 1,
               jsonb_build_array(jsonb_build_array(asset, campaign, attrs::jsonb))::text
        FROM activities;
    DROP TABLE activities;
    ALTER TABLE activities_v7 RENAME TO activities;
    ALTER TABLE activities RENAME CONSTRAINT activities_v7_pkey TO activities_pkey;
    CREATE INDEX activities_lead ON activities (lead_id, id);
    CREATE INDEX activities_created ON activities (created_at);
    CREATE INDEX activities_txid ON activities (txid);
    CREATE FUNCTION leadsync_activity_ids(total bigint) RETURNS bigint
    LANGUAGE plpgsql AS $$
    DECLARE
        last bigint;
    BEGIN
        -- A session lock (released here, not at commit) in the two-key advisory space
        -- (leadsync_lock_keys takes one-key locks); a cancelled call releases it too.
        BEGIN
            PERFORM pg_advisory_lock(7, 7);
            last := nextval('activity_ids') + total - 1;
            PERFORM setval('activity_ids', last);
            PERFORM pg_advisory_unlock(7, 7);
        EXCEPTION WHEN OTHERS OR query_canceled THEN
            PERFORM pg_advisory_unlock(7, 7);
            RAISE;
        END;
        RETURN last;
    END
    $$;
    """,
    # 8: channels, programs, static lists and their members, per instance (names unique
    # in it). Membership is a set: one row per (list, lead).
    """
    CREATE TABLE channels (
        id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
        instance text NOT NULL REFERENCES instances (name),
        name text NOT NULL,
        progression text NOT NULL,
        UNIQUE (instance, name)
    );
    CREATE TABLE programs (
        id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
        instance text NOT NULL REFERENCES instances (name),
        name text NOT NULL,
        channel text,
        tags text NOT NULL,
        created_at bigint NOT NULL,
        UNIQUE (instance, name)
    );
    CREATE TABLE lists (
        id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
        instance text NOT NULL REFERENCES instances (name),
        name text NOT NULL,
        program_id integer REFERENCES programs (id),
        created_at bigint NOT NULL,
        UNIQUE (instance, name)
    );
    CREATE TABLE list_members (
        list_id integer NOT NULL,
        lead_id integer NOT NULL,
        added_at bigint NOT NULL,
        PRIMARY KEY (list_id, lead_id)
    );
    CREATE INDEX list_members_lead ON list_members (lead_id);
    """,
    # 9: smart campaigns (in a program; names unique in an instance) and the runs
    # requestCampaign and scheduleCampaign recorded.
    """
    CREATE TABLE campaigns (
        id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
        instance text NOT NULL REFERENCES instances (name),
        name text NOT NULL,
        program_id integer NOT NULL REFERENCES programs (id),
        description text NOT NULL,
        requestable boolean NOT NULL,
        created_at bigint NOT NULL,
        UNIQUE (instance, name)
    );
    CREATE TABLE campaign_runs (
        id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
        instance text NOT NULL,
        campaign_id integer NOT NULL REFERENCES campaigns (id),
        kind text NOT NULL,
        asked_at bigint NOT NULL,
        run_at bigint,
        lead_ids text NOT NULL,
        tokens text NOT NULL,
        clone_to text
    );
    CREATE INDEX campaign_runs_campaign ON campaign_runs (campaign_id, id);
    """,
    # 10: importToList jobs: the rows to import, the progress, the claim of the process
    # importing them.
    """
    CREATE TABLE import_jobs (
        id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
        instance text NOT NULL,
        list_id integer NOT NULL REFERENCES lists (id),
        mode text NOT NULL,
        clear_list boolean NOT NULL,
        campaign text,
        columns text NOT NULL,
        rows text NOT NULL,
        status text NOT NULL,
        started_at bigint NOT NULL,
        ended_at bigint,
        next_row bigint NOT NULL,
        imported bigint NOT NULL,
        failed bigint NOT NULL,
        ignored bigint NOT NULL,
        summary text,
        claimed_by text,
        claimed_at bigint
    );
    CREATE INDEX import_jobs_list ON import_jobs (list_id, id);
    CREATE INDEX import_jobs_status ON import_jobs (status, id);
    """,
    # 11: custom object types (per instance) and their objects, each linked to a lead;
    # unique by (type, lead, key values).
    """
    CREATE TABLE custom_object_types (
        id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
        instance text NOT NULL REFERENCES instances (name),
        name text NOT NULL,
        keys text NOT NULL,
        fields text NOT NULL,
        created_at bigint NOT NULL,
        UNIQUE (instance, name)
    );
    CREATE TABLE custom_objects (
        id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
        type_id integer NOT NULL REFERENCES custom_object_types (id),
        lead_id integer NOT NULL,
        key_text text NOT NULL,
        attrs text NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        UNIQUE (type_id, lead_id, key_text)
    );
    CREATE INDEX custom_objects_lead ON custom_objects (lead_id);
    """,
    # 12: MObjects (Opportunity, OpportunityPersonRole): a role's lead and opportunity are
    # columns (a merge moves roles by lead); programs get their costs.
    """
    CREATE TABLE mobjects (
        id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
        instance text NOT NULL REFERENCES instances (name),
        type text NOT NULL,
        external_key text,
        lead_id integer,
        parent_id integer,
        attrs text NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL
    );
    CREATE UNIQUE INDEX mobjects_external ON mobjects (instance, type, external_key)
        WHERE external_key IS NOT NULL;
    CREATE INDEX mobjects_lead ON mobjects (lead_id) WHERE lead_id IS NOT NULL;
    CREATE INDEX mobjects_parent ON mobjects (parent_id) WHERE parent_id IS NOT NULL;
    ALTER TABLE programs ADD COLUMN costs text NOT NULL DEFAULT '[]';
    """,
    # 13: a program's My Tokens (name, value), as getMObjects' includeDetails gives them.
    """
    ALTER TABLE programs ADD COLUMN tokens text NOT NULL DEFAULT '[]';
    """,
    # 14: REST API clients (a secret kept as a salted hash) and their access tokens (kept
    # as hashes), shared by every process on the store.
    """
    CREATE TABLE rest_clients (
        client_id text PRIMARY KEY,
        name text NOT NULL UNIQUE,
        instance text NOT NULL REFERENCES instances (name),
        secret_hash text NOT NULL,
        created_at bigint NOT NULL
    );
    CREATE TABLE rest_tokens (
        token_hash text PRIMARY KEY,
        client_id text NOT NULL,
        instance text NOT NULL,
        expires_at bigint NOT NULL
    );
    CREATE INDEX rest_tokens_expiry ON rest_tokens (expires_at);
    """,
    # 15: REST bulk extract jobs (exports.py): what a job selects (``spec``, JSON), its
    # status and times, its file, the claim of the process writing it.
    """
    CREATE TABLE bulk_jobs (
        id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
        export_id text NOT NULL UNIQUE,
        instance text NOT NULL,
        kind text NOT NULL,
        format text NOT NULL,
        spec text NOT NULL,
        status text NOT NULL,
        created_at bigint NOT NULL,
        queued_at bigint,
        started_at bigint,
        finished_at bigint,
        records bigint,
        file_size bigint,
        checksum text,
        file text,
        error text,
        claimed_by text,
        claimed_at bigint
    );
    CREATE INDEX bulk_jobs_instance ON bulk_jobs (instance, kind, id);
    CREATE INDEX bulk_jobs_status ON bulk_jobs (status, queued_at);
    """,
    # 16: REST API calls counted per instance, day (the quota's time zone), client and
    # answer code ('' for success), for stats/usage.json and stats/errors.json.
    """
    CREATE TABLE api_usage (
        instance text NOT NULL,
        day text NOT NULL,
        client_id text NOT NULL,
        code text NOT NULL,
        calls bigint NOT NULL,
        PRIMARY KEY (instance, day, client_id, code)
    );
    """,
    # 17: relay mode's upstream access token, shared by the server processes on the store
    # (keyed by the upstream's identity URL and client id).
    """
    CREATE TABLE upstream_tokens (
        upstream text PRIMARY KEY,
        token text NOT NULL,
        expires_at bigint NOT NULL
    );
    """,
    # 18: an instance's own upstream in relay mode (its RelaySettings as JSON).
    """
    CREATE TABLE instance_upstreams (
        instance text PRIMARY KEY REFERENCES instances (name),
        settings text NOT NULL
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: psycopg.Connection[tuple[object, ...]], target: int = SCHEMA_VERSION) -> None:
    """Bring the schema to ``target`` (tests stop early); refuse a database from a newer
    leadsync."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS leadsync_schema (version integer NOT NULL)")
        row = conn.execute("SELECT version FROM leadsync_schema").fetchone()
        version = 0 if row is None else int(str(row[0]))
        if row is None:
            conn.execute("INSERT INTO leadsync_schema (version) VALUES (0)")
        if version > SCHEMA_VERSION:
            raise ConfigError(
                f"the store's schema version {version} is newer than this leadsync's "
                f"({SCHEMA_VERSION}): upgrade leadsync"
            )
        for step in range(version, target):
            conn.execute(MIGRATIONS[step])
        conn.execute("UPDATE leadsync_schema SET version = %s", (max(version, target),))
