package org.fuzhi.platform;

/** The roles of SPEC §1. Each account has exactly one. */
public enum Role {
    ADMIN, CENTER, LEADER, TOWNSHIP, VILLAGE, SCHOOL_OPERATOR, SCHOOL_REVIEWER, EVALUATOR, DONOR;

    /** Roles that may see a full ID number of a child inside their scope (an audited act). */
    public boolean mayUnmask() {
        return this == CENTER || this == SCHOOL_OPERATOR || this == SCHOOL_REVIEWER;
    }

    /** Roles that may change registry records inside their scope. */
    public boolean mayEditRegistry() {
        return this == CENTER || this == SCHOOL_OPERATOR || this == VILLAGE;
    }

    /** Roles that may import registry files. */
    public boolean mayImport() {
        return this == CENTER || this == SCHOOL_OPERATOR;
    }

    /** Roles that may read the audit log. */
    public boolean mayReadAudit() {
        return this == ADMIN || this == CENTER || this == EVALUATOR;
    }

    /** Roles that see children's records at all; ADMIN and DONOR do not (SPEC §1). */
    public boolean seesChildren() {
        return this != ADMIN && this != DONOR;
    }
}
