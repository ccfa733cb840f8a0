package org.fuzhi.identification.internal;

import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.fuzhi.common.Masking;
import org.fuzhi.common.Page;
import org.fuzhi.common.RegionCode;
import org.fuzhi.identification.Linkage;
import org.fuzhi.identification.Linkage.Decision;
import org.fuzhi.identification.Linkage.Evidence;
import org.fuzhi.identification.Linkage.LinkQuery;
import org.fuzhi.identification.Linkage.LinkView;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.FieldCrypto;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Privacy;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.ScopeFilter;
import org.fuzhi.platform.Sealed;
import org.fuzhi.platform.StaleEditException;
import org.fuzhi.platform.Xlsx;
import org.fuzhi.registry.Registry;
import org.fuzhi.registry.Registry.PersonRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.MessageSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

@Service
class Linker implements Linkage {

    static final int CHUNK = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(Linker.class);
    /** Members read per round trip in the exact pass: one ID look-up and one batch of links each. */
    static final int EXACT_CHUNK = 5000;
    /** Above a county, EM learns from the candidate pairs of this many members (whole counties, in code order). */
    static final int EM_SAMPLE = 5000;

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final Registry registry;
    private final AuditLog audit;
    private final FieldCrypto crypto;
    private final MessageSource messages;
    private final PlatformTransactionManager transactions;
    private final PovertyStatuses statuses;
    private final double upper;
    private final double lower;

    Linker(JdbcClient jdbc, JdbcTemplate batch, Registry registry, AuditLog audit,
           FieldCrypto crypto, MessageSource messages,
           PlatformTransactionManager transactions, PovertyStatuses statuses,
           @Value("${fuzhi.linkage.upper:10}") double upper, @Value("${fuzhi.linkage.lower:3}") double lower) {
        this.statuses = statuses;
        this.jdbc = jdbc;
        this.batch = batch;
        this.registry = registry;
        this.audit = audit;
        this.crypto = crypto;
        this.messages = messages;
        this.transactions = transactions;
        this.upper = upper;
        this.lower = lower;
    }

    /**
     * A current roster line. {@code sealedRaw} is the ID number as written, decrypted only for the members the
     * exact pass leaves to the probabilistic one; {@code idIndex} is the blind index of the normalised number.
     */
    record Member(long id, String name, Sealed sealedRaw, String idIndex, String gender,
                  LocalDate birth, String village, String householdNo, String category, LocalDate statedBirth,
                  String statedGender, String idCheck, Long idOwner) {

        Member(long id, String name, Sealed sealedRaw, String idIndex, String gender,
               LocalDate birth, String village, String householdNo, String category, LocalDate statedBirth,
               String statedGender) {
            this(id, name, sealedRaw, idIndex, gender, birth, village, householdNo, category, statedBirth,
                    statedGender, null, null);
        }

        /** The line whose exact ID belongs to someone its other fields contradict: decided by its other fields. */
        Member contradicting(String reason, long owner) {
            return new Member(id, name, sealedRaw, idIndex, gender, birth, village, householdNo, category, statedBirth,
                    statedGender, reason, owner);
        }

        /** The ID number as written on the roster line. */
        String raw() {
            return sealedRaw == null ? null : sealedRaw.reveal();
        }
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
        // Human decisions stand; everything else is recomputed from the current roster and registry, and compared
        // with the links already stored so that only what changed is written (a province re-run would otherwise
        // delete and re-insert two million links).
        jdbc.sql("DELETE FROM roster_link WHERE method <> 'CLERICAL' AND roster_member_id IN "
                + "(SELECT r.id FROM roster_member r WHERE NOT r.is_current AND " + f.sql() + ")").params(f.params())
                .update();
        // The derived statuses are collected from the decisions as they are written (reading two million links
        // back cost seconds): human decisions first, then the two passes.
        Set<Long> clerical = new HashSet<>();
        Map<Long, PovertyStatuses.Given> categories = new HashMap<>();
        var kinds = new PovertyStatuses.Interner();
        jdbc.sql("SELECT l.roster_member_id, l.person_id, l.status, r.category, r.is_current, r.village_code "
                + "FROM roster_link l "
                + "JOIN roster_member r ON r.id = l.roster_member_id WHERE l.method = 'CLERICAL' AND " + f.sql())
                .params(f.params()).query(rs -> {
                    clerical.add(rs.getLong(1));
                    long personId = rs.getLong(2);
                    if (!rs.wasNull() && "LINKED".equals(rs.getString(3)) && rs.getBoolean(5)) {
                        categories.putIfAbsent(personId, kinds.of(rs.getString(4), rs.getString(6)));
                    }
                });
        long t0 = System.nanoTime();
        // Deciding and writing overlap: a reader on its own connection streams the roster, looks the IDs up and
        // scores the rest, while this thread writes the decisions in the run's transaction. On a province the
        // database spends as long writing two million links as reading them; one after the other, each core
        // waited for the other half of the time.
        var handoff = new Handoff<Decided>(8, "linkage");
        var readTx = new TransactionTemplate(transactions);
        readTx.setReadOnly(true);
        Decisions done = handoff.run(List.<Supplier<Decisions>>of(
                () -> readTx.execute(st -> decideAll(user, f, clerical, handoff::put))), d -> {
            store(d.links(), d.members());
            collectStatuses(d, categories, kinds);
        }).get(0);
        MatchWeights weights = done.weights();
        long t1 = done.exactDoneAt();
        oneLinePerPerson(user, f, categories, kinds);
        long t2 = System.nanoTime();
        saveWeights(user.scope(), weights);
        statuses.replace(user.scope(), categories);
        long t3 = System.nanoTime();
        LOG.info("linkage over {}: {} members left for the probabilistic pass, {} candidate pairs for EM; exact pass "
                        + "decided {} ms, all written {} ms, derived status {} ms", user.scope(), done.fuzzy(),
                done.pairs(), (t1 - t0) / 1_000_000, (t2 - t0) / 1_000_000, (t3 - t2) / 1_000_000);
        Stats stats = stats(user);
        audit.record("LINKAGE_RUN", "roster", null, Map.of("members", stats.members(), "exact", stats.exact(),
                "probabilistic", stats.probabilistic(), "review", stats.review(), "unlinked", stats.unlinked(),
                "weights", weights.source(), "pairs", done.pairs()));
        return stats;
    }

