package org.fuzhi.identification;

import java.util.Set;

/**
 * The other departments' lists a county receives besides the poverty roster. Each becomes a yes/no attribute of a
 * student for assessment indicators ({@code list.dibao} …): true when the student is on the list, and for 低保 also
 * when any member of the student's household is (低保 is granted per household).
 */
public enum SourceList {
    DIBAO("list.dibao"), TEKUN("list.tekun"), ORPHAN("list.orphan"), DISABILITY("list.disability");

    /** The attribute names the lists add to the assessment attributes. */
    public static final Set<String> ATTRIBUTES = Set.of("list.dibao", "list.tekun", "list.orphan", "list.disability");

    private final String attribute;

    SourceList(String attribute) {
        this.attribute = attribute;
    }

    public String attribute() {
        return attribute;
    }

    /** 低保 is granted to a household; the others to a person. */
    public boolean householdWide() {
        return this == DIBAO;
    }
}
