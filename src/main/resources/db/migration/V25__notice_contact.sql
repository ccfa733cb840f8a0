-- The body that issues a public notice (公示) and where parents send objections: each aid center sets its own.
CREATE TABLE notice_contact (
    region_code CHAR(12)     PRIMARY KEY,
    issuer      VARCHAR(100) NOT NULL,
    phone       VARCHAR(40)  NOT NULL,
    address     VARCHAR(200) NOT NULL,
    updated_by  VARCHAR(64)  NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