    static final String CONFLICT = ";conflict=OTHER_LINE:+0.0";

    /**
     * One person, one roster line (issue 10): where several current lines of the area are linked to the same
     * person, the best-supported link stands only if it clearly wins — a person's decision, an exact ID over a
     * probabilistic link, or a score ahead by at least 5 — and the others go to review with the competition shown;
     * with no clear winner, all of them do. Persons left without a link lose the status the run gave them.
     */
    private void oneLinePerPerson(CurrentUser user, ScopeFilter f, Map<Long, PovertyStatuses.Given> categories,
                                  PovertyStatuses.Interner kinds) {
        // Two plain steps (a grouped list of the few persons, then their links): H2 re-runs an IN (subquery) per row.
        String linked = "FROM roster_link l JOIN roster_member r ON r.id = l.roster_member_id "
                + "WHERE r.is_current AND l.status = 'LINKED' AND " + f.sql();
        List<Long> shared = jdbc.sql("SELECT l.person_id " + linked + " GROUP BY l.person_id HAVING COUNT(*) > 1")
                .params(f.params()).query(Long.class).list();
        Map<Long, List<LinkDecisions.Line>> byPerson = new HashMap<>();
        for (int i = 0; i < shared.size(); i += 1000) {
            jdbc.sql("SELECT l.roster_member_id, l.person_id, l.method, l.score " + linked + " AND l.person_id IN (:p)")
                    .params(f.params()).param("p", shared.subList(i, Math.min(shared.size(), i + 1000))).query(rs -> {
                        var l = new LinkDecisions.Line(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getDouble(4));
                        byPerson.computeIfAbsent(l.person(), k -> new ArrayList<>()).add(l);
                    });
        }
        List<Long> demote = LinkDecisions.outcompeted(byPerson.values());
        for (int i = 0; i < demote.size(); i += 1000) {
            jdbc.sql("UPDATE roster_link SET status = 'REVIEW', evidence = evidence || :c, decided_at = :at, "
                            + "version = version + 1 WHERE roster_member_id IN (:ids)")
                    .param("c", CONFLICT).param("at", Timestamp.from(Instant.now()))
                    .param("ids", demote.subList(i, Math.min(demote.size(), i + 1000))).update();
        }
        // A shared person's status comes from the line that stands, not from whichever line was met first.
        for (int i = 0; i < shared.size(); i += 1000) {
            jdbc.sql("SELECT l.person_id, r.category, r.village_code " + linked + " AND l.person_id IN (:p)")
                    .params(f.params()).param("p", shared.subList(i, Math.min(shared.size(), i + 1000))).query(rs -> {
                        categories.put(rs.getLong(1), kinds.of(rs.getString(2), rs.getString(3)));
                    });
        }
        // Lines in review for a competition: a person with no link left carries no status from this run, and a line
        // whose competitor has gone (kept in review by store() as long as the machine's decision is unchanged) is
        // linked again.
        Map<Long, List<Object[]>> contested = new HashMap<>();
        jdbc.sql("SELECT l.roster_member_id, l.person_id, l.evidence FROM roster_link l JOIN roster_member r "
                        + "ON r.id = l.roster_member_id WHERE r.is_current AND l.status = 'REVIEW' "
                        + "AND l.evidence LIKE '%conflict=OTHER_LINE%' AND " + f.sql())
                .params(f.params()).query(rs -> {
                    contested.computeIfAbsent(rs.getLong(2), k -> new ArrayList<>())
                            .add(new Object[]{rs.getLong(1), rs.getString(3)});
                });
        List<Long> persons = List.copyOf(contested.keySet());
        Set<Long> stillLinked = new HashSet<>();
        for (int i = 0; i < persons.size(); i += 1000) {
            stillLinked.addAll(jdbc.sql("SELECT l.person_id FROM roster_link l JOIN roster_member r "
                            + "ON r.id = l.roster_member_id WHERE r.is_current AND l.status = 'LINKED' AND l.person_id IN (:p)")
                    .param("p", persons.subList(i, Math.min(persons.size(), i + 1000))).query(Long.class).list());
        }
        for (var e : contested.entrySet()) {
            if (stillLinked.contains(e.getKey())) {
                continue;
            }
            if (e.getValue().size() == 1 && !demote.contains((Long) e.getValue().get(0)[0])) {
                String evidence = (String) e.getValue().get(0)[1];
                jdbc.sql("UPDATE roster_link SET status = 'LINKED', evidence = :ev, decided_at = :at, version = version + 1 "
                                + "WHERE roster_member_id = :id").param("ev", evidence.replace(CONFLICT, ""))
                        .param("at", Timestamp.from(Instant.now())).param("id", e.getValue().get(0)[0]).update();
            } else {
                categories.remove(e.getKey());
            }
        }
    }

