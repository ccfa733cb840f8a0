-- Long work (imports, rounds, term generation …) runs as a job outside the request. A job row is what every
-- instance sees: its state and progress for the progress bar, and active_key, which is the job's key while it is
-- queued or running and NULL afterwards, so that a unique index refuses a second start of the same work on any
-- instance (NULLs do not collide, in PostgreSQL as in H2).
CREATE TABLE job (
    id              VARCHAR(36)   PRIMARY KEY,
    kind            VARCHAR(40)   NOT NULL,
    job_key         VARCHAR(200)  NOT NULL,
    active_key      VARCHAR(200),
    title           VARCHAR(300)  NOT NULL,
    owner           VARCHAR(64)   NOT NULL,
    scope_type      VARCHAR(16)   NOT NULL,
    scope_code      VARCHAR(12),
    state           VARCHAR(12)   NOT NULL,
    phase           VARCHAR(80),
    done            BIGINT        NOT NULL DEFAULT 0,
    total           BIGINT        NOT NULL DEFAULT 0,
    message         VARCHAR(2000),
    result_url      VARCHAR(300),
    result_api      VARCHAR(300),
    return_url      VARCHAR(300),
    summary         VARCHAR(2000),
    cancel_requested BOOLEAN      NOT NULL DEFAULT FALSE,
    instance_id     VARCHAR(36)   NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at      TIMESTAMP WITH TIME ZONE,
    finished_at     TIMESTAMP WITH TIME ZONE,
    heartbeat_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE UNIQUE INDEX job_active_key ON job (active_key);
CREATE INDEX job_owner ON job (owner, created_at);
CREATE INDEX job_state ON job (state, heartbeat_at);

-- An import knows the job it ran in (an interrupted job's import is marked failed with it), and keeps what the
-- file changes as a whole (a roster's added/removed/changed), so a result can be shown again after the job.
ALTER TABLE import_job ADD COLUMN job_id VARCHAR(36);
ALTER TABLE import_job ADD COLUMN notes VARCHAR(4000);
