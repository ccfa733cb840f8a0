package org.fuzhi.identification.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.springframework.context.support.ResourceBundleMessageSource;

/** The rule read back in words, from the real message bundles. */
class RuleSentenceTest {

    static final ResourceBundleMessageSource MESSAGES = new ResourceBundleMessageSource();

    static {
        MESSAGES.setBasename("messages");
        MESSAGES.setDefaultEncoding("UTF-8");
        MESSAGES.setFallbackToSystemLocale(false);
    }

    static String zh(String expression) {
        return RuleSentence.of(expression, MESSAGES, Locale.SIMPLIFIED_CHINESE);
    }

    @Test
    void theShippedIndicatorsReadAsAClerkWouldSayThem() {
        assertThat(zh("household.incomePerHead != null and household.incomePerHead < 6000"))
                .isEqualTo("家庭人均年收入已填写，且家庭人均年收入低于 6000 元");
        assertThat(zh("household.housingSafe == false")).isEqualTo("住房不安全");
        assertThat(zh("student.boarding == true")).isEqualTo("寄宿生");
        assertThat(zh("household.category in ('UNSTABLE', 'MARGINAL', 'RURAL_DIBAO') or list.dibao == true"))
                .isEqualTo("家庭类别为脱贫不稳定户、边缘易致贫户或农村低保户，或在民政低保名单上");
        assertThat(zh("student.orphan == true or household.category == 'ORPHAN'"))
                .isEqualTo("是孤儿，或家庭类别为 孤儿/事实无人抚养");
    }

    @Test
    void negationsComparisonsAndGroupsAreSaidPlainly() {
        assertThat(zh("not household.housingSafe")).isEqualTo("住房不安全");
        assertThat(zh("not (household.members > 6)")).isEqualTo("家庭人口不高于 6 人");
        assertThat(zh("household.members >= 5 and (student.leftBehind or student.singleParent)"))
                .isEqualTo("家庭人口不低于 5 人，且（是留守儿童，或单亲家庭）");
        assertThat(zh("student.stage == 'JUNIOR'")).isEqualTo("学段为 初中");
        // Arithmetic is quoted as written, the rest still in words.
        assertThat(zh("household.incomePerHead * household.members < 20000 and student.boarding"))
                .isEqualTo("“household.incomePerHead * household.members < 20000”，且寄宿生");
    }

    @Test
    void aRuleThatDoesNotParseHasNoSentence() {
        assertThat(zh("household.incomePerHead <")).isNull();
        assertThat(zh("")).isNull();
    }

    @Test
    void englishReadersGetEnglish() {
        assertThat(RuleSentence.of("household.incomePerHead < 6000 and household.housingSafe == false", MESSAGES,
                Locale.ENGLISH)).isEqualTo("household income per head per year below 6000 yuan, and unsafe housing");
    }
}