    /** Every person linked to a current roster member carries its category (the first one met, as in SQL). */
    private static void collectStatuses(Decided d, Map<Long, PovertyStatuses.Given> categories,
                                        PovertyStatuses.Interner kinds) {
        Map<Long, Member> byMember = new HashMap<>();
        d.members().forEach(m -> byMember.put(m.id(), m));
        for (Link l : d.links()) {
            if (l.personId() != null && "LINKED".equals(l.status()) && !categories.containsKey(l.personId())) {
                Member m = byMember.get(l.memberId());
                categories.put(l.personId(), kinds.of(m.category(), m.village()));
            }
        }
    }

    /** Decisions for some members, to be written. */
    record Decided(List<Link> links, List<Member> members) {
    }

    record Decisions(MatchWeights weights, int fuzzy, long pairs, long exactDoneAt) {
    }

    /**
     * Both passes, on the reader's connection: every current member in the area (but those a person decided) gets
     * one decision, handed to the writer as it is made.
     */
    private Decisions decideAll(CurrentUser user, ScopeFilter f, Set<Long> clerical,
                                Consumer<Decided> out) {
        // Pass 1: exact ID links; the rest wait for the probabilistic pass. The ID look-ups run on connections of
        // their own while the roster streams on, their results taken in the roster's order.
        List<Member> chunk = new ArrayList<>(EXACT_CHUNK);
        List<Member> fuzzy = new ArrayList<>();
        var lookups = new ExactLookups(out, fuzzy);
        try {
            jdbc.sql("""
                    SELECT r.id, r.name, r.id_raw_sealed, r.id_index, r.gender, r.birth_date, r.village_code, r.household_no,
                           r.category, r.stated_birth_date, r.stated_gender
                    FROM roster_member r WHERE r.is_current AND""" + " " + f.sql() + " ORDER BY r.id")
                    .withFetchSize(EXACT_CHUNK).params(f.params()).query(rs -> {
                        long id = rs.getLong("id");
                        if (clerical.contains(id)) {
                            return;
                        }
                        String index = rs.getString("id_index");
                        chunk.add(new Member(id, rs.getString("name"),
                                crypto.lazy(FieldCrypto.Kind.RAW_ID, rs.getString("id_raw_sealed")),
                                index == null ? null : index.strip(), rs.getString("gender"),
                                rs.getDate("birth_date") == null ? null : rs.getDate("birth_date").toLocalDate(),
                                rs.getString("village_code"), rs.getString("household_no"), rs.getString("category"),
                                rs.getDate("stated_birth_date") == null ? null
                                        : rs.getDate("stated_birth_date").toLocalDate(), rs.getString("stated_gender")));
                        if (chunk.size() == EXACT_CHUNK) {
                            lookups.submit(List.copyOf(chunk));
                            chunk.clear();
                        }
                    });
            lookups.submit(List.copyOf(chunk));
            lookups.drain(0);
        } finally {
            lookups.close();
        }
        long exactDoneAt = System.nanoTime();
        // Pass 2: m/u estimated by EM from candidate pairs (or the defaults), then every remaining member decided.
        MatchWeights.Patterns patterns = new MatchWeights.Patterns();
        MatchWeights weights;
        if (!aboveCounty(user)) {
            for (int i = 0; i < fuzzy.size(); i += CHUNK) {
                candidates(user.scope(), fuzzy.subList(i, Math.min(fuzzy.size(), i + CHUNK))).forEach((m, persons) ->
                        persons.forEach(p -> patterns.add(Scoring.compare(m, p).levels())));
            }
            weights = MatchWeights.estimate(patterns);
            for (int i = 0; i < fuzzy.size(); i += CHUNK) {
                List<Member> part = List.copyOf(fuzzy.subList(i, Math.min(fuzzy.size(), i + CHUNK)));
                out.accept(new Decided(decide(part, candidates(user.scope(), part), weights), part));
            }
        } else {
            // A province has hundreds of registered persons per birth date: each member is compared with the
            // persons of its own county (read once per county), blocked there by birth date and name sound.
            Map<String, List<Member>> byCounty = new TreeMap<>();
            fuzzy.forEach(m -> byCounty.computeIfAbsent(m.village() == null ? "" : m.village().substring(0, 6),
                    k -> new ArrayList<>()).add(m));
            int sampled = 0;
            for (var e : byCounty.entrySet()) {
                if (sampled >= EM_SAMPLE) {
                    break;
                }
                countyCandidates(e.getKey(), e.getValue()).forEach((m, persons) ->
                        persons.forEach(p -> patterns.add(Scoring.compare(m, p).levels())));
                sampled += e.getValue().size();
            }
            MatchWeights estimated = MatchWeights.estimate(patterns);
            weights = estimated;
            // Then one ordered pass over the area's registered persons decides the members county by county.
            Set<String> done = new HashSet<>();
            List<PersonRef> persons = new ArrayList<>();
            String[] county = {null};
            Consumer<String> decideCounty = c -> {
                List<Member> members = c == null ? null : byCounty.get(c);
                if (members != null) {
                    out.accept(new Decided(decide(members, block(members, persons, persons), estimated), members));
                    done.add(c);
                }
                persons.clear();
            };
            registry.forEachPersonOfArea(user.scope().code(), p -> {
                String c = p.villageCode().substring(0, 6);
                if (!c.equals(county[0])) {
                    decideCounty.accept(county[0]);
                    county[0] = c;
                }
                if (byCounty.containsKey(c)) {
                    persons.add(p);
                }
            });
            decideCounty.accept(county[0]);
            // Members without a village, or of a county without registered households, are decided on what there is.
            for (var e : byCounty.entrySet()) {
                if (!done.contains(e.getKey())) {
                    out.accept(new Decided(decide(e.getValue(), countyCandidates(e.getKey(), e.getValue()), weights),
                            e.getValue()));
                }
            }
        }
        return new Decisions(weights, fuzzy.size(), patterns.pairs, exactDoneAt);
    }

