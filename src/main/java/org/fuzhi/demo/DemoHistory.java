package org.fuzhi.demo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.fuzhi.aid.Batches;
import org.fuzhi.aid.Terms;
import org.fuzhi.identification.Rounds;
import org.fuzhi.identification.Surveys;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.Tabular;
import org.fuzhi.region.Directory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The demo county's last term, played the way the county lived it: the spring round of school year 2025—2026 went
 * through every unit's step and its public notice to final; the aid center opened the spring term on it, generated
 * and allocated it; every school's clerk prepared its batch, its reviewer checked it, the center approved it; the
 * banks paid all lines but a few, which failed and were re-issued and then paid. The pupils taught outside the county
 * were batched by the center's own people. One school — the one the README's {@code xuexiao} account works in — and
 * one university still have their batches to prepare, so a visitor can walk both.
 */
@Component
class DemoHistory {

    private static final Logger log = LoggerFactory.getLogger(DemoHistory.class);
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final String SPRING_ROUND = "2025—2026学年春季学期精准识别";

    private final Rounds rounds;
    private final Surveys surveys;
    private final Terms terms;
    private final Batches batches;
    private final DemoClock clock;
    private final Directory directory;

    DemoHistory(Rounds rounds, Terms terms, Batches batches, DemoClock clock, Directory directory,
                Surveys surveys) {
        this.surveys = surveys;
        this.directory = directory;
        this.rounds = rounds;
        this.terms = terms;
        this.batches = batches;
        this.clock = clock;
    }

    /**
     * @param center       the county's aid center ({@code zizhu})
     * @param waitingSchool the school whose batch is left for a visitor to prepare
     * @param as           puts a user into the security context (imports and the audit log read it from there)
     * @param accounts     imports the payee accounts the schools collected, as the center
     */
    void playSpringTerm(CurrentUser center, String waitingSchool, Consumer<CurrentUser> as, Runnable accounts) {
        long start = System.nanoTime();
        try {
            day(LocalDate.of(2026, 3, 2));
            as.accept(center);
            Rounds.RoundView round = rounds.create(center, new Rounds.NewRound(SPRING_ROUND, 2025, "SPRING",
                    center.scope().code()));
            walk(round.id(), center, as);
            // The notice ran its five working days; the day after, the center makes the round final.
            Rounds.RoundView noticed = rounds.round(center, Rounds.RoundId.of(round.id()));
            day(noticed.noticeEnd().plusDays(1));
            as.accept(center);
            rounds.finish(center, Rounds.RoundId.of(round.id()), noticed.version());
        } finally {
            clock.replay(null);
        }
        as.accept(center);
        Terms.TermView term = terms.open(center, new Terms.NewTerm(2025, Terms.Term.SPRING, rounds.list(center).stream()
                .filter(r -> r.name().equals(SPRING_ROUND)).findFirst().orElseThrow().id(), null));
        terms.generate(center, term.id());
        terms.allocate(center, term.id());
        accounts.run();
        int[] settled = new int[2]; // paid, failed and re-issued
        for (Terms.TermSummary.Row school : terms.summary(center, term.id()).bySchool()) {
            boolean local = directory.school(school.code()).map(x -> center.scope().containsRegion(x.regionCode()))
                    .orElse(false);
            if (!local || school.code().equals(waitingSchool) || school.allocated().signum() == 0) {
                continue;
            }
            CurrentUser clerk = unit("ban-" + school.code(), Role.SCHOOL_OPERATOR, Scope.school(school.code()));
            CurrentUser reviewer = unit("xiao-" + school.code(), Role.SCHOOL_REVIEWER, Scope.school(school.code()));
            pay(term.id(), school.code(), null, clerk, reviewer, center, as, settled);
        }
        // Pupils taught outside the county (at universities): the center's clerk prepares their school's batch, the
        // center's second person checks it in the school's place, the head approves. One is left for a visitor.
        List<Batches.SchoolDue> outside = batches.outsideSchools(center, term.id());
        String prefix = center.username().substring(0, center.username().length() - "zizhu".length());
        for (Batches.SchoolDue school : outside.subList(0, Math.max(0, outside.size() - 1))) {
            pay(term.id(), school.schoolCode(), school.schoolCode(),
                    unit(prefix + "zizhu-jingban", Role.CENTER, center.scope()),
                    unit(prefix + "zizhu-fuhe", Role.CENTER, center.scope()), center, as, settled);
        }
        int paid = settled[0];
        int failed = settled[1];
        log.info("Demo spring term played in {} ms: {} payments paid, {} failed and re-issued",
                (System.nanoTime() - start) / 1_000_000, paid, failed);
    }

