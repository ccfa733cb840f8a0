package org.fuzhi.identification.internal;

import java.io.OutputStream;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.fuzhi.common.Masking;
import org.fuzhi.common.Page;
import org.fuzhi.common.Stage;
import org.fuzhi.identification.AssessmentModel;
import org.fuzhi.identification.LiveEvaluation;
import org.fuzhi.identification.Rounds.ChangeKind;
import org.fuzhi.identification.Rounds.ChangeView;
import org.fuzhi.identification.Rounds.EntryFact;
import org.fuzhi.identification.Rounds.EntryQuery;
import org.fuzhi.identification.Rounds.EntryView;
import org.fuzhi.identification.Rounds.Progress;
import org.fuzhi.identification.Rounds.Source;
import org.fuzhi.identification.Rounds.Step;
import org.fuzhi.identification.Rounds.Summary;
import org.fuzhi.identification.Rounds.TaskStatus;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Privacy;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.ScopeFilter;
import org.fuzhi.platform.Xlsx;
import org.fuzhi.region.Directory;
import org.springframework.context.MessageSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * What a round's participants read: the progress per step, the entries (scoped to the reader's children and masked
 * as the role requires), the summary, the changes since the last run, and the entries' export.
 */
@Component
class RoundReads {

    private final JdbcClient jdbc;
    private final RoundRecords records;
    private final Directory directory;
    private final LiveEvaluation models;
    private final DropoutCases cases;
    private final MessageSource messages;
    private final AuditLog audit;

    RoundReads(JdbcClient jdbc, RoundRecords records, Directory directory, LiveEvaluation models, DropoutCases cases,
               MessageSource messages, AuditLog audit) {
        this.jdbc = jdbc;
        this.records = records;
        this.directory = directory;
        this.models = models;
        this.cases = cases;
        this.messages = messages;
        this.audit = audit;
    }

    private static ScopeFilter entryScope(CurrentUser user) {
        return ScopeFilter.children(user.childDataScope(), "x.school_code", "x.school_region_code", "x.village_code");
    }

    private static boolean maskNames(CurrentUser user) {
        return !Privacy.of(user).fullNames();
    }

    @Transactional(readOnly = true)
    public Map<Step, Progress> progress(CurrentUser user, long roundId) {
        records.visible(user, roundId);
        Map<Step, long[]> counts = new EnumMap<>(Step.class);
        for (Step s : Step.values()) {
            counts.put(s, new long[3]);
        }
        for (RoundRecords.TaskRow t : records.tasks(roundId)) {
            long[] c = counts.get(t.step());
            c[0]++;
            if (t.status() == TaskStatus.DONE) {
                c[1]++;
            } else if (t.status() == TaskStatus.RETURNED) {
                c[2]++;
            }
        }
        Map<Step, Progress> out = new EnumMap<>(Step.class);
        counts.forEach((s, c) -> out.put(s, new Progress(c[0], c[1], c[2])));
        return out;
    }

    @Transactional(readOnly = true)
    public void forEachEntry(CurrentUser user, long roundId, Consumer<EntryFact> consumer) {
        records.visible(user, roundId);
        ScopeFilter f = entryScope(user);
        jdbc.sql("SELECT x.* FROM ident_entry x WHERE x.round_id = :r AND " + f.sql() + " ORDER BY x.person_id")
                .params(f.params()).param("r", roundId).withFetchSize(2000).query(rs -> {
                    consumer.accept(new EntryFact(rs.getLong("person_id"), rs.getLong("student_id"),
                            rs.getString("name"), Source.valueOf(rs.getString("source")), rs.getString("category"),
                            rs.getString("level"), rs.getString("stage"), (Integer) rs.getObject("grade", Integer.class),
                            rs.getString("school_code"), rs.getString("school_region_code"),
                            rs.getString("village_code"), rs.getBoolean("outside_county")));
                });
    }

