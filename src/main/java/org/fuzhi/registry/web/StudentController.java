package org.fuzhi.registry.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fuzhi.common.Page;
import org.fuzhi.common.Stage;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Downloads;
import org.fuzhi.platform.Exports;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Privacy;
import org.fuzhi.platform.StaleEditException;
import org.fuzhi.region.Directory;
import org.fuzhi.registry.EnrolmentStatus;
import org.fuzhi.registry.Registry;
import org.fuzhi.registry.StudentNotes;
import org.fuzhi.registry.StudentView;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

@Controller
class StudentController {

    private final Registry registry;
    private final MessageSource messages;
    private final AuditLog audit;

    private final List<StudentNotes> notes;
    private final Directory directory;

    private final Exports exports;

    StudentController(Registry registry, MessageSource messages, AuditLog audit,
                      List<StudentNotes> notes, Directory directory,
                      Exports exports) {
        this.exports = exports;
        this.directory = directory;
        this.notes = notes;
        this.registry = registry;
        this.messages = messages;
        this.audit = audit;
    }

    /**
     * The one way the list, the API and the export read the search box: as the role's privacy rules allow. A search
     * by a full ID or 学籍号, or one the role may not make, is audited (its kind, never the searched value).
     */
    private Registry.StudentQuery query(String q, String school, String stage, String status, Boolean poor) {
        var search = Privacy.of(CurrentUser.get()).search(q);
        if (search.audited()) {
            audit.record("STUDENT_SEARCH", "student", null, Map.of("by", search.auditKind()));
        }
        return new Registry.StudentQuery(search, school, blank(stage), blank(status), poor);
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static final List<Integer> PAGE_SIZES = List.of(20, 50, 100);

    @GetMapping("/students")
    String list(@RequestParam(required = false) String q, @RequestParam(required = false) String school,
                @RequestParam(required = false) String stage, @RequestParam(required = false) String status,
                @RequestParam(required = false) Boolean poor, @RequestParam(defaultValue = "0") int page,
                @RequestParam(required = false) String sort, @RequestParam(defaultValue = "20") int size, Model model) {
        var user = CurrentUser.get();
        // A role without children's data is told so, not shown an empty list that reads as "no students".
        user.require(user.role().seesChildren());
        Registry.StudentQuery base = query(q, school, stage, status, poor);
        int rows = PAGE_SIZES.contains(size) ? size : 20;
        model.addAttribute("result", registry.students(user.childDataScope(), new Registry.StudentQuery(base.search(),
                base.schoolCode(), base.stage(), base.status(), base.registeredPoor(), sort), Math.max(page, 0), rows));
        model.addAttribute("sort", sort == null ? "" : sort);
        model.addAttribute("pageSizes", PAGE_SIZES);
        // Schools by name for the filter where the list is short enough to choose from.
        var schools = directory.schools(user.scope(), new Directory.SchoolQuery(null, null, null), 0, 501);
        if (schools.total() <= 500) {
            model.addAttribute("schoolOptions", schools.items());
        }
        model.addAttribute("q", q);
        model.addAttribute("school", school);
        model.addAttribute("stage", stage);
        model.addAttribute("status", status);
        model.addAttribute("poor", poor);
        model.addAttribute("stages", Arrays.asList(Stage.values()));
        model.addAttribute("statuses", Arrays.asList(EnrolmentStatus.values()));
        model.addAttribute("maskNames", !Privacy.of(user).fullNames());
        return "registry/students";
    }

    @GetMapping("/students/{id}")
    String detail(@PathVariable long id, Model model, Locale locale) {
        var user = CurrentUser.get();
        model.addAttribute("s", load(user, id));
        model.addAttribute("notes", notesOf(user, id, locale));
        model.addAttribute("mayUnmask", user.role().mayUnmask());
        model.addAttribute("mayEdit", user.role().mayEditRegistry());
        model.addAttribute("maskNames", !Privacy.of(user).fullNames());
        return "registry/student";
    }

    /** What identification, dropout prevention and aid know of the student (asked after the scope check). */
    private List<StudentNotes.Note> notesOf(CurrentUser user, long id, Locale locale) {
        return notes.stream().flatMap(n -> n.notes(user, id, locale).stream())
                .sorted(Comparator.comparingInt(StudentNotes.Note::order)).toList();
    }

    /** Shows the full ID number once; the act is audited. */
    @PostMapping("/students/{id}/unmask")
    String unmask(@PathVariable long id, Model model) {
        var user = CurrentUser.get();
        user.require(user.role().mayUnmask());
        model.addAttribute("s", load(user, id));
        model.addAttribute("notes", notesOf(user, id, LocaleContextHolder.getLocale()));
        model.addAttribute("fullIdNumber", registry.unmaskIdNumber(user.childDataScope(), id));
        model.addAttribute("mayUnmask", true);
        model.addAttribute("mayEdit", user.role().mayEditRegistry());
        model.addAttribute("maskNames", false);
        return "registry/student";
    }

    @GetMapping("/students/{id}/edit")
    String editForm(@PathVariable long id, Model model) {
        var user = CurrentUser.get();
        user.require(user.role().mayEditRegistry());
        model.addAttribute("s", load(user, id));
        model.addAttribute("statuses", Arrays.asList(EnrolmentStatus.values()));
        return "registry/student-edit";
    }

    @PostMapping("/students/{id}/edit")
    String edit(@PathVariable long id, @RequestParam int version, @RequestParam String name,
                @RequestParam(required = false) String ethnicity, @RequestParam(required = false) Integer grade,
                @RequestParam(required = false) String className, @RequestParam(defaultValue = "false") boolean boarding,
                @RequestParam EnrolmentStatus status, @RequestParam(defaultValue = "false") boolean leftBehind,
                @RequestParam(defaultValue = "false") boolean singleParent,
                @RequestParam(defaultValue = "false") boolean orphan,
                @RequestParam(defaultValue = "false") boolean disability, Model model, Locale locale,
                RedirectAttributes redirect) {
        var user = CurrentUser.get();
        user.require(user.role().mayEditRegistry());
        String error = null;
        if (name == null || name.isBlank() || name.strip().length() > 50) {
            error = messages.getMessage("student.edit.nameRule", null, locale);
        } else if (grade != null && (grade < 1 || grade > 9)) {
            error = messages.getMessage("student.edit.gradeRule", null, locale);
        } else if (className != null && className.length() > 30) {
            error = messages.getMessage("student.edit.classRule", null, locale);
        } else if (ethnicity != null && ethnicity.strip().length() > 20) {
            error = messages.getMessage("import.rule.tooLong", new Object[]{20}, locale);
        }
        var edit = new Registry.StudentEdit(name, ethnicity, grade, className, boarding, status, leftBehind,
                singleParent, orphan, disability);
        if (error == null) {
            try {
                registry.updateStudent(user.childDataScope(), id, version, edit);
                redirect.addFlashAttribute("saved", true);
                return "redirect:/students/" + id;
            } catch (StaleEditException e) {
                error = messages.getMessage("error.stale", null, locale);
            }
        }
        // Keep what the user typed so nothing is lost, and show the current record's version.
        model.addAttribute("s", load(user, id));
        model.addAttribute("typed", edit);
        model.addAttribute("error", error);
        model.addAttribute("statuses", Arrays.asList(EnrolmentStatus.values()));
        return "registry/student-edit";
    }

    @GetMapping({"/students/export", "/api/v1/students/export"})
    void export(@RequestParam(required = false) String q, @RequestParam(required = false) String school,
                @RequestParam(required = false) String stage, @RequestParam(required = false) String status,
                @RequestParam(required = false) Boolean poor, @RequestParam(defaultValue = "false") boolean unmask,
                HttpServletResponse response, HttpServletRequest request, Locale locale)
            throws IOException {
        var user = CurrentUser.get();
        // A role without children's data is told so, not shown an empty list that reads as "no students".
        user.require(user.role().seesChildren());
        String filename = messages.getMessage("student.export.filename", null, locale) + ".xlsx";
        var query = query(q, school, stage, status, poor);
        long rows = registry.students(user.childDataScope(), query, 0, 1).total();
        // A county's whole list takes a while to write: above a page's worth, a job with its progress bar.
        exports.send(request, response, new Exports.Export("students", rows,
                messages.getMessage("job.title.exportStudents", new Object[]{rows}, locale),
                "/students" + (request.getQueryString() == null ? "" : "?" + request.getQueryString()),
                filename, Downloads.XLSX, out -> registry.exportStudents(user, query, unmask, out, locale)));
    }

    @GetMapping("/api/v1/students")
    @ResponseBody
    Page<StudentView> apiList(@RequestParam(required = false) String q, @RequestParam(required = false) String school,
                              @RequestParam(required = false) String stage, @RequestParam(required = false) String status,
                              @RequestParam(required = false) Boolean poor, @RequestParam(defaultValue = "0") int page,
                              @RequestParam(required = false) String sort, @RequestParam(defaultValue = "50") int size) {
        var user = CurrentUser.get();
        // A role without children's data is told so, not shown an empty list that reads as "no students".
        user.require(user.role().seesChildren());
        Registry.StudentQuery base = query(q, school, stage, status, poor);
        var result = registry.students(user.childDataScope(), new Registry.StudentQuery(base.search(),
                        base.schoolCode(), base.stage(), base.status(), base.registeredPoor(), sort),
                Math.max(page, 0), Math.min(Math.max(size, 1), 500));
        Privacy privacy = Privacy.of(user);
        return new Page<>(result.items().stream().map(s -> s.seenBy(privacy)).toList(),
                result.total(), result.page(), result.size(), result.totalCapped());
    }

    @GetMapping("/api/v1/students/{id}")
    @ResponseBody
    StudentView apiOne(@PathVariable long id) {
        var user = CurrentUser.get();
        StudentView s = load(user, id);
        return s.seenBy(Privacy.of(user));
    }

    @PostMapping("/api/v1/students/{id}/unmask")
    @ResponseBody
    Map<String, String> apiUnmask(@PathVariable long id) {
        var user = CurrentUser.get();
        user.require(user.role().mayUnmask());
        return Map.of("idNumber", registry.unmaskIdNumber(user.childDataScope(), id));
    }

    /** The student as this user may see them: every page and answer goes through the privacy rule. */
    private StudentView load(CurrentUser user, long id) {
        return registry.student(user.childDataScope(), id).orElseThrow(() -> new NotFoundException("student"))
                .seenBy(Privacy.of(user));
    }
}