    /** Every unit completes its task of the round, step by step, on the days a county would (March 2026). */
    private void walk(long roundId, CurrentUser center, Consumer<CurrentUser> as) {
        LocalDate[] days = {LocalDate.of(2026, 3, 3), LocalDate.of(2026, 3, 6), LocalDate.of(2026, 3, 9),
                LocalDate.of(2026, 3, 11)};
        for (Rounds.Step step : Rounds.Step.values()) {
            day(days[step.ordinal()]);
            for (Rounds.TaskView t : rounds.tasks(center, Rounds.RoundId.of(roundId))) {
                if (t.step() != step || t.status() == Rounds.TaskStatus.DONE) {
                    continue;
                }
                CurrentUser u = switch (step) {
                    case SURVEY -> unit("cun-" + t.unitCode(), Role.VILLAGE, Scope.region(t.unitCode()));
                    case TOWNSHIP -> unit("zhen-" + t.unitCode(), Role.TOWNSHIP, Scope.region(t.unitCode()));
                    case SCHOOL -> unit("xiao-" + t.unitCode(), Role.SCHOOL_REVIEWER, Scope.school(t.unitCode()));
                    case CENTER -> center;
                };
                as.accept(u);
                if (step == Rounds.Step.SURVEY) {
                    surveys.confirmRest(u, Rounds.TaskId.of(t.id())); // the village went through its list on paper
                }
                rounds.complete(u, Rounds.TaskId.of(t.id()), t.version(), step == Rounds.Step.SURVEY ? "已逐户核对" : "已核实");
            }
        }
    }

    /**
     * One school's batch through its three people, and the bank's answer: every line paid but about one in a hundred
     * (a frozen or closed account), which the center re-issues after the family's account is checked and the bank
     * then pays.
     */
    private void pay(long termId, String school, String schoolParam, CurrentUser clerk, CurrentUser reviewer,
                     CurrentUser center, Consumer<CurrentUser> as, int[] settled) {
        as.accept(clerk);
        Batches.BatchView b = batches.prepare(clerk, termId, schoolParam);
        as.accept(reviewer);
        b = batches.check(reviewer, b.id(), b.version());
        as.accept(center);
        b = batches.approve(center, b.id(), b.version());
        List<String[]> sent = bankFile(center, b.id());
        List<Tabular.Row> answer = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            String[] l = sent.get(i);
            boolean fails = (Integer.parseInt(l[0]) * 7 + school.hashCode()) % 100 == 0;
            answer.add(new Tabular.Row(i + 1, List.of(l[0], l[2], l[3], fails ? "失败" : "成功",
                    fails ? "账户已冻结" : "")));
        }
        Batches.ReturnResult r = batches.importReturn(center, b.id(), answer);
        settled[0] += r.paid();
        settled[1] += r.failed();
        if (r.failed() > 0) {
            batches.reissue(center, b.id());
            List<Tabular.Row> second = new ArrayList<>();
            List<String[]> again = bankFile(center, b.id());
            for (int i = 0; i < again.size(); i++) {
                String[] l = again.get(i);
                second.add(new Tabular.Row(i + 1, List.of(l[0], l[2], l[3], "成功", "")));
            }
            settled[0] += batches.importReturn(center, b.id(), second).paid();
        }
    }

    private List<String[]> bankFile(CurrentUser center, long batchId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        batches.bankFile(center, batchId, null, Batches.FileFormat.CSV, out, Locale.SIMPLIFIED_CHINESE);
        return Tabular.csvRows(out.toString(StandardCharsets.UTF_8)).stream().skip(1)
                .map(r -> r.cells().toArray(String[]::new)).toList();
    }

    private void day(LocalDate d) {
        clock.replay(d.atTime(LocalTime.of(9, 30)).atZone(ZONE).toInstant());
    }

    private static CurrentUser unit(String username, Role role, Scope scope) {
        return new CurrentUser(0, username, username, role, scope);
    }
}