    @Transactional(readOnly = true)
    public Page<EntryView> entries(CurrentUser user, long roundId, EntryQuery q, int page, int size) {
        records.visible(user, roundId);
        ScopeFilter f = entryScope(user);
        StringBuilder where = new StringBuilder(" FROM ident_entry x WHERE x.round_id = :r AND ").append(f.sql());
        Map<String, Object> params = new HashMap<>(f.params());
        params.put("r", roundId);
        if (q.source() != null) {
            where.append(" AND x.source = :src");
            params.put("src", q.source().name());
        }
        if (q.level() != null && !q.level().isBlank()) {
            where.append(" AND x.level = :lvl");
            params.put("lvl", q.level());
        }
        if (q.schoolCode() != null && !q.schoolCode().isBlank()) {
            where.append(" AND x.school_code = :sc");
            params.put("sc", q.schoolCode());
        }
        if (q.text() != null && !q.text().isBlank()) {
            // The same privacy rule as the student search: a role that is shown masked names finds a child only by
            // the masked form it is shown, never by probing a name; %, _ are literal.
            var search = Privacy.of(user).search(q.text());
            switch (search.kind()) {
                case NAME -> {
                    where.append(" AND x.name LIKE :txt ESCAPE '\\'");
                    params.put("txt", "%" + Privacy.literalLike(search.value()) + "%");
                }
                case MASKED_NAME -> {
                    where.append(" AND x.name LIKE :first ESCAPE '\\' AND x.name LIKE :last ESCAPE '\\'"
                            + " AND CHAR_LENGTH(x.name) = :length");
                    params.put("first", Privacy.literalLike(search.first()) + "%");
                    params.put("last", "%" + Privacy.literalLike(search.last()));
                    params.put("length", search.length());
                }
                default -> where.append(" AND 1=0");
            }
        }
        long total = jdbc.sql("SELECT COUNT(*)" + where).params(params).query(Long.class).single();
        // A page past the end (the list shrank since the link was made) shows the last page.
        int shown = Page.clamp(page, total, size);
        boolean mask = maskNames(user);
        UnitNames names = new UnitNames(directory);
        // The page's rows first (names left out), then every school and village name of the page in one look-up.
        List<EntryView> rows = jdbc.sql("SELECT x.*" + where
                        + " ORDER BY " + entryOrder(q.sort()) + " LIMIT :lim OFFSET :off")
                .params(params).param("lim", size).param("off", (long) shown * size)
                .query((rs, n) -> {
                    String deprived = rs.getString("deprived");
                    return new EntryView(rs.getLong("student_id"), mask ? Masking.name(rs.getString("name"))
                            : rs.getString("name"), Source.valueOf(rs.getString("source")), rs.getString("category"),
                            rs.getString("village_code"), null, rs.getString("school_code"), null,
                            rs.getBoolean("outside_county"), rs.getString("stage"),
                            (Integer) rs.getObject("grade", Integer.class), rs.getDouble("score"), rs.getString("level"),
                            deprived == null || deprived.isEmpty() ? List.of() : Arrays.asList(deprived.split(",")));
                }).list();
        names.prefetch(rows.stream().flatMap(e -> Stream.of(e.villageCode(), e.schoolCode())).toList());
        List<EntryView> items = rows.stream().map(e -> new EntryView(e.studentId(), e.name(), e.source(), e.category(),
                e.villageCode(), names.place(e.villageCode()), e.schoolCode(), names.school(e.schoolCode()),
                e.outsideCounty(), e.stage(), e.grade(), e.score(), e.level(), e.deprived())).toList();
        return new Page<>(items, total, shown, size);
    }

    /** Stages in school order, not alphabetical. */
    private static final String STAGE_ORDER = "CASE x.stage WHEN 'KINDERGARTEN' THEN 0 WHEN 'PRIMARY' THEN 1 "
            + "WHEN 'JUNIOR' THEN 2 WHEN 'SENIOR' THEN 3 WHEN 'VOCATIONAL' THEN 4 WHEN 'HIGHER_VOCATIONAL' THEN 5 "
            + "WHEN 'UNDERGRADUATE' THEN 6 ELSE 7 END";

    /**
     * Only these columns sort (never a user's text in SQL); the person last so pages never overlap. Levels sort by
     * level and then score, so that within a level the most deprived come first when descending.
     */
    static String entryOrder(String sort) {
        boolean desc = sort != null && sort.startsWith("-");
        String dir = desc ? " DESC" : "";
        String key = sort == null ? "" : desc ? sort.substring(1) : sort;
        String columns = switch (key) {
            case "name" -> "x.name" + dir;
            case "source" -> "x.source" + dir + ", x.name";
            case "school" -> "x.school_code" + dir + ", " + STAGE_ORDER + ", x.grade, x.name";
            case "grade" -> STAGE_ORDER + dir + ", x.grade" + dir + ", x.name";
            case "village" -> "x.village_code" + dir + ", x.name";
            case "level" -> "x.level" + dir + ", x.score" + dir + ", x.name";
            case "score" -> "x.score" + dir + ", x.name";
            default -> null;
        };
        return columns == null ? "x.source, x.school_code, x.stage, x.grade, x.name, x.person_id"
                : columns + ", x.person_id";
    }

