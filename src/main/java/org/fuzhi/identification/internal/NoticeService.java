package org.fuzhi.identification.internal;

import java.sql.Date;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.fuzhi.common.Masking;
import org.fuzhi.common.Page;
import org.fuzhi.common.RegionCode;
import org.fuzhi.identification.Notices;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.region.Directory;
import org.fuzhi.region.RegionView;
import org.fuzhi.region.SchoolView;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The public notice (公示) of a round as a village posts it on its board: who issues it, the period in working
 * days, where objections go, and the masked list — all of it, or one village's.
 */
@Service
class NoticeService implements Notices {

    private final JdbcClient jdbc;
    private final Directory directory;
    private final NoticeCalendar calendar;
    private final AuditLog audit;
    private final Clock clock;
    private final MessageSource messages;

    NoticeService(JdbcClient jdbc, Directory directory, NoticeCalendar calendar, AuditLog audit, Clock clock,
                  MessageSource messages) {
        this.messages = messages;
        this.jdbc = jdbc;
        this.directory = directory;
        this.calendar = calendar;
        this.audit = audit;
        this.clock = clock;
    }

    private record Up(long id, String name, int schoolYear, String term, String scope, LocalDate start, LocalDate end) {
    }

    private LocalDate today() {
        return LocalDate.now(clock.withZone(RoundService.ZONE));
    }

    private List<Up> up(Long roundId) {
        return jdbc.sql("""
                SELECT id, name, school_year, term, scope_code, notice_start, notice_end FROM ident_round
                WHERE stage = 'NOTICE' AND notice_start <= :d AND notice_end >= :d AND (:id IS NULL OR id = :id)
                ORDER BY notice_start DESC, id DESC""").param("d", Date.valueOf(today()))
                .param("id", roundId, Types.BIGINT)
                .query((rs, n) -> new Up(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getString(4),
                        rs.getString(5), rs.getDate(6).toLocalDate(), rs.getDate(7).toLocalDate())).list();
    }

    @Override
    @Transactional(readOnly = true)
    public List<NoticeView> current() {
        return up(null).stream().map(this::view).toList();
    }

    private NoticeView view(Up r) {
        return new NoticeView(r.id(), r.name(), regionName(r.scope()), r.schoolYear(), r.term(), r.start(), r.end(),
                calendar.workingDays(r.start(), r.end()), contactFor(r.scope()));
    }

    @Override
    @Transactional(readOnly = true)
    public Optional<NoticePage> notice(long roundId, String village, int page, int size) {
        Optional<Up> found = up(roundId).stream().findFirst();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        List<VillageOption> villages = villages(roundId);
        String chosen = villages.stream().map(VillageOption::code).filter(c -> c.equals(village)).findFirst()
                .orElse(null);
        // Only the children the verification confirmed: those on the roster, checked unit by unit. The hardship
        // ledger is a model's rating nobody has confirmed; publishing it would brand a family as poor on a guess.
        long total = jdbc.sql("""
                SELECT COUNT(*) FROM ident_entry WHERE round_id = :r AND source = 'ROSTER'
                AND (CAST(:v AS VARCHAR(12)) IS NULL OR village_code = :v)""")
                .param("r", roundId).param("v", chosen, Types.VARCHAR).query(Long.class).single();
        // One village's list is printed whole for its board; the county's is read page by page.
        int pageSize = chosen != null ? (int) Math.max(total, 1) : size;
        int pageNo = chosen != null ? 0 : Page.clamp(page, total, pageSize);
        Map<String, String> schools = new HashMap<>();
        // Only what a notice may show: masked name, school and grade. No ID, address, birth date, category or level.
        List<NoticeLine> lines = jdbc.sql("""
                SELECT name, school_code, stage, grade FROM ident_entry WHERE round_id = :r AND source = 'ROSTER'
                AND (CAST(:v AS VARCHAR(12)) IS NULL OR village_code = :v)
                ORDER BY school_code, stage, grade, person_id LIMIT :lim OFFSET :off""")
                .param("r", roundId).param("v", chosen, Types.VARCHAR).param("lim", pageSize)
                .param("off", (long) pageNo * pageSize)
                .query((rs, n) -> new NoticeLine(Masking.name(rs.getString("name")),
                        schools.computeIfAbsent(rs.getString("school_code"),
                                c -> directory.school(c).map(SchoolView::name).orElse(c)),
                        rs.getString("stage"), (Integer) rs.getObject("grade", Integer.class))).list();
        String villageName = villages.stream().filter(v -> v.code().equals(chosen)).findFirst()
                .map(v -> v.township() + " " + v.name()).orElse(null);
        return Optional.of(new NoticePage(view(found.get()), new Page<>(lines, total, pageNo, pageSize), villages,
                chosen, villageName));
    }

