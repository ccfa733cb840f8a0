package org.fuzhi.identification.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.fuzhi.common.Stage;
import org.fuzhi.identification.Assessment;
import org.fuzhi.identification.AssessmentModel;
import org.fuzhi.identification.LiveEvaluation;
import org.fuzhi.identification.Models;
import org.fuzhi.identification.SourceList;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.StaleEditException;
import org.fuzhi.registry.PovertyCategory;
import org.fuzhi.registry.Registry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.MessageSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

@Service
class ModelStore implements Models {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What an indicator may read: the registry's attributes and the other departments' lists. */
    static final Set<String> ATTRIBUTES;

    static {
        Set<String> all = new TreeSet<>(Registry.ASSESSMENT_ATTRIBUTES);
        all.addAll(SourceList.ATTRIBUTES);
        ATTRIBUTES = Collections.unmodifiableSet(all);
    }

    private final JdbcClient jdbc;
    private final AlkireFoster engine;
    private final AuditLog audit;
    private final ObjectProvider<LiveAssessment> live;
    private volatile ModelVersion current;

    private final TransactionTemplate ownTransaction;

    private final MessageSource messages;

    ModelStore(JdbcClient jdbc, AlkireFoster engine, AuditLog audit, ObjectProvider<LiveAssessment> live,
               PlatformTransactionManager transactions,
               MessageSource messages) {
        this.messages = messages;
        // The first reader may be inside a read-only transaction (a production database's first model list):
        // the shipped default is stored in a transaction of its own.
        this.ownTransaction = new TransactionTemplate(transactions);
        this.ownTransaction.setPropagationBehavior(
                TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.jdbc = jdbc;
        this.engine = engine;
        this.audit = audit;
        this.live = live;
    }

    /** The shipped default model file: JSON with indicators written in the indicator language. */
    record ModelFile(String version, String name, double k, List<AssessmentModel.Band> bands,
                     List<IndicatorDef> indicators, List<Cost> costs) {
    }

    static ModelFile shipped() {
        try (InputStream in = ModelStore.class.getResourceAsStream("/identification/default-model.json")) {
            return JSON.readValue(in, ModelFile.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static AssessmentModel toModel(Definition d) {
        var indicators = d.indicators().stream()
                .map(i -> AssessmentModel.Indicator.of(i.code(), i.dimension(), i.weight(), i.expression())).toList();
        return new AssessmentModel(d.k(), indicators, d.bands());
    }

    private ModelVersion row(ResultSet rs) throws SQLException {
        Timestamp published = rs.getTimestamp("published_at");
        return new ModelVersion(rs.getLong("id"), rs.getString("version"), rs.getString("name"),
                Status.valueOf(rs.getString("status")), JSON.readValue(rs.getString("definition"), Definition.class),
                rs.getString("based_on"), rs.getString("created_by"), rs.getTimestamp("created_at").toInstant(),
                published == null ? null : published.toInstant(), rs.getInt("lock_version"));
    }

    @Override
    public Set<String> attributes() {
        return ATTRIBUTES;
    }

    @Override
    public List<AssessmentModel.Band> bands(String version) {
        return jdbc.sql("SELECT definition FROM assessment_model WHERE version = :v").param("v", version)
                .query(String.class).optional()
                .map(d -> JSON.readValue(d, Definition.class).bands().stream()
                        .sorted(Comparator.comparingDouble(AssessmentModel.Band::min).reversed()).toList())
                .orElse(List.of());
    }

    @Override
    public String readBack(String expression, Locale locale) {
        return RuleSentence.of(expression, messages, locale);
    }

    private static final Set<String> NUMBERS = Set.of("household.incomePerHead", "household.members", "student.grade");
    private static final Map<String, List<String>> CATEGORIES = Map.of(
            "household.category", Arrays.stream(PovertyCategory.values()).map(Enum::name).toList(),
            "student.stage", Arrays.stream(Stage.values()).map(Enum::name).toList());

    @Override
    public AttributeKind kindOf(String attribute) {
        return NUMBERS.contains(attribute) ? AttributeKind.NUMBER
                : CATEGORIES.containsKey(attribute) ? AttributeKind.CATEGORY : AttributeKind.YES_NO;
    }

    @Override
    public List<String> categories(String attribute) {
        return CATEGORIES.getOrDefault(attribute, List.of());
    }

    @Override
    public Optional<SimpleRule> simpleRule(String expression) {
        return RuleSentence.simple(expression);
    }

    @Override
    public String expressionOf(SimpleRule rule, int indicatorNo) {
        String a = rule.attribute();
        if (a == null || !ATTRIBUTES.contains(a)) {
            throw new RuleViolationException("model.form.attribute", indicatorNo);
        }
        String op = rule.op() == null ? "" : rule.op();
        switch (kindOf(a)) {
            case NUMBER -> {
                String sql = Map.of("lt", "<", "le", "<=", "gt", ">", "ge", ">=", "eq", "==", "ne", "!=").get(op);
                if (sql == null) {
                    throw new RuleViolationException("model.form.numberOp", indicatorNo);
                }
                BigDecimal v;
                try {
                    v = new BigDecimal(rule.value() == null ? "" : rule.value().strip());
                } catch (NumberFormatException e) {
                    throw new RuleViolationException("model.form.number", indicatorNo);
                }
                // A missing figure is not "below 6000": the form writes the guard the shipped model uses.
                return a + " != null and " + a + " " + sql + " " + v.toPlainString();
            }
            case YES_NO -> {
                if (!op.equals("yes") && !op.equals("no")) {
                    throw new RuleViolationException("model.form.yesNoOp", indicatorNo);
                }
                return a + " == " + (op.equals("yes") ? "true" : "false");
            }
            default -> {
                List<String> ticked = rule.values() == null ? List.of()
                        : rule.values().stream().filter(categories(a)::contains).distinct().toList();
                if (!op.equals("in") || ticked.isEmpty()) {
                    throw new RuleViolationException("model.form.categories", indicatorNo);
                }
                return a + " in (" + String.join(", ", ticked.stream().map(c -> "'" + c + "'").toList()) + ")";
            }
        }
    }

    /**
     * The published version. The cached one is checked against the database on each call (one indexed look-up of
     * the published row's id and lock version): a model published on another instance is the one this instance
     * scores with from its next round on, not after a restart.
     */
    @Override
    public ModelVersion current() {
        ModelVersion c = current;
        if (c != null) {
            var stamp = jdbc.sql("SELECT id, lock_version FROM assessment_model WHERE status = 'PUBLISHED'")
                    .query((rs, n) -> new long[]{rs.getLong(1), rs.getInt(2)}).optional();
            if (stamp.isEmpty() || stamp.get()[0] != c.id() || stamp.get()[1] != c.lockVersion()) {
                c = null;
            }
        }
        if (c == null) {
            c = loadCurrent();
            current = c;
        }
        return c;
    }

    private synchronized ModelVersion loadCurrent() {
        var found = jdbc.sql("SELECT * FROM assessment_model WHERE status = 'PUBLISHED'").query((rs, n) -> row(rs))
                .optional();
        if (found.isPresent()) {
            return found.get();
        }
        // First start: the shipped default becomes the published version, so rounds always name a stored version.
        ModelFile f = shipped();
        Definition d = new Definition(f.name(), f.k(), f.bands(), f.indicators(), f.costs());
        return ownTransaction.execute(st -> {
            jdbc.sql("""
                    INSERT INTO assessment_model (version, name, status, definition, created_by, created_at, published_at)
                    VALUES (:v, :n, 'PUBLISHED', :d, 'system', :now, :now)""")
                    .param("v", f.version()).param("n", f.name()).param("d", JSON.writeValueAsString(d))
                    .param("now", Timestamp.from(Instant.now())).update();
            return jdbc.sql("SELECT * FROM assessment_model WHERE status = 'PUBLISHED'").query((rs, n) -> row(rs))
                    .single();
        });
    }

    private static void requireReader(CurrentUser user) {
        user.require(user.role() == Role.CENTER || user.role() == Role.LEADER || user.role() == Role.EVALUATOR);
    }

    @Override
    @Transactional(readOnly = true)
    public List<ModelVersion> list(CurrentUser user) {
        requireReader(user);
        current();
        return jdbc.sql("SELECT * FROM assessment_model ORDER BY id DESC").query((rs, n) -> row(rs)).list();
    }

    @Override
    @Transactional(readOnly = true)
    public ModelVersion get(CurrentUser user, long id) {
        requireReader(user);
        return find(id);
    }

    private ModelVersion find(long id) {
        return jdbc.sql("SELECT * FROM assessment_model WHERE id = :id").param("id", id).query((rs, n) -> row(rs))
                .optional().orElseThrow(() -> new NotFoundException("model"));
    }

    @Override
    @Transactional
    public ModelVersion newDraft(CurrentUser user, long fromId) {
        user.require(user.role() == Role.CENTER);
        ModelVersion from = find(fromId);
        String version = nextVersion();
        jdbc.sql("""
                INSERT INTO assessment_model (version, name, status, definition, based_on, created_by, created_at)
                VALUES (:v, :n, 'DRAFT', :d, :b, :u, :now)""")
                .param("v", version).param("n", from.name()).param("d", JSON.writeValueAsString(from.definition()))
                .param("b", from.version()).param("u", user.username()).param("now", Timestamp.from(Instant.now()))
                .update();
        long id = jdbc.sql("SELECT id FROM assessment_model WHERE version = :v").param("v", version)
                .query(Long.class).single();
        audit.record("MODEL_DRAFT", "assessment-model", version, Map.of("basedOn", from.version()));
        return find(id);
    }

    /** Year-based labels: 2026.1, 2026.2 … so a round's model version says when it was written. */
    private String nextVersion() {
        String year = String.valueOf(LocalDate.now(RoundService.ZONE).getYear());
        int max = 0;
        for (String v : jdbc.sql("SELECT version FROM assessment_model WHERE version LIKE :p")
                .param("p", year + ".%").query(String.class).list()) {
            try {
                max = Math.max(max, Integer.parseInt(v.substring(year.length() + 1)));
            } catch (NumberFormatException e) {
                // a hand-made label; keep counting from the numeric ones
            }
        }
        return year + "." + (max + 1);
    }

    @Override
    @Transactional
    public ModelVersion saveDraft(CurrentUser user, long id, int lockVersion, Definition d) {
        user.require(user.role() == Role.CENTER);
        ModelVersion m = find(id);
        if (m.status() != Status.DRAFT) {
            throw new RuleViolationException("model.rule.notDraft");
        }
        validate(d);
        int n = jdbc.sql("""
                UPDATE assessment_model SET name = :n, definition = :d, lock_version = lock_version + 1
                WHERE id = :id AND lock_version = :l AND status = 'DRAFT'""")
                .param("n", d.name()).param("d", JSON.writeValueAsString(d)).param("id", id).param("l", lockVersion)
                .update();
        if (n == 0) {
            throw new StaleEditException("model");
        }
        audit.record("MODEL_SAVE", "assessment-model", m.version(), Map.of("indicators", d.indicators().size(),
                "k", d.k()));
        return find(id);
    }

    /** The rules a model must keep before it is saved; the field names the form row and column. */
    void validate(Definition d) {
        if (d.name() == null || d.name().isBlank() || d.name().length() > 200) {
            throw new Assessment.InvalidModelException("model.name", "assessment.rule.required");
        }
        engine.check(toModel(d), ATTRIBUTES);
        // Every student at or above k must land in a level, or the round would list hardship with no level.
        double lowest = d.bands().stream().mapToDouble(AssessmentModel.Band::min).min().orElse(0);
        if (lowest > d.k() + 1e-9) {
            throw new Assessment.InvalidModelException("model.bands", "model.rule.bandAboveK");
        }
        Set<String> levels = new HashSet<>();
        d.bands().forEach(b -> levels.add(b.level()));
        Set<String> stages = new HashSet<>();
        for (Stage s : Stage.values()) {
            stages.add(s.statGroup().name());
        }
        List<Cost> costs = d.costs() == null ? List.of() : d.costs();
        for (int i = 0; i < costs.size(); i++) {
            Cost c = costs.get(i);
            String path = "model.costs[" + i + "]";
            if (!stages.contains(c.stage())) {
                throw new Assessment.InvalidModelException(path + ".stage", "model.rule.costStage");
            }
            if (!levels.contains(c.level())) {
                throw new Assessment.InvalidModelException(path + ".level", "model.rule.costLevel");
            }
            if (c.amount() == null || c.amount().signum() < 0 || c.amount().compareTo(new BigDecimal("1000000")) > 0) {
                throw new Assessment.InvalidModelException(path + ".amount", "model.rule.costAmount");
            }
        }
    }

    @Override
    @Transactional
    public ModelVersion publish(CurrentUser user, long id, int lockVersion) {
        user.require(user.role() == Role.CENTER);
        ModelVersion m = find(id);
        if (m.status() != Status.DRAFT) {
            throw new RuleViolationException("model.rule.notDraft");
        }
        validate(m.definition());
        ModelVersion before = current();
        int n = jdbc.sql("""
                UPDATE assessment_model SET status = 'PUBLISHED', published_at = :now, lock_version = lock_version + 1
                WHERE id = :id AND lock_version = :l AND status = 'DRAFT'""")
                .param("now", Timestamp.from(Instant.now())).param("id", id).param("l", lockVersion).update();
        if (n == 0) {
            throw new StaleEditException("model");
        }
        jdbc.sql("UPDATE assessment_model SET status = 'RETIRED' WHERE status = 'PUBLISHED' AND id <> :id")
                .param("id", id).update();
        current = null;
        audit.record("MODEL_PUBLISH", "assessment-model", m.version(), Map.of("replaces", before.version()));
        return find(id);
    }

    @Override
    @Transactional
    public LiveEvaluation.Result whatIf(CurrentUser user, long draftId) {
        requireReader(user);
        ModelVersion draft = find(draftId);
        return live.getObject().evaluate(user, toModel(draft.definition()), draft.definition().costs());
    }
}
