-- Koma's first schema: accounts, projects and membership, the durable document log,
-- assets, AI generations and the audit log. Applied once, in a transaction, by lib/db/migrate.ts.

CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text NOT NULL,
  name          text NOT NULL,
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));

-- Refresh tokens rotate; a family shares one id so a reused token can revoke all of them.
CREATE TABLE refresh_tokens (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  family_id   uuid NOT NULL,
  token_hash  text NOT NULL UNIQUE,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  revoked_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE projects (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id          uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title             text NOT NULL,
  language          text NOT NULL CHECK (language IN ('ja', 'en')),
  reading_direction text NOT NULL CHECK (reading_direction IN ('rtl', 'ltr')),
  page_format       text NOT NULL DEFAULT 'B5',
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role       text NOT NULL CHECK (role IN ('owner', 'editor', 'reviewer', 'viewer')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- The write-ahead log of Yjs updates: a row is written before the update is acknowledged.
CREATE TABLE doc_updates (
  seq        bigserial PRIMARY KEY,
  doc_name   text NOT NULL,
  project_id uuid REFERENCES projects(id) ON DELETE CASCADE,
  update     bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX doc_updates_doc_seq ON doc_updates (doc_name, seq);

-- Compacted state: snapshot covers every update with seq <= upto_seq.
CREATE TABLE doc_snapshots (
  doc_name   text PRIMARY KEY,
  project_id uuid REFERENCES projects(id) ON DELETE CASCADE,
  state      bytea NOT NULL,
  upto_seq   bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Binary assets (scene images, references, exports). Bytes are addressed by their hash.
CREATE TABLE assets (
  id           text PRIMARY KEY,
  project_id   uuid REFERENCES projects(id) ON DELETE CASCADE,
  content_hash text NOT NULL,
  mime         text NOT NULL,
  size_bytes   integer NOT NULL,
  width        integer,
  height       integer,
  bytes        bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assets_project ON assets (project_id);

-- One row per AI call.
CREATE TABLE generations (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id    uuid REFERENCES projects(id) ON DELETE CASCADE,
  phase         text NOT NULL,
  job_id        text,
  provider      text NOT NULL,
  model         text NOT NULL,
  prompt_hash   text NOT NULL,
  input_tokens  integer NOT NULL DEFAULT 0,
  output_tokens integer NOT NULL DEFAULT 0,
  images        integer NOT NULL DEFAULT 0,
  cost_jpy      numeric(12, 4) NOT NULL DEFAULT 0,
  duration_ms   integer NOT NULL DEFAULT 0,
  outcome       text NOT NULL CHECK (outcome IN ('ok', 'error', 'retried', 'blocked', 'invalid', 'cancelled')),
  error         text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX generations_project ON generations (project_id, created_at);

-- Kept when a project or user is deleted: it records the deletion.
CREATE TABLE audit_log (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  actor_id   uuid,
  action     text NOT NULL,
  project_id uuid,
  target     text,
  ip         text,
  details    jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at ON audit_log (at);
