package org.fuzhi.registry;

import java.util.List;
import java.util.Locale;
import org.fuzhi.platform.CurrentUser;

/**
 * What other modules know about a student, for the student's page: the current identification result, a dropout
 * case, this term's aid. The registry cannot call those modules (they build on it), so they answer here. Called only
 * after the page has checked the user may see the student.
 */
public interface StudentNotes {

    List<Note> notes(CurrentUser user, long studentId, Locale locale);

    /**
     * @param order where the note stands on the page (identification 10, dropout 20, aid 30)
     * @param link  a page with the details, or null
     */
    record Note(int order, String label, String text, String link, boolean warning) {
    }
}
