package org.fuzhi.identification.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The expression language at its edges: how deep and long an expression may be, where an error is reported, and how
 * values of different kinds compare. A clerk sees these as the message under the model's advanced view.
 */
class ExpressionLimitsTest {

    private static final Set<String> ATTRS = Set.of("household.incomePerHead", "household.members",
            "household.category", "student.disability");

    private static Object eval(String expr, Map<String, ?> values) {
        return Expression.compile(expr, ATTRS).evaluate(values);
    }

    private static boolean holds(String expr) {
        return Expression.compile(expr, ATTRS).test(Map.of());
    }

    private static Expression.SyntaxException syntax(String expr) {
        try {
            Expression.compile(expr, ATTRS);
        } catch (Expression.SyntaxException e) {
            return e;
        }
        throw new AssertionError("compiled: " + expr);
    }

    @Test
    void fourParenthesesDeepIsAllowedAndFiveIsNot() {
        assertThat(holds("((((1 > 0))))")).isTrue();
        Expression.SyntaxException e = syntax("(((((1 > 0)))))");
        assertThat(e.messageKey).isEqualTo("expression.tooDeep");
        assertThat(e.position).isEqualTo(5); // at the first token inside the fifth parenthesis
    }

    @Test
    void theDepthLimitCountsEveryNegationToo() {
        // Inside four parentheses two negations still fit exactly at the limit; a third is one level too deep.
        assertThat(holds("((((not not true))))")).isTrue();
        assertThat(syntax("((((not not not true))))").messageKey).isEqualTo("expression.tooDeep");
        assertThat(holds("((((! ! true))))")).isTrue();
        assertThat(eval("((((- - 3))))", Map.of())).isEqualTo(new BigDecimal("3"));
        assertThat(syntax("((((- - - 3))))").messageKey).isEqualTo("expression.tooDeep");
    }

    @Test
    void andOrAndArithmeticChainsDoNotDeepen() {
        assertThat(holds("((((true and true and true or false))))")).isTrue();
        assertThat(holds("((((1 + 1 + 1 - 1 == 2))))")).isTrue();
        assertThat(holds("((((2 * 3 * 4 / 2 == 12))))")).isTrue();
        assertThat(holds("((((1 in (1, 2)))))")).isTrue();
    }

    @Test
    void aThousandCharactersIsTheLongestExpression() {
        String padded = "1 == 1" + " ".repeat(Expression.MAX_LENGTH - 6);
        assertThat(padded).hasSize(Expression.MAX_LENGTH);
        assertThat(holds(padded)).isTrue();
        Expression.SyntaxException e = syntax(padded + " ");
        assertThat(e.messageKey).isEqualTo("expression.tooLong");
        assertThat(e.getMessage()).isEqualTo("expression.tooLong at 1000");
    }

    @Test
    void errorsSayWhereAndWhat() {
        Expression.SyntaxException end = syntax("household.members >");
        assertThat(end.messageKey).isEqualTo("expression.unexpectedEnd");
        assertThat(end.position).isEqualTo(19); // just after the last token
        assertThat(syntax("").messageKey).isEqualTo("expression.empty");
        assertThat(syntax("  ").getMessage()).isEqualTo("expression.empty at 0");
        Expression.SyntaxException bad = syntax("1 < .");
        assertThat(bad.messageKey).isEqualTo("expression.badCharacter");
        assertThat(bad.position).isEqualTo(4);
        assertThat(bad.getMessage()).isEqualTo("expression.badCharacter at 4: .");
        Expression.SyntaxException list = syntax("household.category in ('A', household.members)");
        assertThat(list.messageKey).isEqualTo("expression.listLiteral");
        assertThat(syntax("household.category in ('A',").messageKey).isEqualTo("expression.unexpectedEnd");
    }

    @Test
    void aNumberMayStartWithItsDecimalPoint() {
        assertThat(holds(".5 < 1 and .5 > 0.4")).isTrue();
        assertThat(eval("2.50 * 2", Map.of())).isEqualTo(new BigDecimal("5.00"));
    }

    @Test
    void comparisonsAtTheirBoundaries() {
        assertThat(holds("2 > 2")).isFalse();
        assertThat(holds("2 >= 2")).isTrue();
        assertThat(holds("2 < 2")).isFalse();
        assertThat(holds("2 <= 2")).isTrue();
        assertThat(holds("3 > 2")).isTrue();
        assertThat(holds("1 >= 2")).isFalse();
        assertThat(holds("3.0 == 3")).isTrue();
    }

    @Test
    void valuesOfDifferentKindsCompareAsAReaderWouldExpect() {
        assertThat(holds("null == null")).isTrue();
        assertThat(holds("1 == null")).isFalse();
        assertThat(holds("null != 1")).isTrue();
        assertThat(holds("'3' == 3")).isTrue();
        assertThat(holds("3 == '3.0'")).isTrue();
        assertThat(holds("'abc' == 3")).isFalse();
        assertThat(holds("true == 'TRUE'")).isTrue();
        assertThat(holds("'false' == true")).isFalse();
        assertThat(holds("'a' == 'a'")).isTrue();
        assertThat(holds("'a' != 'b'")).isTrue();
        assertThat(holds("'a' == 'A'")).isFalse();
        assertThat(holds("3 in ('3', 4)")).isTrue();
        assertThat(holds("'x' not in ('x')")).isFalse();
    }

    @Test
    void aMissingValueIsNamedNotGuessed() {
        Map<String, Object> values = new HashMap<>();
        values.put("household.incomePerHead", null);
        assertThatThrownBy(() -> eval("household.incomePerHead < 4000", values))
                .isInstanceOf(Expression.EvaluationException.class).hasMessageContaining("expression.missingValue");
        assertThatThrownBy(() -> eval("household.category < 4000", Map.of("household.category", "UNSTABLE")))
                .isInstanceOf(Expression.EvaluationException.class).hasMessageContaining("expression.notNumber");
        assertThat(eval("household.incomePerHead + 1", Map.of("household.incomePerHead", " 41 ")))
                .isEqualTo(new BigDecimal("42"));
        assertThatThrownBy(() -> Expression.compile("household.members", ATTRS).test(Map.of("household.members", 3)))
                .hasMessageContaining("expression.notBoolean");
    }

    @Test
    void theSourceIsKeptAsWritten() {
        assertThat(Expression.compile(" household.members > 3 ", ATTRS).source()).isEqualTo(" household.members > 3 ");
    }
}
