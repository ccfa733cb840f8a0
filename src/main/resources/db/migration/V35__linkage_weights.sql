-- The m/u weights each area's last roster linkage estimated (issue 14): kept in the database, so that every
-- instance shows the weights of the same run, a restart keeps them, and one county's center never sees those
-- another county's run estimated. One row per area (the scope of the center who ran it); mu is JSON.
CREATE TABLE linkage_weights (
    scope_key   VARCHAR(40)              PRIMARY KEY,
    source      VARCHAR(16)              NOT NULL,
    match_share DOUBLE PRECISION,
    iterations  INTEGER                  NOT NULL,
    mu          VARCHAR(20000)           NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
