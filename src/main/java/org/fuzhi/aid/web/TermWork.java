package org.fuzhi.aid.web;

import java.math.BigDecimal;
import java.util.Locale;
import org.fuzhi.aid.Terms;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Jobs;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Component;

/**
 * A term's generation and allocation as jobs keyed by the term, for the pages and the API alike: a province term
 * takes half a minute, and a second start — a second click, a second client, another instance — must not run the
 * same work again while the first runs (it is refused with who started it and how far it is).
 */
@Component
class TermWork {

    private final Terms terms;
    private final Jobs jobs;
    private final MessageSource messages;

    TermWork(Terms terms, Jobs jobs, MessageSource messages) {
        this.terms = terms;
        this.jobs = jobs;
        this.messages = messages;
    }

    /** Starts the term's generation ({@code generate}) or allocation as the current user. */
    Jobs.Job start(long id, boolean generate, Locale locale) {
        CurrentUser me = CurrentUser.get();
        Terms.TermView term = terms.term(me, id);
        // An allocation's result is its report: the job's page keeps it (with the way back to the term).
        var request = new Jobs.Request("term", "term:" + id,
                messages.getMessage(generate ? "job.title.termGenerate" : "job.title.termAllocate",
                        new Object[]{term.termCode(), term.scopeName()}, locale),
                generate ? "/aid/terms/" + id : null, "/aid/terms/" + id);
        return jobs.start(request, progress -> {
            Object value = generate ? terms.generate(me, id) : terms.allocate(me, id);
            String summary = value instanceof Terms.AllocationReport r ? messages.getMessage("aid.report.line",
                    new Object[]{money(r.allocated()), money(r.uncovered())}, locale) : null;
            return new Jobs.Outcome(null, "/api/v1/aid/terms/" + id, summary, value);
        });
    }

    private static String money(BigDecimal v) {
        return new java.text.DecimalFormat("#,##0.00").format(v);
    }
}
