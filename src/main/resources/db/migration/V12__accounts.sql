-- Accounts for real use: a forced password change (first sign-in, after a reset) and a credentials version that
-- every password change, reset, disable and re-scope bumps, so that sessions and tokens issued before end at once.
ALTER TABLE app_user ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE app_user ADD COLUMN credentials_version INT NOT NULL DEFAULT 0;
ALTER TABLE app_user ADD COLUMN password_changed_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX api_token_user ON api_token (user_id);
-- The version a token was issued under: one issued while a reset ran (after its tokens were deleted) still ends.
ALTER TABLE api_token ADD COLUMN credentials_version INT NOT NULL DEFAULT 0;
