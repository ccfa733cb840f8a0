package org.fuzhi.identification.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fuzhi.common.Masking;
import org.fuzhi.common.Page;
import org.fuzhi.identification.Linkage;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.ScopeFilter;
import org.fuzhi.platform.StaleEditException;
import org.fuzhi.registry.Registry;
import org.fuzhi.registry.Registry.PersonRef;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
class Linker implements Linkage {

    static final int CHUNK = 1000;

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final Registry registry;
    private final AuditLog audit;
    private final double upper;
    private final double lower;
    private volatile MatchWeights lastWeights = MatchWeights.DEFAULT;

    Linker(JdbcClient jdbc, JdbcTemplate batch, Registry registry, AuditLog audit,
           @Value("${fuzhi.linkage.upper:10}") double upper, @Value("${fuzhi.linkage.lower:3}") double lower) {
        this.jdbc = jdbc;
        this.batch = batch;
        this.registry = registry;
        this.audit = audit;
        this.upper = upper;
        this.lower = lower;
    }

    record Member(long id, String name, String raw, String idNumber, String gender, LocalDate birth, String village,
                  String householdNo) {
    }

    record Link(long memberId, Long personId, String status, String method, double score, String evidence) {
    }

    private static void requireCenter(CurrentUser user) {
        user.require(user.role() == Role.CENTER);
    }

    @Override
    @Transactional
    public Stats run(CurrentUser user) {
        requireCenter(user);
        ScopeFilter f = ScopeFilter.of(user.scope(), null, "r.village_code");
        // Human decisions stand; everything else is recomputed from the current roster and registry.
        jdbc.sql("DELETE FROM roster_link WHERE method <> 'CLERICAL' AND roster_member_id IN "
                + "(SELECT r.id FROM roster_member r WHERE " + f.sql() + ")").params(f.params()).update();
        List<Member> chunk = new ArrayList<>(CHUNK);
        long[] lastId = {0};
        // Pass 1: exact ID links, and the agreement patterns of every candidate pair of the rest for EM.
        List<Member> fuzzy = new ArrayList<>();
        MatchWeights.Patterns patterns = new MatchWeights.Patterns();
        while (true) {
            chunk.clear();
            jdbc.sql("""
                    SELECT r.* FROM roster_member r LEFT JOIN roster_link l ON l.roster_member_id = r.id
                    WHERE r.is_current AND l.roster_member_id IS NULL AND r.id > :last AND """ + " " + f.sql()
                    + " ORDER BY r.id LIMIT " + CHUNK).params(f.params()).param("last", lastId[0])
                    .query(rs -> {
                        chunk.add(new Member(rs.getLong("id"), rs.getString("name"), rs.getString("id_number_raw"),
                                rs.getString("id_number"), rs.getString("gender"),
                                rs.getDate("birth_date") == null ? null : rs.getDate("birth_date").toLocalDate(),
                                rs.getString("village_code"), rs.getString("household_no")));
                    });
            if (chunk.isEmpty()) {
                break;
            }
            lastId[0] = chunk.get(chunk.size() - 1).id();
            List<Member> rest = new ArrayList<>();
            store(exact(chunk, rest));
            fuzzy.addAll(rest);
            candidates(rest).forEach((m, persons) -> persons.forEach(p -> patterns.add(Scoring.compare(m, p).levels())));
        }
        // Pass 2: m/u estimated from this run's pairs (or the defaults), then every remaining member is decided.
        MatchWeights weights = MatchWeights.estimate(patterns);
        lastWeights = weights;
        for (int i = 0; i < fuzzy.size(); i += CHUNK) {
            List<Member> part = fuzzy.subList(i, Math.min(fuzzy.size(), i + CHUNK));
            store(decide(part, candidates(part), weights));
        }
        refreshPovertyStatus(user);
        Stats stats = stats(user);
        audit.record("LINKAGE_RUN", "roster", null, Map.of("members", stats.members(), "exact", stats.exact(),
                "probabilistic", stats.probabilistic(), "review", stats.review(), "unlinked", stats.unlinked(),
                "weights", weights.source(), "pairs", patterns.pairs));
        return stats;
    }

