package org.fuzhi.registry.internal;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fuzhi.common.Masking;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.Privacy;
import org.fuzhi.platform.Xlsx;
import org.fuzhi.region.Directory;
import org.fuzhi.region.SchoolView;
import org.fuzhi.registry.Registry;
import org.springframework.context.MessageSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Streams a student list to .xlsx with the same scope filter as the screens and the API. */
@Component
class StudentExport {

    private final JdbcClient jdbc;
    private final MessageSource messages;
    private final AuditLog audit;
    private final Directory directory;

    StudentExport(JdbcClient jdbc, MessageSource messages, AuditLog audit, Directory directory) {
        this.jdbc = jdbc;
        this.messages = messages;
        this.audit = audit;
        this.directory = directory;
    }

    static final List<String> COLUMNS = List.of("studentNo", "name", "idNumber", "gender", "birthDate", "school",
            "stage", "grade", "className", "status", "householdNo", "povertyCategory");

    @Transactional
    long export(JdbcRegistry registry, CurrentUser user, Registry.StudentQuery query, boolean unmask, OutputStream out,
                Locale locale) {
        boolean full = unmask && user.role().mayUnmask();
        var privacy = Privacy.of(user);
        boolean maskNames = !privacy.fullNames();
        List<String> header = COLUMNS.stream().map(c -> messages.getMessage("student." + c, null, locale)).toList();
        long[] count = {0};
        Map<String, String> schoolNames = new HashMap<>();
        try (Xlsx x = new Xlsx(out, messages.getMessage("student.list.title", null, locale), header)) {
            registry.forEachStudentRaw(user.childDataScope(), query, (s, rawId, rawNo) -> {
                List<String> row = new ArrayList<>(COLUMNS.size());
                row.add(full ? rawNo : Masking.studentNo(rawNo));
                row.add(maskNames ? Masking.name(s.name()) : s.name());
                row.add(full ? rawId : Masking.idNumber(rawId));
                row.add(messages.getMessage("enum.Gender." + s.gender(), null, locale));
                row.add(privacy.birthDates() ? s.birthDate().toString() : "");
                row.add(schoolNames.computeIfAbsent(s.schoolCode(),
                        c -> directory.school(c).map(SchoolView::name).orElse(c)));
                row.add(messages.getMessage("enum.Stage." + s.stage(), null, locale));
                row.add(s.grade() == null ? "" : String.valueOf(s.grade()));
                row.add(s.className() == null ? "" : s.className());
                row.add(messages.getMessage("enum.EnrolmentStatus." + s.status(), null, locale));
                row.add(s.householdNo() == null ? "" : s.householdNo());
                row.add(s.povertyCategory() == null ? ""
                        : messages.getMessage("enum.PovertyCategory." + s.povertyCategory(), null, locale));
                x.row(row);
                count[0]++;
                if (count[0] % 1000 == 0) {
                    Jobs.progress().done(count[0]); // the export job's bar (a no-op otherwise)
                }
            });
        }
        audit.record(full ? "EXPORT_UNMASKED" : "EXPORT", "students", null, Map.of("rows", count[0],
                "filter", query.describe(), "unmasked", full));
        return count[0];
    }
}
