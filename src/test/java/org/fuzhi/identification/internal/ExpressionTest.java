package org.fuzhi.identification.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExpressionTest {

    private static final Set<String> ATTRS = Set.of("household.incomePerHead", "household.housingSafe",
            "household.category", "student.stage", "household.members", "student.disability");

    private static boolean test(String expr, Map<String, ?> values) {
        return Expression.compile(expr, ATTRS).test(values);
    }

    private static final Map<String, Object> POOR = Map.of("household.incomePerHead", 3500,
            "household.housingSafe", false, "household.category", "UNSTABLE", "student.stage", "PRIMARY",
            "household.members", 4, "student.disability", true);

    @Test
    void evaluatesComparisonsLogicAndArithmetic() {
        assertThat(test("household.incomePerHead < 4000 and not household.housingSafe", POOR)).isTrue();
        assertThat(test("household.incomePerHead * household.members >= 14000", POOR)).isTrue();
        assertThat(test("household.incomePerHead / household.members < 800", POOR)).isFalse();
        assertThat(test("household.category in ('UNSTABLE', 'MARGINAL') && student.stage == 'PRIMARY'", POOR)).isTrue();
        assertThat(test("household.category not in ('LIFTED')", POOR)).isTrue();
        assertThat(test("student.disability == true or household.incomePerHead > 1000000000", POOR)).isTrue();
        assertThat(test("-household.incomePerHead < -3000 || (false)", POOR)).isTrue();
        assertThat(test("!(household.members != 4)", POOR)).isTrue();
    }

    @Test
    void refusesAnythingThatIsNotTheLanguage() {
        // No calls, no unknown names (so no classes, fields or globals), no assignment, no statements.
        assertThatThrownBy(() -> Expression.compile("java.lang.Runtime.getRuntime().exec('rm')", ATTRS))
                .isInstanceOf(Expression.SyntaxException.class);
        assertThatThrownBy(() -> Expression.compile("System.exit(0)", ATTRS))
                .hasMessageContaining("expression.noCalls");
        assertThatThrownBy(() -> Expression.compile("T(java.lang.System).exit(0)", ATTRS))
                .isInstanceOf(Expression.SyntaxException.class);
        assertThatThrownBy(() -> Expression.compile("household.secret > 1", ATTRS))
                .hasMessageContaining("expression.unknownAttribute");
        assertThatThrownBy(() -> Expression.compile("household.members = 4", ATTRS))
                .hasMessageContaining("expression.badCharacter");
        assertThatThrownBy(() -> Expression.compile("household.members > 1; drop table person", ATTRS))
                .hasMessageContaining("expression.badCharacter");
        assertThatThrownBy(() -> Expression.compile("#{1+1}", ATTRS)).isInstanceOf(Expression.SyntaxException.class);
        assertThatThrownBy(() -> Expression.compile("${household.members}", ATTRS))
                .isInstanceOf(Expression.SyntaxException.class);
        assertThatThrownBy(() -> Expression.compile("household.members >", ATTRS))
                .hasMessageContaining("expression.unexpectedEnd");
        assertThatThrownBy(() -> Expression.compile("'open", ATTRS)).hasMessageContaining("expression.unclosedString");
        assertThatThrownBy(() -> Expression.compile("(".repeat(200) + "1" + ")".repeat(200), ATTRS))
                .hasMessageContaining("expression.tooDeep");
        assertThatThrownBy(() -> Expression.compile("1 + ".repeat(400) + "1", ATTRS))
                .hasMessageContaining("expression.tooLong");
        assertThatThrownBy(() -> Expression.compile("1 2", ATTRS)).hasMessageContaining("expression.unexpected");
    }

    @Test
    void reportsDataThatDoesNotFit() {
        Map<String, Object> missing = new HashMap<>(POOR);
        missing.put("household.incomePerHead", null);
        assertThatThrownBy(() -> test("household.incomePerHead < 4000", missing))
                .isInstanceOf(Expression.EvaluationException.class).hasMessageContaining("expression.missingValue");
        assertThatThrownBy(() -> test("household.category < 4000", POOR))
                .hasMessageContaining("expression.notNumber");
        assertThatThrownBy(() -> test("household.members / 0 > 1", POOR))
                .hasMessageContaining("expression.divisionByZero");
        assertThatThrownBy(() -> test("household.members + 1", POOR)).hasMessageContaining("expression.notBoolean");
        assertThat(test("household.incomePerHead == null", missing)).isTrue();
    }
}
