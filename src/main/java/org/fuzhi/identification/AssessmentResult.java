package org.fuzhi.identification;

import java.util.List;
import java.util.Map;

/** The outcome of evaluating a model on a set of records, with Alkire–Foster aggregates. */
public record AssessmentResult(List<RecordResult> records, Aggregates aggregates, Map<String, Aggregates> byGroup) {

    /**
     * @param score    weighted deprivation score c_i in [0, 1]
     * @param deprived the codes of the indicators the record is deprived in
     * @param poor     whether c_i ≥ k
     * @param level    the band of a poor record, null otherwise
     */
    public record RecordResult(String id, double score, List<String> deprived, boolean poor, String level) {
    }

    /**
     * Alkire–Foster aggregates. {@code n} and {@code q} are weighted counts (a record stands for {@code weight}
     * people); {@code H = q/n}, {@code A} = average censored score of the poor, {@code M0 = H·A}.
     * {@code censoredHeadcount} is the share of the population that is poor and deprived in the indicator;
     * {@code contribution} is each indicator's share of M0 in percent (they add up to 100 when M0 > 0).
     */
    public record Aggregates(double n, double q, double H, double A, double M0, Map<String, Double> censoredHeadcount,
                             Map<String, Double> contribution) {
    }
}
