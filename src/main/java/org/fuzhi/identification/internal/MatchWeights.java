package org.fuzhi.identification.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fellegi–Sunter m and u probabilities per comparison field and agreement level, and the weights log2(m/u) they
 * give. The defaults come from typical roster error rates; {@link #estimate} re-estimates them from the candidate
 * pairs of a linkage run with the EM algorithm (conditional independence of the fields), and keeps the defaults
 * when the data cannot support an estimate.
 */
record MatchWeights(Map<String, Map<String, double[]>> mu, String source, double matchShare, int iterations) {

    /** Field → level → {m, u}. The first level of each field is its full agreement. */
    static final Map<String, Map<String, double[]>> DEFAULT_MU;

    static {
        Map<String, Map<String, double[]>> d = new LinkedHashMap<>();
        d.put("id", levels("NEAR", 0.9, 0.00001, "DIFFERENT", 0.06, 0.99999));
        // A different surname and a birth date a generation away are strong evidence of another person: a namesake
        // in the same village is never linked on the name alone (issue 10).
        d.put("name", levels("EXACT", 0.82, 0.002, "HOMOPHONE", 0.06, 0.001, "VARIANT_CHAR", 0.03, 0.0005,
                "SIMILAR", 0.03, 0.01, "DROPPED", 0.02, 0.001, "GIVEN_SWAPPED", 0.01, 0.0003,
                "SURNAME_DIFFERENT", 0.002, 0.6, "DIFFERENT", 0.028, 0.3852));
        d.put("birth", levels("EXACT", 0.90, 0.3, "VARIANT", 0.07, 0.15, "DIFFERENT", 0.028, 0.35,
                "FAR", 0.002, 0.2));
        d.put("gender", levels("AGREE", 0.98, 0.5, "DIFFERENT", 0.02, 0.5));
        d.put("village", levels("SAME", 0.85, 0.02, "TOWNSHIP", 0.1, 0.08, "DIFFERENT", 0.05, 0.9));
        d.put("household", levels("SAME_HOUSEHOLD", 0.85, 0.01, "DIFFERENT", 0.15, 0.99));
        DEFAULT_MU = d;
    }

    static final MatchWeights DEFAULT = new MatchWeights(DEFAULT_MU, "DEFAULT", Double.NaN, 0);

    private static Map<String, double[]> levels(Object... v) {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (int i = 0; i < v.length; i += 3) {
            m.put((String) v[i], new double[]{(Double) v[i + 1], (Double) v[i + 2]});
        }
        return m;
    }

    /**
     * Levels that are evidence against a match whatever a run's data suggest: EM over one roster's candidate pairs
     * can turn them positive (a roster full of a parent's ID numbers makes "different ID" common among true
     * matches), and then a namesake of another generation or an unregistered twin is linked. Their weight is never
     * above the default's.
     */
    static final Set<String> AGAINST = Set.of("id.DIFFERENT", "name.SURNAME_DIFFERENT",
            "name.DIFFERENT", "birth.DIFFERENT", "birth.FAR", "gender.DIFFERENT", "village.DIFFERENT",
            "household.DIFFERENT");

    double weight(String field, String level) {
        double w = raw(mu, field, level);
        if (AGAINST.contains(field + "." + level)) {
            w = Math.min(w, raw(DEFAULT_MU, field, level));
        }
        return w;
    }

    private static double raw(Map<String, Map<String, double[]>> mu, String field, String level) {
        double[] p = mu.get(field).get(level);
        return Math.max(-20, Math.min(20, Math.log(p[0] / p[1]) / Math.log(2)));
    }

    /** Agreement patterns of candidate pairs (field → level; a field missing on either side is left out). */
    static final class Patterns {
        final Map<Map<String, String>, long[]> counts = new HashMap<>();
        long pairs;

        void add(Map<String, String> pattern) {
            counts.computeIfAbsent(pattern, k -> new long[1])[0]++;
            pairs++;
        }
    }

    static final int MIN_PAIRS = 200;
    static final double PRIOR_PAIRS = 500;
    private static final int MAX_ITERATIONS = 200;

    /**
     * EM from the default values. Falls back to {@link #DEFAULT} with too few pairs, a degenerate share of matches,
     * or when a field's full agreement would come out as evidence against a match.
     */
    static MatchWeights estimate(Patterns patterns) {
        if (patterns.pairs < MIN_PAIRS) {
            return DEFAULT;
        }
        Map<String, Map<String, double[]>> mu = copy(DEFAULT_MU);
        List<Map<String, String>> keys = new ArrayList<>(patterns.counts.keySet());
        double[] c = new double[keys.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = patterns.counts.get(keys.get(i))[0];
        }
        double p = 0.05;
        int it = 0;
        for (; it < MAX_ITERATIONS; it++) {
            double[] g = new double[keys.size()];
            double matched = 0;
            double total = 0;
            for (int i = 0; i < keys.size(); i++) {
                double pm = p;
                double pu = 1 - p;
                for (var e : keys.get(i).entrySet()) {
                    double[] v = mu.get(e.getKey()).get(e.getValue());
                    pm *= v[0];
                    pu *= v[1];
                }
                g[i] = pm / (pm + pu);
                matched += c[i] * g[i];
                total += c[i];
            }
            Map<String, Map<String, double[]>> next = copy(DEFAULT_MU);
            for (var field : next.entrySet()) {
                double mSum = 0;
                double uSum = 0;
                Map<String, double[]> acc = new HashMap<>();
                for (int i = 0; i < keys.size(); i++) {
                    String level = keys.get(i).get(field.getKey());
                    if (level == null) {
                        continue;
                    }
                    double[] a = acc.computeIfAbsent(level, k -> new double[2]);
                    a[0] += c[i] * g[i];
                    a[1] += c[i] * (1 - g[i]);
                    mSum += c[i] * g[i];
                    uSum += c[i] * (1 - g[i]);
                }
                for (var level : field.getValue().entrySet()) {
                    double[] a = acc.getOrDefault(level.getKey(), new double[2]);
                    double[] prior = DEFAULT_MU.get(field.getKey()).get(level.getKey());
                    // The defaults weigh as PRIOR_PAIRS pairs: a level a county's data never shows among matches
                    // (a parent's ID on the roster, a child registered in another village) keeps a plausible
                    // weight instead of ruling the pair out.
                    level.getValue()[0] = (a[0] + PRIOR_PAIRS * prior[0]) / (mSum + PRIOR_PAIRS);
                    level.getValue()[1] = (a[1] + PRIOR_PAIRS * prior[1]) / (uSum + PRIOR_PAIRS);
                }
            }
            double nextP = matched / total;
            double change = Math.abs(nextP - p);
            mu = next;
            p = nextP;
            if (change < 1e-7) {
                it++;
                break;
            }
        }
        if (!(p > 1e-4 && p < 0.5)) {
            return DEFAULT;
        }
        for (var field : mu.entrySet()) {
            double[] full = field.getValue().values().iterator().next();
            if (full[0] <= full[1]) {
                return DEFAULT;
            }
        }
        return new MatchWeights(mu, "ESTIMATED", p, it);
    }

    private static Map<String, Map<String, double[]>> copy(Map<String, Map<String, double[]>> src) {
        Map<String, Map<String, double[]>> out = new LinkedHashMap<>();
        src.forEach((f, levels) -> {
            Map<String, double[]> l = new LinkedHashMap<>();
            levels.forEach((k, v) -> l.put(k, v.clone()));
            out.put(f, l);
        });
        return out;
    }
}