    /** Links the members whose normalised ID is registered; the others go to {@code rest}. */
    List<Link> exact(List<Member> members, List<Member> rest) {
        List<Link> out = new ArrayList<>();
        Map<String, PersonRef> exact = registry.personsByIdNumber(members.stream().map(Member::idNumber)
                .filter(java.util.Objects::nonNull).distinct().toList());
        for (Member m : members) {
            PersonRef p = m.idNumber() == null ? null : exact.get(m.idNumber());
            if (p != null) {
                out.add(new Link(m.id(), p.personId(), "LINKED", "EXACT_ID", 99, "id=EXACT:+99"));
            } else {
                rest.add(m);
            }
        }
        return out;
    }

    /**
     * Blocking: the registered persons born on the member's birth date or one of its usual mistypings, and those
     * of the member's village whose name sounds the same.
     */
    Map<Member, List<PersonRef>> candidates(List<Member> members) {
        Set<LocalDate> dates = new LinkedHashSet<>();
        Map<Long, Set<LocalDate>> datesOf = new HashMap<>();
        for (Member m : members) {
            Set<LocalDate> ds = Scoring.blockingDates(m.birth(), m.raw());
            datesOf.put(m.id(), ds);
            dates.addAll(ds);
        }
        Map<LocalDate, List<PersonRef>> born = new HashMap<>();
        for (PersonRef p : registry.personsBornOn(dates)) {
            born.computeIfAbsent(p.birthDate(), d -> new ArrayList<>()).add(p);
        }
        // Second key: same village and same name sound (pinyin with the surname readings, folded initials), for
        // members whose birth date is missing or wrong beyond a typo.
        Set<String> villages = new LinkedHashSet<>();
        members.forEach(m -> {
            if (m.village() != null) {
                villages.add(m.village());
            }
        });
        Map<String, List<PersonRef>> bySound = new HashMap<>();
        for (PersonRef p : registry.personsLivingIn(villages)) {
            bySound.computeIfAbsent(p.villageCode() + "|" + NameMatcher.soundKey(p.name()), k -> new ArrayList<>()).add(p);
        }
        Map<Member, List<PersonRef>> out = new java.util.LinkedHashMap<>();
        for (Member m : members) {
            Map<Long, PersonRef> list = new java.util.LinkedHashMap<>();
            for (LocalDate d : datesOf.get(m.id())) {
                born.getOrDefault(d, List.of()).forEach(p -> list.putIfAbsent(p.personId(), p));
            }
            if (m.village() != null) {
                bySound.getOrDefault(m.village() + "|" + NameMatcher.soundKey(m.name()), List.of())
                        .forEach(p -> list.putIfAbsent(p.personId(), p));
            }
            out.put(m, new ArrayList<>(list.values()));
        }
        return out;
    }

    List<Link> decide(List<Member> members, Map<Member, List<PersonRef>> candidates, MatchWeights weights) {
        List<Link> out = new ArrayList<>();
        for (Member m : members) {
            List<Scoring.Scored> scored = new ArrayList<>();
            for (PersonRef p : candidates.get(m)) {
                scored.add(Scoring.score(m, p, weights));
            }
            scored.sort(Comparator.comparingDouble(Scoring.Scored::weight).reversed());
            if (scored.isEmpty()) {
                out.add(new Link(m.id(), null, "UNLINKED", "PROBABILISTIC", 0, "block=EMPTY:0"));
                continue;
            }
            Scoring.Scored best = scored.get(0);
            double second = scored.size() > 1 ? scored.get(1).weight() : Double.NEGATIVE_INFINITY;
            boolean ambiguous = second >= lower && best.weight() - second < 5;
            String status = best.weight() >= upper && !ambiguous ? "LINKED"
                    : best.weight() >= lower ? "REVIEW" : "UNLINKED";
            out.add(new Link(m.id(), status.equals("UNLINKED") ? null : best.person().personId(), status,
                    "PROBABILISTIC", best.weight(), best.evidence() + (ambiguous ? ";second=AMBIGUOUS:"
                    + String.format(java.util.Locale.ROOT, "%+.1f", second) : "")));
        }
        return out;
    }