    /** Look-ups of the exact pass in flight at once; each holds a connection of its own. */
    static final int EXACT_LOOKUPS = 2;

    /**
     * The exact pass's ID look-ups, run on {@link #EXACT_LOOKUPS} threads while the roster goes on streaming: on a
     * province each look-up of 5,000 numbers among eleven million persons waits ~0.1 s for index pages, and one
     * after the other they were most of the linkage's time (36-41 s of 53-58 s). Results are handed on in the
     * roster's order, so the probabilistic pass sees the same members in the same order as before.
     */
    private final class ExactLookups implements AutoCloseable {
        private record Result(Decided decided, List<Member> rest) {
        }

        private final ExecutorService pool = Executors.newFixedThreadPool(
                EXACT_LOOKUPS, r -> {
                    Thread t = new Thread(r, "linkage-lookup");
                    t.setDaemon(true);
                    return t;
                });
        private final ArrayDeque<Future<Result>> pending = new ArrayDeque<>();
        private final Consumer<Decided> out;
        private final List<Member> fuzzy;

        ExactLookups(Consumer<Decided> out, List<Member> fuzzy) {
            this.out = out;
            this.fuzzy = fuzzy;
        }

        void submit(List<Member> members) {
            if (members.isEmpty()) {
                return;
            }
            pending.add(pool.submit(() -> {
                List<Member> rest = new ArrayList<>();
                return new Result(new Decided(exact(members, rest), members), rest);
            }));
            drain(EXACT_LOOKUPS);
        }

        /** Hands on finished look-ups, oldest first, until at most {@code inFlight} are left. */
        void drain(int inFlight) {
            while (pending.size() > inFlight) {
                Result r;
                try {
                    r = pending.poll().get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("linkage cancelled", e);
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                }
                fuzzy.addAll(r.rest());
                out.accept(r.decided());
            }
        }

        @Override
        public void close() {
            pool.shutdownNow();
        }
    }

