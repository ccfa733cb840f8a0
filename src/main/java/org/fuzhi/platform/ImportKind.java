package org.fuzhi.platform;

import java.util.List;

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
     * Validates a chunk of rows and writes the valid ones. Every row with a problem must be reported via
     * {@link ImportContext#reject}; rows not rejected count as accepted and must have been written.
     */
    void importChunk(List<ImportRow> rows, ImportContext ctx);

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
