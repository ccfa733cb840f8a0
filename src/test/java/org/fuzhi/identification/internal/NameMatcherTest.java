package org.fuzhi.identification.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.fuzhi.identification.internal.NameMatcher.Agreement;
import org.junit.jupiter.api.Test;

/** Names compared as a clerk typing by pinyin gets them wrong, boundary by boundary. */
class NameMatcherTest {

    @Test
    void confusableInitialsAndFinalsSoundTheSame() {
        assertThat(NameMatcher.soundKey("张")).isEqualTo("zan|");  // zh → z, ang → an
        assertThat(NameMatcher.soundKey("陈")).isEqualTo("cen|");  // ch → c
        assertThat(NameMatcher.soundKey("史")).isEqualTo("si|");   // sh → s
        assertThat(NameMatcher.soundKey("李")).isEqualTo("ni|");   // l → n
        assertThat(NameMatcher.soundKey("胡")).isEqualTo("fu|");   // h → f
        assertThat(NameMatcher.soundKey("明")).isEqualTo("min|");  // ing → in
        assertThat(NameMatcher.soundKey("王小明")).isEqualTo("wan|xiao|min|");
    }

    @Test
    void aSurnameIsReadAsASurname() {
        // 单 is "dan" in a word and "shan" as a surname
        assertThat(NameMatcher.soundKey("单")).isEqualTo("san|");
        assertThat(NameMatcher.soundKey("明单")).isEqualTo("min|dan|");
        assertThat(NameMatcher.compare("单明", "山明")).isEqualTo(Agreement.HOMOPHONE);
    }

    @Test
    void homophonesOfTheSameLength() {
        assertThat(NameMatcher.compare("李明", "倪民")).isEqualTo(Agreement.HOMOPHONE);
        assertThat(NameMatcher.compare("胡明", "付明")).isEqualTo(Agreement.HOMOPHONE);
        assertThat(NameMatcher.compare("陈明", "岑明")).isEqualTo(Agreement.HOMOPHONE);
        assertThat(NameMatcher.compare("王小明", "王晓明")).isEqualTo(Agreement.HOMOPHONE);
    }

    @Test
    void nothingToCompareIsDifferentAndSpacesDoNotCount() {
        assertThat(NameMatcher.compare(null, "王小明")).isEqualTo(Agreement.DIFFERENT);
        assertThat(NameMatcher.compare("王小明", null)).isEqualTo(Agreement.DIFFERENT);
        assertThat(NameMatcher.compare("", "王小明")).isEqualTo(Agreement.DIFFERENT);
        assertThat(NameMatcher.compare("王小明", "  ")).isEqualTo(Agreement.DIFFERENT);
        assertThat(NameMatcher.compare(" 王小明 ", "王小明")).isEqualTo(Agreement.EXACT);
    }

    @Test
    void oneCharacterDifferentCountsFromTwoCharacterNames() {
        assertThat(NameMatcher.compare("王明", "王亮")).isEqualTo(Agreement.SIMILAR);
        assertThat(NameMatcher.compare("王小明", "王大明")).isEqualTo(Agreement.SIMILAR);
        assertThat(NameMatcher.compare("王小明亮", "王大明亮")).isEqualTo(Agreement.SIMILAR);
        // two characters different is another name
        assertThat(NameMatcher.compare("王小明", "王大亮")).isEqualTo(Agreement.DIFFERENT);
    }

    @Test
    void onlyAThreeCharacterNameHasItsGivenNameSwapped() {
        assertThat(NameMatcher.compare("王小明", "王明小")).isEqualTo(Agreement.GIVEN_SWAPPED);
        assertThat(NameMatcher.compare("王小明亮", "王小亮明")).isEqualTo(Agreement.DIFFERENT);
        assertThat(NameMatcher.compare("王小明", "王明明")).isEqualTo(Agreement.SIMILAR);
    }

    @Test
    void aDroppedOrDoubledCharacterNeedsFiveCharactersBetweenTheTwo() {
        assertThat(NameMatcher.compare("王明", "王小明")).isEqualTo(Agreement.DROPPED);
        assertThat(NameMatcher.compare("王小明", "王明")).isEqualTo(Agreement.DROPPED);
        assertThat(NameMatcher.compare("王明", "王明明")).isEqualTo(Agreement.DROPPED);
        // a one-character name against a two-character one is too little to tell
        assertThat(NameMatcher.compare("王", "王明")).isEqualTo(Agreement.DIFFERENT);
        // two characters more is not one dropped
        assertThat(NameMatcher.compare("王明", "王小小明")).isEqualTo(Agreement.DIFFERENT);
        // the last character dropped counts too
        assertThat(NameMatcher.compare("王小明", "王小")).isEqualTo(Agreement.DROPPED);
    }

    @Test
    void aSurnameThatSoundsTheSameIsNotAnotherFamily() {
        assertThat(NameMatcher.compare("单小明", "山大亮")).isEqualTo(Agreement.DIFFERENT);
        assertThat(NameMatcher.compare("陈小明", "岑大亮")).isEqualTo(Agreement.DIFFERENT);
        assertThat(NameMatcher.compare("陈小明", "王大亮")).isEqualTo(Agreement.SURNAME_DIFFERENT);
        // a traditional surname is the same family
        assertThat(NameMatcher.compare("張小明", "张大亮")).isEqualTo(Agreement.DIFFERENT);
        assertThat(NameMatcher.compare("張小明", "张小明")).isEqualTo(Agreement.VARIANT_CHAR);
    }
}
