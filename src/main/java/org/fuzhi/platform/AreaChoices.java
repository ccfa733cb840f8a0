package org.fuzhi.platform;

import java.util.List;

/**
 * The areas an account can be given, by name, for the administrator's forms: the platform keeps accounts but does
 * not know places, so the module that does implements this (as it names places for the audit log).
 */
public interface AreaChoices {

    /**
     * A group of a picker (a county with its townships and villages; a county's schools) and its choices.
     *
     * @param label   the division's name (the page says "schools of" where {@code schools})
     * @param schools whether the group holds the division's schools
     */
    record Group(String label, boolean schools, List<Choice> choices) {
    }

    /**
     * @param code   what is stored: a 12-digit region code or a school's code
     * @param name   as a person reads it: a village with its township, a school by its name
     * @param school whether the choice is a school (school roles) or a region (the others)
     */
    record Choice(String code, String name, boolean school) {
    }

    /** Every region from the province down, and every school, grouped by county. */
    List<Group> groups();
}
