package org.fuzhi.identification.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.fuzhi.identification.internal.Linker.Link;
import org.fuzhi.identification.internal.Linker.Member;
import org.fuzhi.registry.Registry;

/**
 * The linkage's decisions, apart from reading and writing: whether an exact ID match is contradicted by the person
 * it names, how a line's scored candidates become a link, a review or nothing, and which of several lines linked to
 * one person stands. Pure functions, so each rule is tested on its own and mutation testing reaches it.
 */
final class LinkDecisions {

    /** A score ahead of the runner-up by less than this is no clear decision. */
    static final double CLEAR_LEAD = 5;

    private LinkDecisions() {
    }

    /**
     * Why an exact ID match is not this line's person, or null if nothing contradicts it: another name (a
     * household member's number when the owner lives in the line's household), or a stated birth date that is
     * neither the owner's nor a usual mistyping of it. A wrong gender column alone is roster noise.
     */
    static String contradiction(Member m, Registry.IdOwner owner) {
        NameMatcher.Agreement name = NameMatcher.compare(m.name(), owner.name());
        if (name == NameMatcher.Agreement.DIFFERENT || name == NameMatcher.Agreement.SURNAME_DIFFERENT) {
            return owner.householdNo() != null && owner.householdNo().equals(m.householdNo()) ? "RELATIVE_ID"
                    : "NAME_MISMATCH";
        }
        if (m.statedBirth() != null && !m.statedBirth().equals(owner.birthDate())
                && !Scoring.blockingDates(m.statedBirth()).contains(owner.birthDate())
                && Math.abs(m.statedBirth().toEpochDay() - owner.birthDate().toEpochDay()) > 3) {
            return "BIRTH_MISMATCH";
        }
        return null;
    }

    /**
     * The link of one line from its scored candidates: linked when the best reaches {@code upper}, leads the
     * runner-up clearly and is not of another generation; reviewed from {@code lower}; otherwise unlinked.
     *
     * @param scored the candidates' scores (reordered here, best first)
     */
    static Link decide(Member m, List<Scoring.Scored> scored, double lower, double upper) {
        scored = new ArrayList<>(scored);
        scored.sort(Comparator.comparingDouble(Scoring.Scored::weight).reversed());
        if (scored.isEmpty()) {
            return m.idCheck() != null
                    ? new Link(m.id(), m.idOwner(), "REVIEW", "PROBABILISTIC", 0, "idcheck=" + m.idCheck() + ":+0.0")
                    : new Link(m.id(), null, "UNLINKED", "PROBABILISTIC", 0, "block=EMPTY:0");
        }
        String reason = "";
        if (m.idCheck() != null) {
            // The line's exact ID belongs to someone its name or birth date contradicts: never linked to that
            // person by a machine; another candidate may be, on its own evidence, else a person decides.
            reason = "idcheck=" + m.idCheck() + ":+0.0;";
            Scoring.Scored owner = scored.stream().filter(s -> s.person().personId() == m.idOwner()).findFirst()
                    .orElse(null);
            scored.removeIf(s -> s.person().personId() == m.idOwner());
            if (scored.isEmpty() || scored.get(0).weight() < lower) {
                Scoring.Scored shown = owner != null ? owner : scored.isEmpty() ? null : scored.get(0);
                return new Link(m.id(), shown == null ? m.idOwner() : shown.person().personId(), "REVIEW",
                        "PROBABILISTIC", shown == null ? 0 : shown.weight(),
                        reason + (shown == null ? "block=EMPTY:0" : shown.evidence()));
            }
        }
        Scoring.Scored best = scored.get(0);
        if (!reason.isEmpty()) {
            best = new Scoring.Scored(best.person(), best.weight(), reason + best.evidence());
        }
        double second = scored.size() > 1 ? scored.get(1).weight() : Double.NEGATIVE_INFINITY;
        boolean ambiguous = second >= lower && best.weight() - second < CLEAR_LEAD;
        // A birth date a generation away is never linked by a machine, however well the name agrees: it is
        // the namesake of a parent or grandparent (issue 10).
        boolean otherGeneration = best.evidence().contains("birth=FAR");
        String status = best.weight() >= upper && !ambiguous && !otherGeneration ? "LINKED"
                : best.weight() >= lower ? "REVIEW" : "UNLINKED";
        return new Link(m.id(), status.equals("UNLINKED") ? null : best.person().personId(), status,
                "PROBABILISTIC", best.weight(), best.evidence() + (ambiguous ? ";second=AMBIGUOUS:"
                + String.format(Locale.ROOT, "%+.1f", second) : ""));
    }

    /** A current roster line linked to a person, as the one-line-per-person rule weighs it. */
    record Line(long member, long person, String method, double score) {
    }

    /**
     * One person, one roster line (issue 10): of the lines linked to the same person, the best-supported stands
     * only if it clearly wins — a person's decision over the machine's, an exact ID over a probabilistic link, or a
     * score ahead by at least {@link #CLEAR_LEAD}; the others go to review. With no clear winner all of them do.
     * A person's own decision is never overruled by the machine.
     *
     * @param byPerson the lines of each person linked from two or more
     * @return the members whose link goes to review
     */
    static List<Long> outcompeted(Collection<List<Line>> byPerson) {
        List<Long> demote = new ArrayList<>();
        Comparator<Line> strength = Comparator.<Line>comparingInt(l -> switch (l.method()) {
            case "CLERICAL" -> 0;
            case "EXACT_ID" -> 1;
            default -> 2;
        }).thenComparing(Comparator.comparingDouble(Line::score).reversed());
        for (List<Line> group : byPerson) {
            List<Line> lines = new ArrayList<>(group);
            lines.sort(strength);
            Line first = lines.get(0);
            Line next = lines.get(1);
            boolean clear = first.method().equals("CLERICAL") && !next.method().equals("CLERICAL")
                    || first.method().equals("EXACT_ID") && next.method().equals("PROBABILISTIC")
                    || first.method().equals(next.method()) && !first.method().equals("CLERICAL")
                    && first.score() - next.score() >= CLEAR_LEAD;
            for (Line l : lines.subList(clear ? 1 : 0, lines.size())) {
                if (!l.method().equals("CLERICAL")) {
                    demote.add(l.member());
                }
            }
        }
        return demote;
    }
}
