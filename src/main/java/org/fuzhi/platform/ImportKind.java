package org.fuzhi.platform;

import java.util.List;
import org.fuzhi.common.IdNumber;

/**
 * One kind of importable file (schools, households, students …). A module registers a bean per kind;
 * the platform's {@link Imports} reads the file, checks the header and hands over rows in chunks.
 */
public interface ImportKind {

    /** The URL name, e.g. {@code students}. */
    String name();

    /** The template's columns in order. */
    List<Column> columns();

    /**
     * Whether a role may import this kind at all; checked before the upload is kept. Rows are still checked against
     * the importer's scope one by one.
     */
    default boolean mayImport(Role role) {
        return role.mayImport();
    }

    /** A template example row, one value per column. */
    List<String> exampleRow();

    /**
     * The example row of the template this user downloads: made to pass a dry run inside the user's scope (a village
     * and school of the user's own area, made-up people), so the clerk starts from a row that works.
     */
    default List<String> exampleRow(CurrentUser user) {
        return exampleRow();
    }

    /**
     * A made-up ID number of the county {@code county6}: birth date yyyymmdd, sequence, its check character. Use a
     * sequence of 996–999 (kept for people over a hundred) with a recent birth date, so no real person holds it.
     */
    static String exampleId(String county6, String birth, String sequence) {
        String first17 = county6 + birth + sequence;
        return first17 + IdNumber.checkChar(first17);
    }

    /**
     * Validates a chunk of rows and writes the valid ones. Every row with a problem must be reported via
     * {@link ImportContext#reject}; rows not rejected count as accepted and must have been written.
     */
    void importChunk(List<ImportRow> rows, ImportContext ctx);

    /**
     * After the last chunk, inside the import's transaction (a dry run's too, before it is rolled back): sentences on
     * what the file changes as a whole, for the result ("现有名单 15,492 人将被替换：新增 3 人 …").
     */
    default List<String> summarize(ImportContext ctx) {
        return List.of();
    }

    /**
     * @param code     stable column code (English), also accepted as a header
     * @param required whether an empty cell is an error
     */
    record Column(String code, boolean required) {
        public static Column req(String code) {
            return new Column(code, true);
        }

        public static Column opt(String code) {
            return new Column(code, false);
        }
    }
}
