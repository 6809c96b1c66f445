"""The SQLite schema, versioned with ``PRAGMA user_version`` and migrated at open.

Each migration runs inside ``BEGIN IMMEDIATE`` and re-reads the version under that lock,
so several processes opening one file at once migrate it exactly once.
"""

from __future__ import annotations

import sqlite3

from leadsync.errors import ConfigError

_NOW_US = "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"

MIGRATIONS: tuple[str, ...] = (
    # 1: users, custom fields, leads. AUTOINCREMENT: lead ids are never reused.
    """
    CREATE TABLE users (
        user_id TEXT PRIMARY KEY,
        secret TEXT NOT NULL
    );
    CREATE TABLE fields (
        name TEXT PRIMARY KEY,
        type TEXT NOT NULL
    );
    CREATE TABLE leads (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        email TEXT,
        email_key TEXT,
        foreign_id TEXT UNIQUE,
        foreign_type TEXT,
        attrs TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX leads_email_key ON leads (email_key);
    """,
    # 2: instances (tenants). Every user and lead belongs to one; keys are unique per
    # instance. The leads table is rebuilt to scope the foreign id's uniqueness, and
    # keeps its AUTOINCREMENT sequence (ids are never reused).
    """
    CREATE TABLE instances (
        name TEXT PRIMARY KEY
    );
    INSERT INTO instances (name) VALUES ('default');
    ALTER TABLE users ADD COLUMN instance TEXT NOT NULL DEFAULT 'default'
        REFERENCES instances (name);
    CREATE TEMP TABLE old_sequence AS
        SELECT seq FROM sqlite_sequence WHERE name = 'leads';
    CREATE TABLE leads_v2 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        instance TEXT NOT NULL DEFAULT 'default',
        email TEXT,
        email_key TEXT,
        foreign_id TEXT,
        foreign_type TEXT,
        attrs TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    INSERT INTO leads_v2 (id, instance, email, email_key, foreign_id, foreign_type, attrs,
                          created_at, updated_at)
        SELECT id, 'default', email, email_key, foreign_id, foreign_type, attrs,
               created_at, updated_at FROM leads;
    DROP TABLE leads;
    ALTER TABLE leads_v2 RENAME TO leads;
    UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM old_sequence), 0))
        WHERE name = 'leads';
    DROP TABLE old_sequence;
    CREATE UNIQUE INDEX leads_foreign_id ON leads (instance, foreign_id)
        WHERE foreign_id IS NOT NULL;
    CREATE INDEX leads_email_key ON leads (instance, email_key) WHERE email_key IS NOT NULL;
    """,
    # 3: the Munchkin cookie a lead was synced with (syncLead, getLead by COOKIE); a
    # server-wide secret for tamper-evident stream positions; paging by update time.
    """
    ALTER TABLE leads ADD COLUMN cookie TEXT;
    CREATE UNIQUE INDEX leads_cookie ON leads (instance, cookie) WHERE cookie IS NOT NULL;
    CREATE INDEX leads_updated_at ON leads (instance, updated_at);
    CREATE TABLE meta (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    INSERT INTO meta (name, value) VALUES ('stream_key', lower(hex(randomblob(32))));
    """,
    # 4: a blank Email is no key, and a lead without a ForeignSysPersonId has no
    # ForeignSysType: rows written before those rules are brought in line. The store's
    # and each custom field's creation time, for describeMObject's updatedAt.
    f"""
    UPDATE leads SET email = NULL, email_key = NULL WHERE email_key = '';
    UPDATE leads SET foreign_type = NULL WHERE foreign_id IS NULL;
    ALTER TABLE fields ADD COLUMN added_at INTEGER NOT NULL DEFAULT 0;
    UPDATE fields SET added_at = {_NOW_US};
    INSERT INTO meta (name, value) VALUES ('created_at', {_NOW_US});
    """,
    # 5: custom fields per instance, each with its REST and display names, as each
    # Marketo subscription had its own catalog. The fields every instance shared become
    # every instance's (REST name: the first letter lowered; display name: the name).
    """
    CREATE TABLE fields_v5 (
        instance TEXT NOT NULL REFERENCES instances (name),
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        rest_name TEXT NOT NULL,
        display_name TEXT NOT NULL,
        added_at INTEGER NOT NULL,
        PRIMARY KEY (instance, name)
    );
    INSERT INTO fields_v5 (instance, name, type, rest_name, display_name, added_at)
        SELECT i.name, f.name, f.type, lower(substr(f.name, 1, 1)) || substr(f.name, 2),
               f.name, f.added_at
        FROM fields AS f, instances AS i;
    DROP TABLE fields;
    ALTER TABLE fields_v5 RENAME TO fields;
    """,
    # 6: the leads' history. Ids are never reused (AUTOINCREMENT) and commit in order
    # (one writer at a time); ``attrs`` holds the kind's attribute values as a JSON array.
    """
    CREATE TABLE activities (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        instance TEXT NOT NULL,
        lead_id INTEGER NOT NULL,
        kind INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        asset TEXT,
        attrs TEXT NOT NULL,
        campaign TEXT
    );
    CREATE INDEX activities_lead ON activities (lead_id, id);
    CREATE INDEX activities_created ON activities (created_at);
    """,
    # 7: activities kept as runs (store/base.py): a row holds the consecutive activities
    # of one lead, kind and time; its id is the last one's, ``n`` their count. Each old
    # row becomes a run of one; the AUTOINCREMENT sequence carries over.
    """
    CREATE TEMP TABLE old_sequence AS
        SELECT seq FROM sqlite_sequence WHERE name = 'activities';
    CREATE TABLE activities_v7 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        instance TEXT NOT NULL,
        lead_id INTEGER NOT NULL,
        kind INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        n INTEGER NOT NULL,
        body TEXT NOT NULL
    );
    INSERT INTO activities_v7 (id, instance, lead_id, kind, created_at, n, body)
        SELECT id, instance, lead_id, kind, created_at, 1,
               json_array(json_array(asset, campaign, json(attrs)))
        FROM activities;
    DROP TABLE activities;
    ALTER TABLE activities_v7 RENAME TO activities;
    CREATE TEMP TABLE new_sequence AS
        SELECT max(coalesce((SELECT seq FROM old_sequence), 0),
                   coalesce((SELECT max(id) FROM activities), 0)) AS seq;
    DELETE FROM sqlite_sequence WHERE name = 'activities';
    INSERT INTO sqlite_sequence (name, seq) SELECT 'activities', seq FROM new_sequence;
    DROP TABLE new_sequence;
    DROP TABLE old_sequence;
    CREATE INDEX activities_lead ON activities (lead_id, id);
    CREATE INDEX activities_created ON activities (created_at);
    """,
    # 8: channels, programs, static lists and their members, per instance (names unique
    # in it). Membership is a set: one row per (list, lead).
    """
    CREATE TABLE channels (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        instance TEXT NOT NULL REFERENCES instances (name),
        name TEXT NOT NULL,
        progression TEXT NOT NULL,
        UNIQUE (instance, name)
    );
    CREATE TABLE programs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        instance TEXT NOT NULL REFERENCES instances (name),
        name TEXT NOT NULL,
        channel TEXT,
        tags TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (instance, name)
    );
    CREATE TABLE lists (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        instance TEXT NOT NULL REFERENCES instances (name),
        name TEXT NOT NULL,
        program_id INTEGER REFERENCES programs (id),
        created_at INTEGER NOT NULL,
        UNIQUE (instance, name)
    );
    CREATE TABLE list_members (
        list_id INTEGER NOT NULL,
        lead_id INTEGER NOT NULL,
        added_at INTEGER NOT NULL,
        PRIMARY KEY (list_id, lead_id)
    ) WITHOUT ROWID;
    CREATE INDEX list_members_lead ON list_members (lead_id);
    """,
    # 9: smart campaigns (in a program; names unique in an instance) and the runs
    # requestCampaign and scheduleCampaign recorded.
    """
    CREATE TABLE campaigns (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        instance TEXT NOT NULL REFERENCES instances (name),
        name TEXT NOT NULL,
        program_id INTEGER NOT NULL REFERENCES programs (id),
        description TEXT NOT NULL,
        requestable INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (instance, name)
    );
    CREATE TABLE campaign_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        instance TEXT NOT NULL,
        campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
        kind TEXT NOT NULL,
        asked_at INTEGER NOT NULL,
        run_at INTEGER,
        lead_ids TEXT NOT NULL,
        tokens TEXT NOT NULL,
        clone_to TEXT
    );
    CREATE INDEX campaign_runs_campaign ON campaign_runs (campaign_id, id);
    """,
    # 10: importToList jobs: the rows to import, the progress, the claim of the process
    # importing them.
    """
    CREATE TABLE import_jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        instance TEXT NOT NULL,
        list_id INTEGER NOT NULL REFERENCES lists (id),
        mode TEXT NOT NULL,
        clear_list INTEGER NOT NULL,
        campaign TEXT,
        columns TEXT NOT NULL,
        rows TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        next_row INTEGER NOT NULL,
        imported INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        ignored INTEGER NOT NULL,
        summary TEXT,
        claimed_by TEXT,
        claimed_at INTEGER
    );
    CREATE INDEX import_jobs_list ON import_jobs (list_id, id);
    CREATE INDEX import_jobs_status ON import_jobs (status, id);
    """,
    # 11: custom object types (per instance) and their objects, each linked to a lead;
    # unique by (type, lead, key values).
    """
    CREATE TABLE custom_object_types (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        instance TEXT NOT NULL REFERENCES instances (name),
        name TEXT NOT NULL,
        keys TEXT NOT NULL,
        fields TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (instance, name)
    );
    CREATE TABLE custom_objects (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        type_id INTEGER NOT NULL REFERENCES custom_object_types (id),
        lead_id INTEGER NOT NULL,
        key_text TEXT NOT NULL,
        attrs TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (type_id, lead_id, key_text)
    );
    CREATE INDEX custom_objects_lead ON custom_objects (lead_id);
    """,
    # 12: MObjects (Opportunity, OpportunityPersonRole): a role's lead and opportunity are
    # columns (a merge moves roles by lead); programs get their costs.
    """
    CREATE TABLE mobjects (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        instance TEXT NOT NULL REFERENCES instances (name),
        type TEXT NOT NULL,
        external_key TEXT,
        lead_id INTEGER,
        parent_id INTEGER,
        attrs TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX mobjects_external ON mobjects (instance, type, external_key)
        WHERE external_key IS NOT NULL;
    CREATE INDEX mobjects_lead ON mobjects (lead_id) WHERE lead_id IS NOT NULL;
    CREATE INDEX mobjects_parent ON mobjects (parent_id) WHERE parent_id IS NOT NULL;
    ALTER TABLE programs ADD COLUMN costs TEXT NOT NULL DEFAULT '[]';
    """,
    # 13: a program's My Tokens (name, value), as getMObjects' includeDetails gives them.
    """
    ALTER TABLE programs ADD COLUMN tokens TEXT NOT NULL DEFAULT '[]';
    """,
    # 14: REST API clients (a secret kept as a salted hash) and their access tokens (kept
    # as hashes), shared by every process on the store.
    """
    CREATE TABLE rest_clients (
        client_id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        instance TEXT NOT NULL REFERENCES instances (name),
        secret_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE rest_tokens (
        token_hash TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        instance TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE INDEX rest_tokens_expiry ON rest_tokens (expires_at);
    """,
    # 15: REST bulk extract jobs (exports.py): what a job selects (``spec``, JSON), its
    # status and times, its file, the claim of the process writing it.
    """
    CREATE TABLE bulk_jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        export_id TEXT NOT NULL UNIQUE,
        instance TEXT NOT NULL,
        kind TEXT NOT NULL,
        format TEXT NOT NULL,
        spec TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        queued_at INTEGER,
        started_at INTEGER,
        finished_at INTEGER,
        records INTEGER,
        file_size INTEGER,
        checksum TEXT,
        file TEXT,
        error TEXT,
        claimed_by TEXT,
        claimed_at INTEGER
    );
    CREATE INDEX bulk_jobs_instance ON bulk_jobs (instance, kind, id);
    CREATE INDEX bulk_jobs_status ON bulk_jobs (status, queued_at);
    """,
    # 16: REST API calls counted per instance, day (the quota's time zone), client and
    # answer code ('' for success), for stats/usage.json and stats/errors.json.
    """
    CREATE TABLE api_usage (
        instance TEXT NOT NULL,
        day TEXT NOT NULL,
        client_id TEXT NOT NULL,
        code TEXT NOT NULL,
        calls INTEGER NOT NULL,
        PRIMARY KEY (instance, day, client_id, code)
    );
    """,
    # 17: relay mode's upstream access token, shared by the server processes on the store
    # (keyed by the upstream's identity URL and client id).
    """
    CREATE TABLE upstream_tokens (
        upstream TEXT PRIMARY KEY,
        token TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    );
    """,
    # 18: an instance's own upstream in relay mode (its RelaySettings as JSON).
    """
    CREATE TABLE instance_upstreams (
        instance TEXT PRIMARY KEY REFERENCES instances (name),
        settings TEXT NOT NULL
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> None:
    """Bring the schema to ``target`` (tests stop early); refuse a file from a newer
    leadsync."""
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ConfigError(
                    f"the store's schema version {version} is newer than this leadsync's "
                    f"({SCHEMA_VERSION}): upgrade leadsync"
                )
            if version >= target:
                conn.execute("COMMIT")
                return
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
