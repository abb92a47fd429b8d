-- Sign-in attempts of the last minute, per client address: the sign-in
-- rate limit is counted here, in the database, so that it holds across
-- every process (node) that shares it. Rows older than a minute are
-- deleted by the next attempt.
CREATE TABLE sign_in_attempts (
    id     INTEGER PRIMARY KEY NOT NULL,
    client TEXT NOT NULL,
    at     TIMESTAMP NOT NULL
);
CREATE INDEX sign_in_attempts_by_client ON sign_in_attempts (client, at);
CREATE INDEX sign_in_attempts_at ON sign_in_attempts (at);