    private void store(List<Link> links) {
        Timestamp now = Timestamp.from(Instant.now());
        batch.batchUpdate("INSERT INTO roster_link (roster_member_id, person_id, status, method, score, evidence, "
                + "decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)", links, 500, (ps, l) -> {
            ps.setLong(1, l.memberId());
            ps.setObject(2, l.personId(), java.sql.Types.BIGINT);
            ps.setString(3, l.status());
            ps.setString(4, l.method());
            ps.setBigDecimal(5, java.math.BigDecimal.valueOf(l.score()).setScale(3, java.math.RoundingMode.HALF_UP));
            ps.setString(6, l.evidence());
            ps.setTimestamp(7, now);
        });
    }

    @Override
    public Weights weights() {
        MatchWeights w = lastWeights;
        List<Weights.Row> rows = new ArrayList<>();
        w.mu().forEach((field, levels) -> levels.forEach((level, mu) ->
                rows.add(new Weights.Row(field, level, mu[0], mu[1], w.weight(field, level)))));
        return new Weights(w.source(), w.matchShare(), w.iterations(), upper, lower, rows);
    }

    @Override
    @Transactional(readOnly = true)
    public Stats stats(CurrentUser user) {
        ScopeFilter f = ScopeFilter.of(user.childDataScope(), null, "r.village_code");
        Map<String, Long> counts = new HashMap<>();
        long[] members = {0};
        jdbc.sql("""
                SELECT COALESCE(l.status, 'PENDING') AS status, COALESCE(l.method, '-') AS method, COUNT(*) AS n
                FROM roster_member r LEFT JOIN roster_link l ON l.roster_member_id = r.id
                WHERE r.is_current AND""" + " " + f.sql() + " GROUP BY COALESCE(l.status, 'PENDING'), COALESCE(l.method, '-')")
                .params(f.params()).query(rs -> {
                    counts.merge(rs.getString(1) + "/" + rs.getString(2), rs.getLong(3), Long::sum);
                    members[0] += rs.getLong(3);
                });
        return new Stats(members[0], counts.getOrDefault("LINKED/EXACT_ID", 0L),
                counts.getOrDefault("LINKED/PROBABILISTIC", 0L), counts.getOrDefault("LINKED/CLERICAL", 0L),
                counts.getOrDefault("REVIEW/PROBABILISTIC", 0L),
                counts.getOrDefault("UNLINKED/PROBABILISTIC", 0L) + counts.getOrDefault("PENDING/-", 0L),
                counts.getOrDefault("REJECTED/CLERICAL", 0L));
    }

