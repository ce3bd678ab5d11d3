-- AUTOINCREMENT: ids are never reused, since tokens name users by id.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT      NOT NULL,
    username_key  TEXT      NOT NULL,
    email         TEXT      NOT NULL,
    first_name    TEXT      NOT NULL,
    last_name     TEXT      NOT NULL,
    password_hash TEXT      NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    CONSTRAINT users_username_key_unique UNIQUE (username_key),
    CONSTRAINT users_email_unique UNIQUE (email)
);
