-- 收款账户 (issue 11, point 4): the account a child's aid is paid to — the child's own card or a guardian's of the
-- same household, a bank card (Luhn-checked) or a 社保卡 — sealed at rest like an ID number (ADR 0011), with a
-- blind index to find the same card registered for another child.
CREATE TABLE aid_account (
    student_id      BIGINT       PRIMARY KEY,
    holder_name     VARCHAR(50)  NOT NULL,
    holder_relation VARCHAR(10)  NOT NULL,
    account_type    VARCHAR(12)  NOT NULL,
    bank            VARCHAR(40)  NOT NULL,
    card_index      CHAR(18)     NOT NULL,
    card_sealed     VARCHAR(200) NOT NULL,
    card_masked     VARCHAR(30)  NOT NULL,
    updated_by      VARCHAR(64)  NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX aid_account_card ON aid_account (card_index);
