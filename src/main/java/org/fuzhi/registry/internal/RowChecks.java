package org.fuzhi.registry.internal;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.fuzhi.common.Gender;
import org.fuzhi.common.IdNumber;
import org.fuzhi.platform.ImportContext;
import org.fuzhi.platform.ImportRow;

/** Field rules shared by the household and student imports. */
final class RowChecks {

    private RowChecks() {
    }

    /** Validates the ID column and the gender/birth-date columns against it; null when rejected. */
    static IdNumber idNumber(ImportRow row, ImportContext ctx, String idCol, String genderCol, String birthCol) {
        var parsed = IdNumber.parse(row.get(idCol));
        if (!parsed.valid()) {
            ctx.reject(row, idCol, "id.problem." + parsed.problem().name());
            return null;
        }
        IdNumber id = parsed.id();
        if (row.has(genderCol)) {
            Gender g = gender(row.get(genderCol));
            if (g == null) {
                ctx.reject(row, genderCol, "import.rule.gender");
            } else if (g != id.gender()) {
                ctx.reject(row, genderCol, "import.rule.genderMismatch");
            }
        }
        if (row.has(birthCol)) {
            LocalDate d = date(row.get(birthCol));
            if (d == null) {
                ctx.reject(row, birthCol, "import.rule.date");
            } else if (!d.equals(id.birthDate())) {
                ctx.reject(row, birthCol, "import.rule.birthMismatch", id.birthDate().toString());
            }
        }
        return id;
    }

    static Gender gender(String raw) {
        return switch (raw.strip().toUpperCase(Locale.ROOT)) {
            case "男", "M", "MALE", "1" -> Gender.M;
            case "女", "F", "FEMALE", "2" -> Gender.F;
            default -> null;
        };
    }

    private static final DateTimeFormatter[] DATES = {
            DateTimeFormatter.ISO_LOCAL_DATE, DateTimeFormatter.ofPattern("yyyy/M/d"),
            DateTimeFormatter.ofPattern("yyyyMMdd"), DateTimeFormatter.ofPattern("yyyy.M.d"),
            DateTimeFormatter.ofPattern("yyyy-M-d")};

    static LocalDate date(String raw) {
        String s = raw.strip();
        for (DateTimeFormatter f : DATES) {
            try {
                return LocalDate.parse(s, f);
            } catch (DateTimeParseException ignored) {
                // try the next spelling Excel users produce
            }
        }
        return null;
    }

    static void maxLength(ImportRow row, ImportContext ctx, String col, int max) {
        if (row.get(col).length() > max) {
            ctx.reject(row, col, "import.rule.tooLong", max);
        }
    }

    static void required(ImportRow row, ImportContext ctx, String... cols) {
        for (String c : cols) {
            if (!row.has(c)) {
                ctx.reject(row, c, "import.rule.required");
            }
        }
    }

    static Boolean flag(ImportRow row, ImportContext ctx, String col) {
        Boolean b = ImportContext.bool(row.get(col));
        if (b == null) {
            ctx.reject(row, col, "import.rule.yesNo");
            return false;
        }
        return b;
    }
}