    /**
     * Links the members whose normalised ID is registered to a person their name and birth date agree with; the
     * others go to {@code rest} — those whose exact ID belongs to someone else marked with the reason.
     */
    List<Link> exact(List<Member> members, List<Member> rest) {
        List<Link> out = new ArrayList<>();
        Map<String, Registry.IdOwner> owners = registry.idOwnersByIndex(members.stream().map(Member::idIndex)
                .filter(Objects::nonNull).distinct().toList());
        for (Member m : members) {
            Registry.IdOwner owner = m.idIndex() == null ? null : owners.get(m.idIndex());
            if (owner == null) {
                rest.add(m);
                continue;
            }
            String contradiction = LinkDecisions.contradiction(m, owner);
            if (contradiction == null) {
                out.add(new Link(m.id(), owner.personId(), "LINKED", "EXACT_ID", 99, "id=EXACT:+99"));
            } else {
                rest.add(m.contradicting(contradiction, owner.personId()));
            }
        }
        return out;
    }

    private static boolean aboveCounty(CurrentUser user) {
        return user.scope().type() == Scope.Type.REGION
                && new RegionCode(user.scope().code()).level().ordinal()
                < RegionCode.Level.COUNTY.ordinal();
    }

    /**
     * Blocking: the registered persons born on the member's birth date or one of its usual mistypings, and those
     * of the member's village whose name sounds the same.
     */
    Map<Member, List<PersonRef>> candidates(Scope area, List<Member> members) {
        Set<LocalDate> dates = new LinkedHashSet<>();
        members.forEach(m -> dates.addAll(Scoring.blockingDates(m)));
        // Second key: same village and same name sound (pinyin with the surname readings, folded initials), for
        // members whose birth date is missing or wrong beyond a typo.
        Set<String> villages = new LinkedHashSet<>();
        members.forEach(m -> {
            if (m.village() != null) {
                villages.add(m.village());
            }
        });
        return block(members, registry.personsBornOn(area, dates), registry.personsLivingIn(villages));
    }

    /** The same blocks inside one county (six-digit code prefix), from the county's persons read once. */
    Map<Member, List<PersonRef>> countyCandidates(String county, List<Member> members) {
        if (county.isEmpty()) {
            // A member with no village has no county to be looked for in (the roster requires the village).
            return candidates(Scope.NONE, members);
        }
        List<PersonRef> persons = new ArrayList<>();
        registry.forEachPersonOfArea(county + "000000", persons::add);
        return block(members, persons, persons);
    }

