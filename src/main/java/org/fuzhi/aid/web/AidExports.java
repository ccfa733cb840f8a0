package org.fuzhi.aid.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import org.fuzhi.aid.Funds;
import org.fuzhi.aid.Terms;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Downloads;
import org.fuzhi.platform.Exports;
import org.springframework.context.MessageSource;

/** A term's aid list as .xlsx, for the page and the API alike: at once when small, as a job when large. */
final class AidExports {

    private AidExports() {
    }

    static void send(Exports exports, Terms terms, MessageSource messages, long termId, String school, Locale locale,
                     HttpServletRequest request, HttpServletResponse response) throws IOException {
        CurrentUser user = CurrentUser.get();
        Terms.TermView term = terms.term(user, termId);
        // A province's list is a million rows: counted as the user may read it, for the choice and the bar.
        long rows = terms.entitlements(user, termId, school, 0, 1).total();
        String name = messages.getMessage("round.yearTerm", new Object[]{term.schoolYear(), term.schoolYear() + 1,
                messages.getMessage("enum.Term." + term.term().name(), null, locale)}, locale);
        exports.send(request, response, new Exports.Export("aid-term-" + termId, rows,
                messages.getMessage("job.title.exportAidList", new Object[]{name, rows}, locale),
                "/aid/terms/" + termId, messages.getMessage("aid.export.filename", new Object[]{name}, locale) + ".xlsx",
                Downloads.XLSX,
                out -> terms.exportEntitlements(user, termId, school, out, locale)));
    }

    /** A fund's statement: every ledger entry; a fund paid out over years holds many, so a long one is a job. */
    static void statement(Exports exports, Funds funds, MessageSource messages, long fundId,
                          Locale locale, HttpServletRequest request, HttpServletResponse response) throws IOException {
        CurrentUser user = CurrentUser.get();
        Funds.FundView fund = funds.statementOf(user, fundId);
        long rows = funds.statementRows(user, fundId);
        exports.send(request, response, new Exports.Export("fund-statement-" + fundId, rows,
                messages.getMessage("job.title.exportFundStatement", new Object[]{fund.name(), rows}, locale), "/aid",
                "fund-" + fundId + ".xlsx", Downloads.XLSX,
                out -> funds.statement(user, fundId, out, locale)));
    }
}
