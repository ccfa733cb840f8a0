package org.fuzhi.aid.internal;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fuzhi.aid.Catalog;
import org.fuzhi.common.RegionCode;
import org.fuzhi.common.Stage;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.StaleEditException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The catalog in {@code aid_item}: one row per version, the current one flagged. */
@Service
@Transactional(readOnly = true)
class CatalogStore implements Catalog {

    private final JdbcClient jdbc;
    private final AuditLog audit;

    CatalogStore(JdbcClient jdbc, AuditLog audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    static void requireReader(CurrentUser user) {
        user.require(user.role() == Role.CENTER || user.role() == Role.LEADER || user.role() == Role.EVALUATOR
                || user.role() == Role.SCHOOL_OPERATOR || user.role() == Role.SCHOOL_REVIEWER);
    }

    /** Whether an item of this scope applies to the user's area: national items everywhere, local ones inside it. */
    static boolean applies(String itemScope, String areaCode) {
        if (NATIONAL.equals(itemScope)) {
            return true;
        }
        String prefix = new RegionCode(itemScope).prefix();
        return areaCode != null && (areaCode.startsWith(prefix)
                || new RegionCode(areaCode).prefix().startsWith(prefix)
                || prefix.startsWith(new RegionCode(areaCode).prefix()));
    }

    private static String area(CurrentUser user) {
        return user.scope().type() == Scope.Type.REGION ? user.scope().code() : null;
    }

    @Override
    public List<Item> items(CurrentUser user) {
        requireReader(user);
        String area = area(user);
        return jdbc.sql("SELECT * FROM aid_item WHERE is_current ORDER BY sort_order, code").query(CatalogStore::item)
                .list().stream().filter(i -> i.national() || (area != null && applies(i.scopeCode(), area))).toList();
    }

    /** Every current item, for generation (the caller filters by the term's area and date). */
    List<Item> allCurrent() {
        return jdbc.sql("SELECT * FROM aid_item WHERE is_current ORDER BY sort_order, code").query(CatalogStore::item)
                .list();
    }

    @Override
    public List<Item> history(CurrentUser user, String code) {
        requireReader(user);
        String area = area(user);
        return jdbc.sql("SELECT * FROM aid_item WHERE code = :c ORDER BY version DESC").param("c", code)
                .query(CatalogStore::item).list().stream()
                .filter(i -> i.national() || (area != null && applies(i.scopeCode(), area))).toList();
    }

    @Override
    @Transactional
    public Item save(CurrentUser user, ItemEdit e) {
        user.require(user.role() == Role.CENTER && user.scope().type() == Scope.Type.REGION);
        validate(e);
        Item current = jdbc.sql("SELECT * FROM aid_item WHERE code = :c AND is_current").param("c", e.code())
                .query(CatalogStore::item).optional().orElse(null);
        String scope = current != null ? current.scopeCode() : e.scopeCode() == null ? user.scope().code() : e.scopeCode();
        mayEdit(user, scope);
        if (current != null && (e.expectedVersion() == null || e.expectedVersion() != current.version())) {
            throw new StaleEditException("aid item " + e.code());
        }
        if (current == null && e.expectedVersion() != null) {
            throw new NotFoundException("aid item " + e.code());
        }
        int version = current == null ? 1 : current.version() + 1;
        int sort = e.sortOrder() != null ? e.sortOrder() : current != null ? current.sortOrder()
                : jdbc.sql("SELECT COALESCE(MAX(sort_order), 0) + 10 FROM aid_item").query(Integer.class).single();
        Timestamp now = Timestamp.from(Instant.now());
        if (current != null) {
            jdbc.sql("UPDATE aid_item SET is_current = FALSE WHERE id = :id").param("id", current.id()).update();
        }
        jdbc.sql("""
                INSERT INTO aid_item (code, version, is_current, sort_order, name, stages, kind, scope_code, sources,
                    min_level, categories, boarding, grade_from, grade_to, in_county_only, amount, tiers,
                    terms_per_year, compat_group, not_with, effective_from, effective_to, changed_by, changed_at, note)
                VALUES (:code, :version, TRUE, :sort, :name, :stages, :kind, :scope, :sources, :minLevel, :categories,
                    :boarding, :gradeFrom, :gradeTo, :inCounty, :amount, :tiers, :terms, :compat, :notWith, :from, :to,
                    :by, :at, :note)""")
                .param("code", e.code()).param("version", version).param("sort", sort).param("name", e.name().strip())
                .param("stages", String.join(",", e.stages().stream().map(Enum::name).toList()))
                .param("kind", e.kind().name()).param("scope", scope)
                .param("sources", String.join(",", e.sources()))
                .param("minLevel", blankToNull(e.minLevel()))
                .param("categories", e.categories() == null || e.categories().isEmpty() ? null
                        : String.join(",", e.categories()))
                .param("boarding", e.boarding().name()).param("gradeFrom", e.gradeFrom()).param("gradeTo", e.gradeTo())
                .param("inCounty", e.inCountyOnly()).param("amount", e.amount().setScale(2))
                .param("tiers", tiers(e.tiers())).param("terms", e.termsPerYear())
                .param("compat", blankToNull(e.compatGroup()))
                .param("notWith", e.notWith() == null || e.notWith().isEmpty() ? null : String.join(",", e.notWith()))
                .param("from", e.effectiveFrom()).param("to", e.effectiveTo()).param("by", user.username())
                .param("at", now).param("note", blankToNull(e.note())).update();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("version", version);
        details.put("name", e.name());
        details.put("amount", e.amount().setScale(2).toPlainString());
        if (e.tiers() != null && !e.tiers().isEmpty()) {
            details.put("tiers", tiers(e.tiers()));
        }
        if (current != null) {
            details.put("previousAmount", current.amount().toPlainString());
        }
        audit.record(current == null ? "AID_ITEM_CREATED" : "AID_ITEM_CHANGED", "aidItem", e.code(), details);
        return jdbc.sql("SELECT * FROM aid_item WHERE code = :c AND is_current").param("c", e.code())
                .query(CatalogStore::item).single();
    }

    /** Local items by a center whose area holds them; national items by a province center only. */
    private static void mayEdit(CurrentUser user, String scope) {
        RegionCode mine = new RegionCode(user.scope().code());
        if (NATIONAL.equals(scope)) {
            if (mine.level() != RegionCode.Level.PROVINCE) {
                throw new RuleViolationException("aid.rule.nationalItem");
            }
            return;
        }
        if (!user.scope().containsRegion(scope)) {
            throw new AccessDeniedException("aid item outside scope");
        }
    }

    private static void validate(ItemEdit e) {
        if (e.code() == null || !e.code().matches("[A-Z][A-Z0-9_]{1,39}")) {
            throw new RuleViolationException("aid.rule.itemCode");
        }
        if (e.name() == null || e.name().isBlank()) {
            throw new RuleViolationException("aid.rule.itemName");
        }
        if (e.stages() == null || e.stages().isEmpty()) {
            throw new RuleViolationException("aid.rule.itemStages");
        }
        if (e.kind() == null || e.boarding() == null) {
            throw new RuleViolationException("aid.rule.itemKind");
        }
        if (e.sources() == null || e.sources().isEmpty()
                || !e.sources().stream().allMatch(s -> s.equals("ROSTER") || s.equals("HARDSHIP"))) {
            throw new RuleViolationException("aid.rule.itemSources");
        }
        if (e.minLevel() != null && !e.minLevel().isBlank() && !LEVELS.contains(e.minLevel())) {
            throw new RuleViolationException("aid.rule.itemLevel", e.minLevel());
        }
        if (e.amount() == null || e.amount().signum() < 0 || e.amount().scale() > 2) {
            throw new RuleViolationException("aid.rule.itemAmount");
        }
        if (e.tiers() != null) {
            for (var t : e.tiers().entrySet()) {
                if (!LEVELS.contains(t.getKey()) || t.getValue() == null || t.getValue().signum() < 0
                        || t.getValue().scale() > 2) {
                    throw new RuleViolationException("aid.rule.itemTier", t.getKey());
                }
            }
        }
        if (e.termsPerYear() < 1 || e.termsPerYear() > 2) {
            throw new RuleViolationException("aid.rule.itemTerms");
        }
        if (e.gradeFrom() != null && e.gradeTo() != null && e.gradeFrom() > e.gradeTo()) {
            throw new RuleViolationException("aid.rule.itemGrades");
        }
        if (e.effectiveFrom() == null || (e.effectiveTo() != null && e.effectiveTo().isBefore(e.effectiveFrom()))) {
            throw new RuleViolationException("aid.rule.itemDates");
        }
        if (e.notWith() != null && e.notWith().contains(e.code())) {
            throw new RuleViolationException("aid.rule.itemNotWithSelf");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    static String tiers(Map<String, BigDecimal> tiers) {
        if (tiers == null || tiers.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (String level : LEVELS) {
            BigDecimal v = tiers.get(level);
            if (v != null) {
                if (!sb.isEmpty()) {
                    sb.append(';');
                }
                sb.append(level).append('=').append(v.setScale(2).toPlainString());
            }
        }
        return sb.toString();
    }

    static Map<String, BigDecimal> parseTiers(String text) {
        Map<String, BigDecimal> out = new LinkedHashMap<>();
        if (text != null && !text.isBlank()) {
            for (String part : text.split(";")) {
                String[] kv = part.split("=");
                out.put(kv[0].strip(), new BigDecimal(kv[1].strip()).setScale(2));
            }
        }
        return out;
    }

    private static List<String> list(String csv) {
        return csv == null || csv.isBlank() ? List.of() : Arrays.stream(csv.split(",")).map(String::strip).toList();
    }

    static Item item(ResultSet rs, int n) throws SQLException {
        List<Stage> stages = new ArrayList<>();
        for (String s : list(rs.getString("stages"))) {
            stages.add(Stage.valueOf(s));
        }
        String categories = rs.getString("categories");
        Timestamp at = rs.getTimestamp("changed_at");
        Date to = rs.getDate("effective_to");
        return new Item(rs.getLong("id"), rs.getString("code"), rs.getInt("version"), rs.getBoolean("is_current"),
                rs.getInt("sort_order"), rs.getString("name"), stages, Kind.valueOf(rs.getString("kind")),
                rs.getString("scope_code"), list(rs.getString("sources")), rs.getString("min_level"),
                categories == null ? null : list(categories), Boarding.valueOf(rs.getString("boarding")),
                (Integer) rs.getObject("grade_from", Integer.class), (Integer) rs.getObject("grade_to", Integer.class),
                rs.getBoolean("in_county_only"), rs.getBigDecimal("amount").setScale(2),
                parseTiers(rs.getString("tiers")), rs.getInt("terms_per_year"), rs.getString("compat_group"),
                list(rs.getString("not_with")), rs.getDate("effective_from").toLocalDate(),
                to == null ? null : to.toLocalDate(), rs.getString("changed_by"),
                at == null ? null : at.toInstant(), rs.getString("note"));
    }

    static boolean effectiveOn(Item i, LocalDate day) {
        return !day.isBefore(i.effectiveFrom()) && (i.effectiveTo() == null || !day.isAfter(i.effectiveTo()));
    }
}
