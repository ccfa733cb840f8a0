package org.fuzhi.common;

import java.util.Arrays;
import java.util.Optional;

/**
 * 学校类型. A 10-digit 学校标识码 starts with two type digits; the types that have no two-digit code of their
 * own (教学点, 九年一贯制, 完全中学) use the prefix of the stage they mostly serve, so the code check stays strict.
 */
public enum SchoolType {
    KINDERGARTEN("11"),
    PRIMARY("21"),
    TEACHING_POINT("21"),
    JUNIOR("31"),
    NINE_YEAR("31"),
    COMPLETE_SECONDARY("34"),
    SENIOR("34"),
    VOCATIONAL("36"),
    UNIVERSITY("41"),
    SPECIAL("51");

    private final String code;

    SchoolType(String code) {
        this.code = code;
    }

    /** The two leading digits a 学校标识码 of this type must have. */
    public String code() {
        return code;
    }

    public static Optional<SchoolType> parse(String s) {
        return Arrays.stream(values()).filter(t -> t.name().equalsIgnoreCase(s)).findFirst();
    }
}
