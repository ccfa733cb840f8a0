package org.fuzhi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

    /**
     * A message with arguments goes through {@link MessageFormat}: an argument the translation dropped, an
     * apostrophe that swallows a placeholder ("the bank's {0}" prints "{0}" raw) or a format that throws shows
     * the user a broken sentence. Every message is rendered with sample arguments in both languages.
     */
    @Test
    void everyMessageRendersWithSampleArgumentsInBothLanguages() throws IOException {
        Properties zh = load("messages.properties");
        Properties en = load("messages_en.properties");
        Pattern placeholder = Pattern.compile("\\{(\\d+)(?:,\\s*(\\w+))?[^}]*}");
        List<String> broken = new ArrayList<>();
        for (String k : new TreeSet<>(zh.stringPropertyNames())) {
            Set<String> zhArgs = new TreeSet<>();
            Set<String> enArgs = new TreeSet<>();
            for (var lang : List.of(Map.entry(zh, Locale.SIMPLIFIED_CHINESE), Map.entry(en, Locale.ENGLISH))) {
                String raw = lang.getKey().getProperty(k, "");
                Matcher m = placeholder.matcher(raw);
                Object[] args = new Object[10];
                boolean any = false;
                while (m.find()) {
                    any = true;
                    int i = Integer.parseInt(m.group(1));
                    (lang.getKey() == zh ? zhArgs : enArgs).add(m.group(1));
                    String type = m.group(2) == null ? "" : m.group(2);
                    args[i] = switch (type) {
                        case "number", "choice" -> 1234;
                        case "date", "time" -> new Date(0);
                        default -> "<" + i + ">";
                    };
                }
                if (!any) {
                    if (raw.contains("''")) {
                        broken.add(k + " (" + lang.getValue() + "): '' in a message without arguments prints two quotes");
                    }
                    continue;
                }
                try {
                    String out = new MessageFormat(raw, lang.getValue()).format(args);
                    long quotesMeant = raw.replace("''", "'").chars().filter(c -> c == '\'').count();
                    if (out.matches("(?s).*\\{\\d.*") || out.chars().filter(c -> c == '\'').count() != quotesMeant) {
                        broken.add(k + " (" + lang.getValue() + "): " + out);
                    }
                } catch (IllegalArgumentException e) {
                    broken.add(k + " (" + lang.getValue() + "): " + e.getMessage());
                }
            }
            if (!zhArgs.equals(enArgs)) {
                broken.add(k + ": arguments " + zhArgs + " in Chinese but " + enArgs + " in English");
            }
        }
        assertThat(broken).isEmpty();
    }

    /**
     * The audit log is read by people: every action the code records has a label in words, and every target type a
     * name (the page would otherwise show "AID_BATCH_APPROVED aidBatch 17").
     */
    @Test
    void everyAuditedActionAndTargetHasALabel() throws IOException {
        Properties zh = load("messages.properties");
        Pattern call = Pattern.compile("(?:audit|auditLog)\\.record(?:For)?\\(([^;]*);", Pattern.DOTALL);
        // An action is followed by its target type (or by the other branch of a choice of actions); an upper-case
        // detail value ("ALL") is not.
        Pattern action = Pattern.compile("\"([A-Z][A-Z_]{2,})\"(?=\\s*[,:]\\s*\"[a-zA-Z])");
        Pattern target = Pattern.compile("\"[A-Z][A-Z_]{2,}\"\\s*,\\s*\"([a-zA-Z-]+)\"");
        List<String> missing = new ArrayList<>();
        int actions = 0;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = call.matcher(Files.readString(f));
                while (m.find()) {
                    Matcher a = action.matcher(m.group(1));
                    while (a.find()) {
                        actions++;
                        if (!zh.containsKey("audit.action." + a.group(1))) {
                            missing.add(f.getFileName() + ": audit.action." + a.group(1));
                        }
                    }
                    Matcher t = target.matcher(m.group(1));
                    while (t.find()) {
                        if (!zh.containsKey("audit.target." + t.group(1))) {
                            missing.add(f.getFileName() + ": audit.target." + t.group(1));
                        }
                    }
                }
            }
        }
        assertThat(actions).as("audited actions found in the code").isGreaterThan(50);
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
