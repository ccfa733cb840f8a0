package org.fuzhi.common;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An amount of 人民币 in whole 分 (fen). Exact: no floating point anywhere money is added, split or compared, so
 * parts always add up to the whole and a ledger balances to the fen.
 */
public record Money(long fen) implements Comparable<Money> {

    public static final Money ZERO = new Money(0);
    private static final Pattern DECIMAL = Pattern.compile("-?\\d{1,13}(\\.\\d{1,2})?");

    /** Whole 元. */
    public static Money yuan(long yuan) {
        return new Money(Math.multiplyExact(yuan, 100));
    }

    /**
     * Parses a decimal amount in 元 with at most two decimals ("2300", "1150.5", "0.01").
     *
     * @throws IllegalArgumentException when it is not such a number (a third decimal would be a fraction of a fen)
     */
    public static Money parse(String text) {
        if (text == null || !DECIMAL.matcher(text.strip()).matches()) {
            throw new IllegalArgumentException("not an amount: " + text);
        }
        return new Money(new BigDecimal(text.strip()).movePointRight(2).longValueExact());
    }

    public static Money of(BigDecimal yuan) {
        return new Money(yuan.setScale(2, RoundingMode.UNNECESSARY).movePointRight(2).longValueExact());
    }

    public BigDecimal toBigDecimal() {
        return BigDecimal.valueOf(fen, 2);
    }

    public Money plus(Money other) {
        return new Money(Math.addExact(fen, other.fen));
    }

    public Money minus(Money other) {
        return new Money(Math.subtractExact(fen, other.fen));
    }

    public Money min(Money other) {
        return fen <= other.fen ? this : other;
    }

    public boolean isNegative() {
        return fen < 0;
    }

    public boolean isZero() {
        return fen == 0;
    }

    public boolean isPositive() {
        return fen > 0;
    }

    /**
     * Splits this amount into parts proportional to {@code weights} by the largest remainder method: each part
     * gets its share rounded down to the fen, and the fen left over go one each to the parts whose shares lost
     * most in the rounding (ties to the earlier part). The parts add up to this amount exactly.
     */
    public List<Money> split(long... weights) {
        if (weights.length == 0) {
            throw new IllegalArgumentException("no parts");
        }
        long total = 0;
        for (long w : weights) {
            if (w < 0) {
                throw new IllegalArgumentException("negative weight");
            }
            total = Math.addExact(total, w);
        }
        if (total == 0) {
            throw new IllegalArgumentException("weights add up to zero");
        }
        long[] parts = new long[weights.length];
        BigDecimal[] remainders = new BigDecimal[weights.length];
        long given = 0;
        BigDecimal whole = BigDecimal.valueOf(fen);
        for (int i = 0; i < weights.length; i++) {
            BigDecimal[] qr = whole.multiply(BigDecimal.valueOf(weights[i]))
                    .divideAndRemainder(BigDecimal.valueOf(total));
            // divideAndRemainder truncates toward zero; for a negative amount step down so the remainder is >= 0
            long q = qr[0].longValueExact();
            BigDecimal r = qr[1];
            if (r.signum() < 0) {
                q -= 1;
                r = r.add(BigDecimal.valueOf(total));
            }
            parts[i] = q;
            remainders[i] = r;
            given += q;
        }
        long left = fen - given;
        Integer[] order = new Integer[weights.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparing((Integer i) -> remainders[i]).reversed()
                .thenComparing(Comparator.naturalOrder()));
        for (int k = 0; k < left; k++) {
            parts[order[k % order.length]] += 1;
        }
        List<Money> out = new ArrayList<>(parts.length);
        for (long p : parts) {
            out.add(new Money(p));
        }
        return out;
    }

    /** Equal parts (a yearly amount over the terms of the year). */
    public List<Money> splitEvenly(int parts) {
        long[] w = new long[parts];
        Arrays.fill(w, 1);
        return split(w);
    }

    @Override
    public int compareTo(Money o) {
        return Long.compare(fen, o.fen);
    }

    /** "2300.00": the form of files, APIs and the ledger. */
    @Override
    public String toString() {
        return toBigDecimal().toPlainString();
    }
}
