package org.fuzhi.identification.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fuzhi.identification.Assessment;
import org.fuzhi.identification.AssessmentModel;
import org.fuzhi.identification.AssessmentModel.Indicator;
import org.fuzhi.identification.AssessmentModel.Operator;
import org.fuzhi.identification.AssessmentResult;
import org.fuzhi.identification.AssessmentResult.Aggregates;
import org.fuzhi.identification.AssessmentResult.RecordResult;
import org.springframework.stereotype.Service;

/**
 * The Alkire–Foster method (Alkire &amp; Foster 2011): dual cut-offs, weighted deprivation scores, adjusted
 * headcount ratio M0 = H·A, censored headcounts and indicator contributions, decomposable by subgroup.
 */
@Service
class AlkireFoster implements Assessment {

    /** Scores are compared to k with a tolerance, so 1/3 + 1/3 + 1/3 reaches k = 1 despite rounding. */
    private static final double EPS = 1e-9;

    @Override
    public AssessmentResult evaluate(AssessmentModel model, List<Subject> records) {
        validate(model, records);
        Set<String> attributes = new HashSet<>();
        records.forEach(r -> attributes.addAll(r.values().keySet()));
        Expression[] expressions = compile(model, attributes);
        double totalWeight = model.indicators().stream().mapToDouble(Indicator::weight).sum();
        List<Indicator> indicators = model.indicators();
        double[] w = indicators.stream().mapToDouble(i -> i.weight() / totalWeight).toArray();
        List<AssessmentModel.Band> bands = new ArrayList<>(model.bands() == null ? List.of() : model.bands());
        bands.sort(Comparator.comparingDouble(AssessmentModel.Band::min).reversed());

        List<RecordResult> results = new ArrayList<>(records.size());
        Map<String, Acc> groups = new LinkedHashMap<>();
        Acc all = new Acc(indicators.size());
        for (int r = 0; r < records.size(); r++) {
            Subject s = records.get(r);
            boolean[] deprived = new boolean[indicators.size()];
            double score = 0;
            List<String> codes = new ArrayList<>();
            for (int j = 0; j < indicators.size(); j++) {
                Indicator ind = indicators.get(j);
                deprived[j] = expressions[j] != null ? test(expressions[j], s, r, ind)
                        : isDeprived(ind, s.values().get(ind.attribute()), r);
                if (deprived[j]) {
                    score += w[j];
                    codes.add(ind.code());
                }
            }
            boolean poor = score + EPS >= model.k();
            String level = null;
            if (poor) {
                for (AssessmentModel.Band b : bands) {
                    if (score + EPS >= b.min()) {
                        level = b.level();
                        break;
                    }
                }
            }
            results.add(new RecordResult(s.id(), round(score), codes, poor, level));
            double weight = weightOf(s);
            all.add(weight, poor, score, deprived);
            if (s.group() != null && !s.group().isBlank()) {
                groups.computeIfAbsent(s.group(), g -> new Acc(indicators.size())).add(weight, poor, score, deprived);
            }
        }
        Map<String, Aggregates> byGroup = new LinkedHashMap<>();
        groups.forEach((g, acc) -> byGroup.put(g, acc.aggregates(indicators, w)));
        return new AssessmentResult(results, all.aggregates(indicators, w), byGroup);
    }

    /**
     * Scores one record at a time, for callers that stream a population and keep only what they need (an
     * identification round keeps its entries, not every student). Same rules and results as {@link #evaluate}.
     */
    final class Scorer {
        private final AssessmentModel model;
        private final Expression[] expressions;
        private final double[] w;
        private final List<AssessmentModel.Band> bands;
        private int record;

        private Scorer(AssessmentModel model, Set<String> attributes) {
            validate(model, List.of());
            this.model = model;
            this.expressions = compile(model, attributes);
            double total = model.indicators().stream().mapToDouble(Indicator::weight).sum();
            this.w = model.indicators().stream().mapToDouble(i -> i.weight() / total).toArray();
            this.bands = new ArrayList<>(model.bands() == null ? List.of() : model.bands());
            bands.sort(Comparator.comparingDouble(AssessmentModel.Band::min).reversed());
        }