    @Transactional(readOnly = true)
    public Summary summary(CurrentUser user, long roundId) {
        RoundRecords.RoundRow r = records.visible(user, roundId);
        ScopeFilter f = entryScope(user);
        long[] c = new long[4];
        Map<String, Long> byStage = new TreeMap<>();
        Map<String, Long> levels = new HashMap<>();
        jdbc.sql("""
                SELECT x.source, x.stage, x.level, x.outside_county, COUNT(*) AS n FROM ident_entry x
                WHERE x.round_id = :r AND""" + " " + f.sql() + " GROUP BY x.source, x.stage, x.level, x.outside_county")
                .params(f.params()).param("r", roundId).query(rs -> {
                    long n = rs.getLong("n");
                    c[0] += n;
                    boolean roster = "ROSTER".equals(rs.getString("source"));
                    c[roster ? 1 : 2] += n;
                    if (rs.getBoolean("outside_county")) {
                        c[3] += n;
                    }
                    if (roster) {
                        byStage.merge(Stage.valueOf(rs.getString("stage")).statGroup().name(), n, Long::sum);
                    }
                    String level = rs.getString("level");
                    levels.merge(level == null ? "" : level, n, Long::sum);
                });
        Map<ChangeKind, Long> changes = new EnumMap<>(ChangeKind.class);
        for (ChangeView ch : changes(user, roundId)) {
            changes.merge(ch.kind(), 1L, Long::sum);
        }
        // In the order people read them: stages from kindergarten up, levels from the most severe down.
        Map<String, Long> stages = new LinkedHashMap<>();
        for (Stage.StatGroup g : Stage.StatGroup.values()) {
            if (byStage.containsKey(g.name())) {
                stages.put(g.name(), byStage.get(g.name()));
            }
        }
        Map<String, Long> orderedLevels = new LinkedHashMap<>();
        models.defaultModel().model().bands().stream()
                .sorted(Comparator.comparingDouble(AssessmentModel.Band::min).reversed())
                .forEach(b -> {
                    if (levels.containsKey(b.level())) {
                        orderedLevels.put(b.level(), levels.remove(b.level()));
                    }
                });
        orderedLevels.putAll(new TreeMap<>(levels));
        return new Summary(c[0], c[1], c[2], c[3], stages, orderedLevels, cases.openCount(user.childDataScope(),
                r.scopeCode()), changes);
    }

    @Transactional(readOnly = true)
    public List<ChangeView> changes(CurrentUser user, long roundId) {
        RoundRecords.RoundRow r = records.visible(user, roundId);
        Scope scope = user.childDataScope();
        String filter;
        Map<String, Object> params = new HashMap<>();
        switch (scope.type()) {
            case SCHOOL -> {
                filter = "(old_school = :sc OR new_school = :sc)";
                params.put("sc", scope.code());
            }
            case REGION -> {
                filter = scope.containsRegion(r.scopeCode()) ? "1=1" : "village_code LIKE :p";
                params.put("p", scope.regionPrefix() + "%");
            }
            default -> filter = "1=0";
        }
        boolean mask = maskNames(user);
        UnitNames names = new UnitNames(directory);
        return jdbc.sql("SELECT * FROM ident_change WHERE round_id = :r AND run_no = :run AND " + filter
                        + " ORDER BY kind, name, id").params(params).param("r", roundId).param("run", r.runs())
                .query((rs, n) -> new ChangeView(ChangeKind.valueOf(rs.getString("kind")),
                        mask ? Masking.name(rs.getString("name")) : rs.getString("name"),
                        names.school(rs.getString("old_school")), names.school(rs.getString("new_school")),
                        rs.getString("old_level"), rs.getString("new_level"))).list();
    }

    @Transactional // the export is recorded in the audit log
    public long exportEntries(CurrentUser user, long roundId, EntryQuery q, OutputStream out,
                              Locale locale) {
        RoundRecords.RoundRow r = records.visible(user, roundId);
        List<String> header = List.of("student.name", "round.source", "round.category", "student.school",
                "student.stage", "student.grade", "household.region", "round.level", "round.score", "round.deprived")
                .stream().map(k -> messages.getMessage(k, null, locale)).toList();
        long rows = 0;
        try (var x = new Xlsx(out, r.name(), header)) {
            for (int page = 0; ; page++) {
                Page<EntryView> p = entries(user, roundId, q, page, 1000);
                for (EntryView e : p.items()) {
                    x.row(Arrays.asList(e.name(),
                            messages.getMessage("enum.Source." + e.source(), null, locale),
                            e.category() == null ? "" : messages.getMessage("enum.PovertyCategory." + e.category(),
                                    null, e.category(), locale),
                            e.schoolName(), messages.getMessage("enum.Stage." + e.stage(), null, e.stage(), locale),
                            e.grade() == null ? "" : String.valueOf(e.grade()),
                            e.villageName() == null ? "" : e.villageName(), e.level() == null ? "" : e.level(),
                            String.format(Locale.ROOT, "%.2f", e.score()),
                            String.join("、", e.deprived().stream().map(d -> messages.getMessage("indicator." + d,
                                    null, d, locale)).toList())));
                    rows++;
                }
                if (!p.hasNext()) {
                    break;
                }
            }
        }
        audit.record("ROUND_EXPORT", "round", String.valueOf(roundId),
                RoundRecords.details("rows", rows, "source", q.source() == null ? null : q.source().name()));
        return rows;
    }

}