    private static Map<Member, List<PersonRef>> block(List<Member> members, List<PersonRef> byDate,
                                                      List<PersonRef> byVillage) {
        Map<LocalDate, List<PersonRef>> born = new HashMap<>();
        for (PersonRef p : byDate) {
            born.computeIfAbsent(p.birthDate(), d -> new ArrayList<>()).add(p);
        }
        // Name sounds only where a member lives: pinyin for a whole county's persons would cost more than the rest.
        Set<String> villages = new HashSet<>();
        members.forEach(m -> villages.add(m.village()));
        Map<String, List<PersonRef>> bySound = new HashMap<>();
        for (PersonRef p : byVillage) {
            if (p.villageCode() != null && villages.contains(p.villageCode())) {
                bySound.computeIfAbsent(p.villageCode() + "|" + NameMatcher.soundKey(p.name()), k -> new ArrayList<>())
                        .add(p);
            }
        }
        Map<Member, List<PersonRef>> out = new LinkedHashMap<>();
        for (Member m : members) {
            Map<Long, PersonRef> list = new LinkedHashMap<>();
            for (LocalDate d : Scoring.blockingDates(m)) {
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
            out.add(LinkDecisions.decide(m, scored, lower, upper));
        }
        return out;
    }

    /**
     * Writes the links decided for these members where they differ from the stored ones: new links inserted,
     * changed ones updated (the decision time then moves), unchanged ones left as they are — so a pair waiting in
     * the review queue keeps its version. Every current member gets a decision in one of the two passes, so a
     * stored link is always either confirmed or replaced.
     */
    private void store(List<Link> links, List<Member> members) {
        if (members.isEmpty()) {
            return;
        }
        long lo = members.stream().mapToLong(Member::id).min().orElseThrow();
        long hi = members.stream().mapToLong(Member::id).max().orElseThrow();
        Map<Long, Link> stored = new HashMap<>();
        RowCallbackHandler read = rs -> {
            long pid = rs.getLong("person_id");
            Long personId = rs.wasNull() ? null : pid;
            stored.put(rs.getLong("roster_member_id"), new Link(rs.getLong("roster_member_id"), personId,
                    rs.getString("status"), rs.getString("method"), rs.getDouble("score"), rs.getString("evidence")));
        };
        String select = "SELECT roster_member_id, person_id, status, method, score, evidence FROM roster_link "
                + "WHERE method <> 'CLERICAL' AND ";
        if (hi - lo < 4L * members.size()) {
            // Consecutive members (the exact pass): one range.
            jdbc.sql(select + "roster_member_id BETWEEN :lo AND :hi").param("lo", lo).param("hi", hi).query(read);
        } else {
            // A county's members are scattered over the roster's IDs: look them up.
            List<Long> ids = members.stream().map(Member::id).toList();
            for (int i = 0; i < ids.size(); i += 1000) {
                jdbc.sql(select + "roster_member_id IN (:ids)").param("ids", ids.subList(i, Math.min(ids.size(), i + 1000)))
                        .query(read);
            }
        }
        List<Link> inserts = new ArrayList<>();
        List<Link> updates = new ArrayList<>();
        for (Link l : links) {
            Link old = stored.get(l.memberId());
            if (old == null) {
                inserts.add(l);
            } else if (old.status().equals("REVIEW") && l.status().equals("LINKED")
                    && old.evidence().equals(l.evidence() + CONFLICT) && Objects.equals(old.personId(), l.personId())
                    && old.method().equals(l.method())) {
                // Sent to review by the one-line-per-person rule in an earlier run, and still the same decision:
                // the rule would send it again, so the stored row (and its place in the queue) stays.
                continue;
            } else if (!Objects.equals(old.personId(), l.personId()) || !old.status().equals(l.status())
                    || !old.method().equals(l.method()) || !old.evidence().equals(l.evidence())
                    || Math.abs(old.score() - rounded(l.score()).doubleValue()) > 0.0005) {
                updates.add(l);
            }
        }
        Timestamp now = Timestamp.from(Instant.now());
        batch.batchUpdate("INSERT INTO roster_link (person_id, status, method, score, evidence, decided_at, "
                + "roster_member_id) VALUES (?, ?, ?, ?, ?, ?, ?)", inserts, 1000, (ps, l) -> bind(ps, l, now));
        batch.batchUpdate("UPDATE roster_link SET person_id = ?, status = ?, method = ?, score = ?, evidence = ?, "
                + "decided_at = ?, decided_by = NULL, version = version + 1 WHERE roster_member_id = ?", updates, 1000,
                (ps, l) -> bind(ps, l, now));
    }

    private static BigDecimal rounded(double score) {
        return BigDecimal.valueOf(score).setScale(3, RoundingMode.HALF_UP);
    }

    private static void bind(PreparedStatement ps, Link l, Timestamp now) throws SQLException {
        ps.setObject(1, l.personId(), Types.BIGINT);
        ps.setString(2, l.status());
        ps.setString(3, l.method());
        ps.setBigDecimal(4, rounded(l.score()));
        ps.setString(5, l.evidence());
        ps.setTimestamp(6, now);
        ps.setLong(7, l.memberId());
    }

    private static final JsonMapper JSON = JsonMapper.builder()
            .build();
    private static final TypeReference<Map<String, Map<String, double[]>>> MU =
            new TypeReference<>() {
            };

    /**
     * Keeps the run's weights for its area in the run's transaction: an instance-local copy was shown only by the
     * instance that ran, lost on restart, and shown to every county's center alike.
     */
    private void saveWeights(Scope area, MatchWeights w) {
        Map<String, Object> p = new HashMap<>();
        p.put("k", area.toString());
        p.put("source", w.source());
        p.put("share", Double.isNaN(w.matchShare()) ? null : w.matchShare());
        p.put("it", w.iterations());
        p.put("mu", JSON.writeValueAsString(w.mu()));
        p.put("at", Timestamp.from(Instant.now()));
        if (jdbc.sql("""
                UPDATE linkage_weights SET source = :source, match_share = :share, iterations = :it, mu = :mu,
                       updated_at = :at WHERE scope_key = :k""").params(p).update() == 0) {
            jdbc.sql("""
                    INSERT INTO linkage_weights (scope_key, source, match_share, iterations, mu, updated_at)
                    VALUES (:k, :source, :share, :it, :mu, :at)""").params(p).update();
        }
    }

    @Override
    @Transactional(readOnly = true)
    public Weights weights(CurrentUser user) {
        // The weights of the last run over the user's own area; the defaults until one has run.
        MatchWeights w = jdbc.sql("SELECT source, match_share, iterations, mu FROM linkage_weights WHERE scope_key = :k")
                .param("k", user.scope().toString()).query((rs, n) -> {
                    double share = rs.getDouble(2);
                    return new MatchWeights(JSON.readValue(rs.getString(4), MU), rs.getString(1),
                            rs.wasNull() ? Double.NaN : share, rs.getInt(3));
                }).optional().orElse(MatchWeights.DEFAULT);
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
                // Exact-ID lines sent to review by the one-line-per-person rule keep their method.
                counts.getOrDefault("REVIEW/PROBABILISTIC", 0L) + counts.getOrDefault("REVIEW/EXACT_ID", 0L),
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
                SELECT r.id, l.version, r.name, r.id_raw_masked, r.birth_date, r.village_code, r.household_no,
                       l.person_id, l.score, l.evidence, l.decided_at, r.stated_birth_date
                FROM roster_member r JOIN roster_link l ON l.roster_member_id = r.id
                WHERE r.is_current AND l.status = 'REVIEW' AND""" + " " + f.sql()
                        + " ORDER BY l.score DESC, r.id LIMIT :lim OFFSET :off")
                .params(f.params()).param("lim", size).param("off", (long) page * size)
                .query((rs, n) -> new Object[]{rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                        rs.getDate(5) == null ? "" : rs.getDate(5).toString(), rs.getString(6), rs.getString(7),
                        rs.getLong(8), rs.getDouble(9), rs.getString(10), rs.getTimestamp(11).toInstant(),
                        rs.getDate(12) == null ? null : rs.getDate(12).toString()})
                .list();
        // The candidate by its person ID, whichever block (birth date, village and name sound) found the pair.
        Map<Long, Registry.PersonLabel> persons = rows.isEmpty() ? Map.of()
                : registry.personLabels(rows.stream().map(r -> (Long) r[7]).toList());
        List<ReviewItem> items = new ArrayList<>();
        for (Object[] r : rows) {
            Registry.PersonLabel p = persons.get((Long) r[7]);
            String stated = (String) r[11];
            items.add(new ReviewItem((Long) r[0], (Integer) r[1], (String) r[2], (String) r[3],
                    (String) r[4], stated == null || stated.equals(r[4]) ? null : stated,
                    (String) r[5], (String) r[6], (Long) r[7], p == null ? "?" : p.name(),
                    p == null ? "" : p.idMasked(), p == null ? "" : p.birthDate().toString(),
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

    /** The derived status after a person's decision: every person linked to a current roster line carries its category. */
    private void refreshPovertyStatus(CurrentUser user) {
        ScopeFilter f = ScopeFilter.of(user.scope(), null, "r.village_code");
        Map<Long, PovertyStatuses.Given> categories = new HashMap<>();
        var kinds = new PovertyStatuses.Interner();
        jdbc.sql("SELECT l.person_id, r.category, r.village_code FROM roster_link l "
                        + "JOIN roster_member r ON r.id = l.roster_member_id "
                        + "WHERE r.is_current AND l.status = 'LINKED' AND " + f.sql() + " ORDER BY r.id").params(f.params())
                .query(rs -> {
                    categories.putIfAbsent(rs.getLong(1), kinds.of(rs.getString(2), rs.getString(3)));
                });
        statuses.replace(user.scope(), categories);
    }

    // ------------------------------------------------------------------ links, readable (issue 10)

    private static void requireReader(CurrentUser user) {
        user.require(user.role() == Role.CENTER || user.role() == Role.LEADER || user.role() == Role.EVALUATOR);
    }

    private record LinkWhere(String sql, Map<String, Object> params) {
    }

    private static LinkWhere linkWhere(CurrentUser user, LinkQuery q) {
        ScopeFilter f = ScopeFilter.of(user.childDataScope(), null, "r.village_code");
        StringBuilder sb = new StringBuilder(" FROM roster_member r LEFT JOIN roster_link l ON l.roster_member_id = r.id "
                + "WHERE r.is_current AND ").append(f.sql());
        Map<String, Object> p = new HashMap<>(f.params());
        if (q.member() != null) {
            sb.append(" AND r.id = :member");
            p.put("member", q.member());
        }
        if (q.person() != null) {
            sb.append(" AND l.person_id = :person");
            p.put("person", q.person());
        }
        if (q.household() != null && !q.household().isBlank()) {
            sb.append(" AND r.household_no = :household");
            p.put("household", q.household().strip());
        }
        if (q.village() != null && !q.village().isBlank()) {
            sb.append(" AND r.village_code = :village");
            p.put("village", q.village().strip());
        }
        if (q.decision() != null) {
            sb.append(switch (q.decision()) {
                case EXACT -> " AND l.status = 'LINKED' AND l.method = 'EXACT_ID'";
                case PROBABILISTIC -> " AND l.status = 'LINKED' AND l.method = 'PROBABILISTIC'";
                case REVIEWED -> " AND l.status = 'LINKED' AND l.method = 'CLERICAL'";
                case REJECTED -> " AND l.status = 'REJECTED'";
                case REVIEW -> " AND l.status = 'REVIEW'";
                case UNLINKED -> " AND l.status = 'UNLINKED'";
                case PENDING -> " AND l.roster_member_id IS NULL";
            });
        }
        return new LinkWhere(sb.toString(), p);
    }

    private static final String LINK_COLUMNS = "SELECT r.id, r.name, r.id_raw_masked, r.household_no, r.village_code, "
            + "r.category, l.status, l.method, l.person_id, l.score, l.evidence, l.decided_by, l.decided_at";

    private static Decision decisionOf(String status, String method) {
        if (status == null) {
            return Decision.PENDING;
        }
        return switch (status) {
            case "LINKED" -> "CLERICAL".equals(method) ? Decision.REVIEWED
                    : "EXACT_ID".equals(method) ? Decision.EXACT : Decision.PROBABILISTIC;
            case "REJECTED" -> Decision.REJECTED;
            case "REVIEW" -> Decision.REVIEW;
            default -> Decision.UNLINKED;
        };
    }

    private List<LinkView> views(CurrentUser user, List<Object[]> rows) {
        Privacy privacy = Privacy.of(user);
        List<Long> persons = rows.stream().map(r -> (Long) r[8]).filter(Objects::nonNull).toList();
        Map<Long, Registry.PersonLabel> labels = persons.isEmpty() ? Map.of() : registry.personLabels(persons);
        List<LinkView> out = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            Long person = (Long) r[8];
            Registry.PersonLabel label = person == null ? null : labels.get(person);
            String method = (String) r[7];
            out.add(new LinkView((Long) r[0], privacy.name((String) r[1]), (String) r[2], (String) r[3], (String) r[4],
                    (String) r[5], decisionOf((String) r[6], method), person,
                    label == null ? null : privacy.name(label.name()), label == null ? null : label.idMasked(),
                    (Double) r[9], Scoring.parseEvidence((String) r[10]),
                    "CLERICAL".equals(method) ? (String) r[11] : null, (Instant) r[12]));
        }
        return out;
    }

    private static Object[] linkRow(ResultSet rs) throws SQLException {
        long person = rs.getLong(9);
        Long personId = rs.wasNull() ? null : person;
        double score = rs.getDouble(10);
        Double s = rs.wasNull() ? null : score;
        Timestamp at = rs.getTimestamp(13);
        return new Object[]{rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), personId, s, rs.getString(11), rs.getString(12),
                at == null ? null : at.toInstant()};
    }

    @Override
    @Transactional(readOnly = true)
    public Page<LinkView> links(CurrentUser user, LinkQuery query, int page, int size) {
        requireReader(user);
        LinkWhere w = linkWhere(user, query);
        long total = jdbc.sql("SELECT COUNT(*)" + w.sql()).params(w.params()).query(Long.class).single();
        int last = total == 0 ? 0 : (int) ((total - 1) / size);
        int p = Math.min(Math.max(page, 0), last);
        List<Object[]> rows = jdbc.sql(LINK_COLUMNS + w.sql() + " ORDER BY r.id LIMIT :lim OFFSET :off")
                .params(w.params()).param("lim", size).param("off", (long) p * size)
                .query((rs, n) -> linkRow(rs)).list();
        return new Page<>(views(user, rows), total, p, size);
    }

    @Override
    @Transactional
    public long exportLinks(CurrentUser user, LinkQuery query, OutputStream out, Locale locale) {
        requireReader(user);
        LinkWhere w = linkWhere(user, query);
        Function<String, String> t = k -> messages.getMessage(k, null, k, locale);
        List<String> header = Stream.of("linkage.links.member", "linkage.links.household",
                "linkage.links.village", "linkage.links.name", "linkage.links.idNumber", "linkage.links.decision",
                "linkage.links.person", "linkage.links.personId", "linkage.links.score", "linkage.evidence",
                "linkage.links.decidedBy", "linkage.links.decidedAt").map(t).toList();
        long[] n = {0};
        try (Xlsx x = new Xlsx(out, t.apply("linkage.links.title"), header)) {
            List<Object[]> chunk = new ArrayList<>(1000);
            Runnable flush = () -> {
                for (LinkView v : views(user, chunk)) {
                    StringBuilder ev = new StringBuilder();
                    for (Evidence e : v.evidence()) {
                        if (!ev.isEmpty()) {
                            ev.append("；");
                        }
                        ev.append(t.apply("linkage.field." + e.field())).append("：")
                                .append(t.apply("linkage.level." + e.agreement()));
                    }
                    x.row(List.of(String.valueOf(v.rosterMemberId()), v.householdNo(), nz(v.villageCode()), v.name(),
                            nz(v.idMasked()), t.apply("linkage.decision." + v.decision()), nz(v.personName()),
                            nz(v.personIdMasked()), v.score() == null ? "" : String.format(Locale.ROOT, "%.1f", v.score()),
                            ev.toString(), nz(v.decidedBy()), v.decidedAt() == null ? "" : v.decidedAt().toString()));
                    n[0]++;
                }
                chunk.clear();
            };
            jdbc.sql(LINK_COLUMNS + w.sql() + " ORDER BY r.id").params(w.params()).withFetchSize(1000).query(rs -> {
                chunk.add(linkRow(rs));
                if (chunk.size() == 1000) {
                    flush.run();
                }
            });
            flush.run();
        }
        audit.record("LINKS_EXPORT", "roster", null, Map.of("lines", n[0],
                "decision", query.decision() == null ? "ALL" : query.decision().name()));
        return n[0];
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
