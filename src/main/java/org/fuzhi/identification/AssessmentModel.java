package org.fuzhi.identification;

import java.util.List;

/**
 * 多维评估模型 — indicators with deprivation cut-offs and weights, a poverty cut-off {@code k} (a share of the
 * weighted indicators) and level bands (特别困难 / 困难 / 一般困难).
 *
 * @param k          poverty cut-off in (0, 1]: a record is poor when its weighted deprivation score reaches k
 * @param indicators the indicators; their weights are normalised to sum to 1
 * @param bands      levels for poor records, each with the lowest score it takes
 */
public record AssessmentModel(double k, List<Indicator> indicators, List<Band> bands) {

    /**
     * A record is deprived in the indicator when {@code value operator cutoff} holds, e.g. income {@code <} 4000,
     * or, when {@code expression} is given, when that expression of the indicator language holds
     * (e.g. {@code household.incomePerHead < 4000 and not household.housingSafe}).
     */
    public record Indicator(String code, String dimension, double weight, String attribute, Operator operator,
                            Object cutoff, String expression) {

        public Indicator(String code, String dimension, double weight, String attribute, Operator operator,
                         Object cutoff) {
            this(code, dimension, weight, attribute, operator, cutoff, null);
        }

        public static Indicator of(String code, String dimension, double weight, String expression) {
            return new Indicator(code, dimension, weight, null, null, null, expression);
        }
    }

    public record Band(String level, double min) {
    }

    /** The only comparisons an indicator may make: nothing a user types is ever executed as code. */
    public enum Operator {
        LT("<"), LE("<="), GT(">"), GE(">="), EQ("=="), NE("!=");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        public static Operator of(String symbol) {
            for (Operator o : values()) {
                if (o.symbol.equals(symbol)) {
                    return o;
                }
            }
            throw new IllegalArgumentException(symbol);
        }
    }
}