    @Override
    @Transactional(readOnly = true)
    public Page<ReviewItem> reviewQueue(CurrentUser user, int page, int size) {
        requireCenter(user);
        ScopeFilter f = ScopeFilter.of(user.scope(), null, "r.village_code");
        long total = jdbc.sql("SELECT COUNT(*) FROM roster_member r JOIN roster_link l ON l.roster_member_id = r.id "
                        + "WHERE r.is_current AND l.status = 'REVIEW' AND " + f.sql()).params(f.params())
                .query(Long.class).single();
        List<Object[]> rows = jdbc.sql("""
                SELECT r.id, l.version, r.name, r.id_number_raw, r.birth_date, r.village_code, r.household_no,
                       l.person_id, l.score, l.evidence, l.decided_at
                FROM roster_member r JOIN roster_link l ON l.roster_member_id = r.id
                WHERE r.is_current AND l.status = 'REVIEW' AND""" + " " + f.sql()
                        + " ORDER BY l.score DESC, r.id LIMIT :lim OFFSET :off")
                .params(f.params()).param("lim", size).param("off", (long) page * size)
                .query((rs, n) -> new Object[]{rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                        rs.getDate(5) == null ? "" : rs.getDate(5).toString(), rs.getString(6), rs.getString(7),
                        rs.getLong(8), rs.getDouble(9), rs.getString(10), rs.getTimestamp(11).toInstant()})
                .list();
        Map<Long, PersonRef> persons = new HashMap<>();
        // Review pairs are few; the registry API answers by ID number, so look the candidates up by birth date.
        List<LocalDate> dates = new ArrayList<>();
        for (Object[] r : rows) {
            if (!((String) r[4]).isEmpty()) {
                dates.addAll(Scoring.blockingDates(LocalDate.parse((String) r[4])));
            }
        }
        registry.personsBornOn(dates).forEach(p -> persons.put(p.personId(), p));
        List<ReviewItem> items = new ArrayList<>();
        for (Object[] r : rows) {
            PersonRef p = persons.get((Long) r[7]);
            items.add(new ReviewItem((Long) r[0], (Integer) r[1], (String) r[2], Masking.idNumber((String) r[3]),
                    (String) r[4], (String) r[5], (String) r[6], (Long) r[7], p == null ? "?" : p.name(),
                    p == null ? "" : Masking.idNumber(p.idNumber()), p == null ? "" : p.birthDate().toString(),
                    p == null || p.villageCode() == null ? "—" : p.villageCode(), p == null ? null : p.studentId(),
                    (Double) r[8],
                    Scoring.parseEvidence((String) r[9]), (Instant) r[10]));
        }
        return new Page<>(items, total, page, size);
    }

    @Override
    @Transactional
    public void decide(CurrentUser user, long rosterMemberId, int expectedVersion, boolean accept) {
        requireCenter(user);
        ScopeFilter f = ScopeFilter.of(user.scope(), null, "r.village_code");
        boolean inScope = jdbc.sql("SELECT COUNT(*) FROM roster_member r JOIN roster_link l ON l.roster_member_id = r.id "
                        + "WHERE r.id = :id AND " + f.sql()).params(f.params()).param("id", rosterMemberId)
                .query(Long.class).single() > 0;
        if (!inScope) {
            throw new NotFoundException("review item");
        }
        int n = jdbc.sql("""
                UPDATE roster_link SET status = :status, method = 'CLERICAL', decided_by = :by, decided_at = :at,
                       version = version + 1
                WHERE roster_member_id = :id AND version = :v AND status = 'REVIEW'""")
                .param("status", accept ? "LINKED" : "REJECTED").param("by", user.username())
                .param("at", Timestamp.from(Instant.now())).param("id", rosterMemberId).param("v", expectedVersion)
                .update();
        if (n == 0) {
            throw new StaleEditException("review item " + rosterMemberId);
        }
        audit.record(accept ? "LINK_ACCEPT" : "LINK_REJECT", "roster-member", String.valueOf(rosterMemberId), Map.of());
        refreshPovertyStatus(user);
    }

    /** The registry's derived status: every person linked to a current roster member carries its category. */
    private void refreshPovertyStatus(CurrentUser user) {
        ScopeFilter f = ScopeFilter.of(user.scope(), null, "r.village_code");
        Map<Long, String> categories = new HashMap<>();
        jdbc.sql("SELECT l.person_id, r.category FROM roster_link l JOIN roster_member r ON r.id = l.roster_member_id "
                        + "WHERE r.is_current AND l.status = 'LINKED' AND " + f.sql()).params(f.params())
                .query(rs -> {
                    categories.putIfAbsent(rs.getLong(1), rs.getString(2));
                });
        registry.applyRosterStatus(user.scope(), categories);
    }
}
