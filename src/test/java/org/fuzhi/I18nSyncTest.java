package org.fuzhi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the Chinese and English bundles in step and templates free of text that would not be translated
 * (the idea of spring-petclinic's I18nPropertiesSyncTest).
 */
class I18nSyncTest {

    private static final Path TEMPLATES = Path.of("src/main/resources/templates");

    private static Properties load(String name) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newInputStream(Path.of("src/main/resources", name))) {
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return p;
    }

    @Test
    void bothBundlesHaveTheSameKeys() throws IOException {
        Set<String> zh = new TreeSet<>(load("messages.properties").stringPropertyNames());
        Set<String> en = new TreeSet<>(load("messages_en.properties").stringPropertyNames());
        Set<String> onlyZh = new TreeSet<>(zh);
        onlyZh.removeAll(en);
        Set<String> onlyEn = new TreeSet<>(en);
        onlyEn.removeAll(zh);
        assertThat(onlyZh).as("keys missing from messages_en.properties").isEmpty();
        assertThat(onlyEn).as("keys missing from messages.properties").isEmpty();
    }

    @Test
    void englishBundleHasNoChinese() throws IOException {
        Properties en = load("messages_en.properties");
        List<String> chinese = new ArrayList<>();
        for (String k : en.stringPropertyNames()) {
            if (!k.startsWith("lang.") && en.getProperty(k).codePoints().anyMatch(c ->
                    Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN)) {
                chinese.add(k);
            }
        }
        assertThat(chinese).as("English messages containing Chinese").isEmpty();
    }

    @Test
    void everyMessageKeyUsedInTemplatesExists() throws IOException {
        Properties zh = load("messages.properties");
        Pattern key = Pattern.compile("#\\{([a-zA-Z][\\w.]*)[(}]");
        List<String> missing = new ArrayList<>();
        for (Path t : templates()) {
            Matcher m = key.matcher(Files.readString(t));
            while (m.find()) {
                if (!zh.containsKey(m.group(1))) {
                    missing.add(TEMPLATES.relativize(t) + ": " + m.group(1));
                }
            }
        }
        assertThat(missing).isEmpty();
    }

    /** Text between tags must come from the bundles: the element that holds it needs th:text or th:utext. */
    @Test
    void templatesHaveNoHardCodedText() throws IOException {
        Pattern textAfterTag = Pattern.compile(
                "<(/?)([a-zA-Z][\\w-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>([^<]+)");
        Pattern attr = Pattern.compile("\\s(placeholder|title|alt|aria-label)=\"([^\"]*)\"");
        List<String> offenders = new ArrayList<>();
        for (Path t : templates()) {
            String html = Files.readString(t).replaceAll("(?s)<script.*?</script>", "<script></script>")
                    .replaceAll("(?s)<!--.*?-->", "");
            Matcher m = textAfterTag.matcher(html);
            while (m.find()) {
                String text = m.group(4).strip();
                boolean meaningful = text.codePoints().anyMatch(Character::isLetter);
                boolean opening = m.group(1).isEmpty();
                boolean localised = opening && (m.group(3).contains("th:text") || m.group(3).contains("th:utext"));
                if (meaningful && !localised && !m.group(2).equals("title")) {
                    offenders.add(TEMPLATES.relativize(t) + ": \"" + text + "\"");
                }
            }
            Matcher a = attr.matcher(html);
            while (a.find()) {
                if (a.group(2).codePoints().anyMatch(Character::isLetter) && !a.group(2).startsWith("${")) {
                    offenders.add(TEMPLATES.relativize(t) + ": " + a.group(1) + "=\"" + a.group(2) + "\"");
                }
            }
        }
        assertThat(offenders).isEmpty();
    }

    private static List<Path> templates() throws IOException {
        try (Stream<Path> s = Files.walk(TEMPLATES)) {
            return s.filter(p -> p.toString().endsWith(".html")).toList();
        }
    }
}
