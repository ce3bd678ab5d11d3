-- Sessions (one per login) and the credential epoch that a password change
-- or account deletion raises. Session times are Unix microseconds from the
-- database's clock, the one clock every instance shares.
ALTER TABLE users ADD COLUMN credential_epoch BIGINT NOT NULL DEFAULT 0;

CREATE TABLE sessions (
    id           TEXT   PRIMARY KEY,
    seq          BIGINT GENERATED ALWAYS AS IDENTITY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    epoch        BIGINT NOT NULL,
    generation   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    refreshed_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    ended_at     BIGINT,
    end_reason   TEXT,
    user_agent   TEXT   NOT NULL,
    client_ip    TEXT   NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_ended_at ON sessions (ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX sessions_expires_at ON sessions (expires_at);
