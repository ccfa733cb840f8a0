package org.fuzhi.platform;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.springframework.context.MessageSource;

/** What an {@link ImportKind} needs while it imports: the user, messages, rejected rows and per-file state. */
public final class ImportContext {

    private final CurrentUser user;
    private final MessageSource messages;
    private final Locale locale;
    private final String kind;
    private final String importId;
    private final Map<Integer, Map<String, String>> rejectedInChunk = new HashMap<>();
    private final Map<String, Object> state = new HashMap<>();
    private final Set<Integer> rejectedRows = new LinkedHashSet<>();

    public ImportContext(CurrentUser user, MessageSource messages, Locale locale, String kind, String importId) {
        this.importId = importId;
        this.user = user;
        this.messages = messages;
        this.locale = locale;
        this.kind = kind;
    }

    /** The import record this file belongs to, for kinds that keep imported rows as history. */
    public String importId() {
        return importId;
    }

    public CurrentUser user() {
        return user;
    }

    public Locale locale() {
        return locale;
    }

    /** A message in the importer's language, for a kind's summary of the file. */
    public String message(String key, Object... args) {
        return messages.getMessage(key, args, key, locale);
    }

    /**
     * Rejects a row. The message names the field and the rule: {@code messageKey} is looked up in the bundles.
     */
    public void reject(ImportRow row, String field, String messageKey, Object... args) {
        String fieldLabel = messages.getMessage("import.col." + kind + "." + field, null, field, locale);
        String text = messages.getMessage(messageKey, args, messageKey, locale);
        rejectedInChunk.computeIfAbsent(row.rowNo(), k -> new LinkedHashMap<>())
                .merge(fieldLabel, text, (a, b) -> a + "；" + b);
        rejectedRows.add(row.rowNo());
    }

    public boolean isRejected(ImportRow row) {
        return rejectedRows.contains(row.rowNo());
    }

    /**
     * Reads an enum cell: its constant name, or its Chinese or English label ({@code enum.Type.CONSTANT} in the
     * bundles), so clerks can type "小学" as well as PRIMARY.
     */
    public <E extends Enum<E>> Optional<E> enumValue(Class<E> type, String raw) {
        if (raw == null || raw.isBlank()) {
            return Optional.empty();
        }
        // Labels are looked up once per file and enum type: a million-row import must not do it per row.
        Map<String, E> byLabel = state("enum:" + type.getName(), () -> {
            Map<String, E> m = new HashMap<>();
            for (E e : type.getEnumConstants()) {
                m.put(e.name().toLowerCase(Locale.ROOT), e);
                String key = "enum." + type.getSimpleName() + "." + e.name();
                for (Locale l : new Locale[]{Locale.SIMPLIFIED_CHINESE, Locale.ENGLISH}) {
                    String label = messages.getMessage(key, null, null, l);
                    if (label != null) {
                        m.putIfAbsent(label.toLowerCase(Locale.ROOT), e);
                    }
                }
            }
            return m;
        });
        return Optional.ofNullable(byLabel.get(raw.strip().toLowerCase(Locale.ROOT)));
    }

    /** 是/否, Y/N, true/false, 1/0; empty when the cell is empty; null when unreadable. */
    public static Boolean bool(String raw) {
        if (raw == null || raw.isBlank()) {
            return Boolean.FALSE;
        }
        return switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "是", "y", "yes", "true", "1", "√" -> Boolean.TRUE;
            case "否", "n", "no", "false", "0" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** State kept for the whole file, e.g. the keys seen so far to find duplicates inside it. */
    @SuppressWarnings("unchecked")
    public <T> T state(String key, Supplier<T> init) {
        return (T) state.computeIfAbsent(key, k -> init.get());
    }

    /** Drains the errors of the last chunk: row → (field label → message). Called by the import runner. */
    public Map<Integer, Map<String, String>> drainErrors() {
        var copy = new TreeMap<>(rejectedInChunk);
        rejectedInChunk.clear();
        rejectedRows.clear();
        return copy;
    }

}