        RecordResult score(Subject s) {
            List<Indicator> indicators = model.indicators();
            double score = 0;
            List<String> codes = new ArrayList<>();
            for (int j = 0; j < indicators.size(); j++) {
                Indicator ind = indicators.get(j);
                boolean deprived = expressions[j] != null ? test(expressions[j], s, record, ind)
                        : isDeprived(ind, s.values().get(ind.attribute()), record);
                if (deprived) {
                    score += w[j];
                    codes.add(ind.code());
                }
            }
            record++;
            boolean poor = score + EPS >= model.k();
            String level = null;
            if (poor) {
                for (AssessmentModel.Band b : bands) {
                    if (score + EPS >= b.min()) {
                        level = b.level();
                        break;
                    }
                }
            }
            return new RecordResult(s.id(), round(score), codes, poor, level);
        }
    }

    Scorer scorer(AssessmentModel model, Set<String> attributes) {
        return new Scorer(model, attributes);
    }

    /** Checks a model before it is stored: every rule of {@link #evaluate}, with the given attributes known. */
    void check(AssessmentModel model, Set<String> attributes) {
        validate(model, List.of());
        compile(model, attributes);
    }

    /** Ten decimals: enough for any report, and 49.99999999999999 reads as 50. */
    static double round(double x) {
        return Math.round(x * 1e10) / 1e10;
    }

    private static double weightOf(Subject s) {
        return s.weight();
    }

    /** Running sums for one population: n, q, the censored score sum and censored deprivation counts. */
    private static final class Acc {
        double n;
        double q;
        double censoredScore;
        final double[] censored;

        Acc(int indicators) {
            censored = new double[indicators];
        }

        void add(double weight, boolean poor, double score, boolean[] deprived) {
            n += weight;
            if (poor) {
                q += weight;
                censoredScore += weight * score;
                for (int j = 0; j < deprived.length; j++) {
                    if (deprived[j]) {
                        censored[j] += weight;
                    }
                }
            }
        }

        Aggregates aggregates(List<Indicator> indicators, double[] w) {
            double h = n == 0 ? 0 : q / n;
            double a = q == 0 ? 0 : censoredScore / q;
            double m0 = n == 0 ? 0 : censoredScore / n;
            Map<String, Double> headcount = new LinkedHashMap<>();
            Map<String, Double> contribution = new LinkedHashMap<>();
            for (int j = 0; j < indicators.size(); j++) {
                double hj = n == 0 ? 0 : censored[j] / n;
                headcount.put(indicators.get(j).code(), round(hj));
                contribution.put(indicators.get(j).code(), m0 == 0 ? 0 : round(100 * w[j] * hj / m0));
            }
            return new Aggregates(n, q, round(h), round(a), round(m0), headcount, contribution);
        }
    }

    private static Expression[] compile(AssessmentModel model, Set<String> attributes) {
        Expression[] out = new Expression[model.indicators().size()];
        for (int j = 0; j < out.length; j++) {
            String source = model.indicators().get(j).expression();
            if (source != null && !source.isBlank()) {
                try {
                    out[j] = Expression.compile(source, attributes);
                } catch (Expression.SyntaxException e) {
                    throw new Assessment.InvalidModelException("model.indicators[" + j + "].expression", e.messageKey,
                            e.position + 1, e.detail == null ? "" : e.detail);
                }
            }
        }
        return out;
    }

    private static boolean test(Expression e, Subject s, int record, Indicator ind) {
        try {
            return e.test(s.values());
        } catch (Expression.EvaluationException ex) {
            throw new Assessment.InvalidModelException("records[" + record + "]", ex.messageKey, ind.code(),
                    ex.detail == null ? "" : ex.detail);
        }
    }