    /** The villages with children on the notice, by township then name. */
    private List<VillageOption> villages(long roundId) {
        List<String> codes = jdbc.sql("""
                SELECT DISTINCT village_code FROM ident_entry WHERE round_id = :r AND source = 'ROSTER'
                AND village_code IS NOT NULL""").param("r", roundId).query(String.class).list();
        Map<String, String> townships = new HashMap<>();
        List<VillageOption> out = new ArrayList<>();
        for (String code : codes) {
            String parent = new RegionCode(code).parentCode();
            String township = townships.computeIfAbsent(parent, this::regionName);
            out.add(new VillageOption(code, township, regionName(code)));
        }
        out.sort(Comparator.comparing((VillageOption v) -> v.code().substring(0, 9))
                .thenComparing(VillageOption::name));
        return out;
    }

    // ------------------------------------------------------------------ contact

    @Override
    @Transactional(readOnly = true)
    public Contact contact(CurrentUser user) {
        requireCenter(user);
        return contactFor(user.scope().code());
    }

    @Override
    @Transactional
    public Contact saveContact(CurrentUser user, ContactEdit c) {
        requireCenter(user);
        String issuer = c.issuer() == null ? "" : c.issuer().strip();
        String phone = c.phone() == null ? "" : c.phone().strip();
        String address = c.address() == null ? "" : c.address().strip();
        if (issuer.isEmpty() || issuer.length() > 100) {
            throw new RuleViolationException("notice.rule.issuer");
        }
        // A parent dials it from a printed sheet: digits with an optional area code and extension, nothing else.
        if (!phone.matches("[0-9][0-9 \\-]{5,30}[0-9]")) {
            throw new RuleViolationException("notice.rule.phone");
        }
        if (address.isEmpty() || address.length() > 200) {
            throw new RuleViolationException("notice.rule.address");
        }
        String code = user.scope().code();
        Contact before = contactFor(code);
        int updated = jdbc.sql("""
                UPDATE notice_contact SET issuer = :i, phone = :p, address = :a, updated_by = :u, updated_at = :t
                WHERE region_code = :c""").param("i", issuer).param("p", phone).param("a", address)
                .param("u", user.username()).param("t", Timestamp.from(clock.instant())).param("c", code).update();
        if (updated == 0) {
            jdbc.sql("""
                    INSERT INTO notice_contact (region_code, issuer, phone, address, updated_by, updated_at)
                    VALUES (:c, :i, :p, :a, :u, :t)""").param("i", issuer).param("p", phone).param("a", address)
                    .param("u", user.username()).param("t", Timestamp.from(clock.instant())).param("c", code).update();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("issuer", before.issuer() + " → " + issuer);
        details.put("phone", (before.phone() == null ? "" : before.phone()) + " → " + phone);
        details.put("address", (before.address() == null ? "" : before.address()) + " → " + address);
        audit.record("NOTICE_CONTACT_SAVE", "region", code, details);
        return new Contact(issuer, phone, address, true);
    }

    private static void requireCenter(CurrentUser user) {
        if (user.role() != Role.CENTER || user.scope().code() == null || !RegionCode.isValid(user.scope().code())) {
            throw new AccessDeniedException("notice contact");
        }
    }

    /**
     * The contact of the nearest center above (or at) the area: a village round of Wuxue is issued by Wuxue's
     * center. Without a saved one the county's center is named by its region, and no hotline is invented.
     */
    private Contact contactFor(String scope) {
        List<String> chain = new ArrayList<>();
        for (String c = scope; c != null; c = new RegionCode(c).parentCode()) {
            chain.add(c);
        }
        for (String c : chain) {
            Optional<Contact> saved = jdbc.sql("SELECT issuer, phone, address FROM notice_contact WHERE region_code = :c")
                    .param("c", c).query((rs, n) -> new Contact(rs.getString(1), rs.getString(2), rs.getString(3), true))
                    .optional();
            if (saved.isPresent()) {
                return saved.get();
            }
        }
        String center = chain.stream().filter(c -> switch (new RegionCode(c).level()) {
            case VILLAGE, TOWNSHIP -> false;
            default -> true;
        }).findFirst().orElse(scope);
        // Named in the reader's language until the center saves the name it signs with.
        return new Contact(messages.getMessage("notice.defaultIssuer", new Object[] {regionName(center)},
                LocaleContextHolder.getLocale()), null, null, false);
    }

    private String regionName(String code) {
        return code == null ? null : directory.region(code).map(RegionView::name).orElse(code);
    }
}
