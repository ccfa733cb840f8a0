-- Idempotency keys of the aid requests that allocate money or change a term (issue 11): a repeated key returns the
-- first answer and does nothing else. Kept per account: one clerk's key never answers another's request.
CREATE TABLE aid_request (
    username     VARCHAR(64)  NOT NULL,
    idem_key     VARCHAR(100) NOT NULL,
    operation    VARCHAR(200) NOT NULL,
    response     TEXT,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (username, idem_key)
);