    private static boolean isDeprived(Indicator ind, Object value, int record) {
        if (value == null) {
            throw new Assessment.InvalidModelException("records[" + record + "].values." + ind.attribute(),
                    "assessment.rule.missingValue", ind.attribute());
        }
        Operator op = ind.operator();
        BigDecimal v = number(value);
        BigDecimal c = number(ind.cutoff());
        if (op == Operator.LT || op == Operator.LE || op == Operator.GT || op == Operator.GE) {
            if (v == null) {
                throw new Assessment.InvalidModelException("records[" + record + "].values." + ind.attribute(),
                        "assessment.rule.notNumber", ind.attribute());
            }
            int cmp = v.compareTo(c);
            return switch (op) {
                case LT -> cmp < 0;
                case LE -> cmp <= 0;
                case GT -> cmp > 0;
                default -> cmp >= 0;
            };
        }
        boolean equal = v != null && c != null ? v.compareTo(c) == 0
                : String.valueOf(value).strip().equalsIgnoreCase(String.valueOf(ind.cutoff()).strip());
        return op == Operator.EQ ? equal : !equal;
    }

    /** Numbers (and numeric text) compare as decimals; booleans and other text do not. */
    private static BigDecimal number(Object o) {
        if (o instanceof Number n) {
            return new BigDecimal(n.toString());
        }
        if (o instanceof String s) {
            try {
                return new BigDecimal(s.strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static void validate(AssessmentModel model, List<Subject> records) {
        if (model == null) {
            throw new Assessment.InvalidModelException("model", "assessment.rule.required");
        }
        if (!(model.k() > 0 && model.k() <= 1)) {
            throw new Assessment.InvalidModelException("model.k", "assessment.rule.k");
        }
        if (model.indicators() == null || model.indicators().isEmpty()) {
            throw new Assessment.InvalidModelException("model.indicators", "assessment.rule.noIndicators");
        }
        Set<String> codes = new HashSet<>();
        for (int j = 0; j < model.indicators().size(); j++) {
            Indicator ind = model.indicators().get(j);
            String path = "model.indicators[" + j + "]";
            if (ind.code() == null || ind.code().isBlank()) {
                throw new Assessment.InvalidModelException(path + ".code", "assessment.rule.required");
            }
            if (!codes.add(ind.code())) {
                throw new Assessment.InvalidModelException(path + ".code", "assessment.rule.duplicateCode", ind.code());
            }
            if (!(ind.weight() > 0) || Double.isInfinite(ind.weight())) {
                throw new Assessment.InvalidModelException(path + ".weight", "assessment.rule.weight");
            }
            if (ind.expression() != null && !ind.expression().isBlank()) {
                continue;
            }
            if (ind.attribute() == null || !ind.attribute().matches("[A-Za-z][A-Za-z0-9_.]{0,63}")) {
                throw new Assessment.InvalidModelException(path + ".attribute", "assessment.rule.attribute");
            }
            if (ind.operator() == null) {
                throw new Assessment.InvalidModelException(path + ".operator", "assessment.rule.operator");
            }
            if (ind.cutoff() == null) {
                throw new Assessment.InvalidModelException(path + ".cutoff", "assessment.rule.required");
            }
            boolean ordering = ind.operator() != Operator.EQ && ind.operator() != Operator.NE;
            if (ordering && number(ind.cutoff()) == null) {
                throw new Assessment.InvalidModelException(path + ".cutoff", "assessment.rule.cutoffNumber");
            }
        }
        if (model.bands() != null) {
            for (int b = 0; b < model.bands().size(); b++) {
                var band = model.bands().get(b);
                if (band.level() == null || band.level().isBlank() || !(band.min() > 0 && band.min() <= 1)) {
                    throw new Assessment.InvalidModelException("model.bands[" + b + "]", "assessment.rule.band");
                }
            }
        }
        if (records == null) {
            throw new Assessment.InvalidModelException("records", "assessment.rule.required");
        }
        for (int r = 0; r < records.size(); r++) {
            Subject s = records.get(r);
            if (s.values() == null) {
                throw new Assessment.InvalidModelException("records[" + r + "].values", "assessment.rule.required");
            }
            if (!(s.weight() > 0) || Double.isInfinite(s.weight())) {
                throw new Assessment.InvalidModelException("records[" + r + "].weight", "assessment.rule.recordWeight");
            }
        }
    }
}
