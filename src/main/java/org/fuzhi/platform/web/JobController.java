package org.fuzhi.platform.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.fuzhi.platform.JobFiles;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.NotFoundException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

/** The user's own jobs: a list, one job's progress bar (polled by htmx), cancel; the same over the API. */
@Controller
class JobController {

    private final Jobs jobs;
    private final JobFiles files;

    JobController(Jobs jobs, JobFiles files) {
        this.jobs = jobs;
        this.files = files;
    }

    /** The file a job left (a large export): its owner's only, for a day. */
    @GetMapping({"/jobs/{id}/file", "/api/v1/jobs/{id}/file"})
    void file(@PathVariable String id, HttpServletResponse response) throws IOException {
        if (!files.download(id, response)) {
            throw new NotFoundException("job file");
        }
    }

    @GetMapping("/jobs")
    String list(Model model) {
        model.addAttribute("jobs", jobs.recent(50));
        return "platform/jobs";
    }

    /**
     * @param follow set when the user arrives straight from starting the work: a job that has already succeeded
     *               then leads on to its result, as the bar would have
     */
    @GetMapping("/jobs/{id}")
    String page(@PathVariable String id, @RequestParam(defaultValue = "false") boolean follow, Model model) {
        Jobs.Job job = job(id);
        if (follow && job.state() == Jobs.State.SUCCEEDED && job.resultUrl() != null) {
            return "redirect:" + job.resultUrl();
        }
        model.addAttribute("job", job);
        model.addAttribute("follow", follow);
        return "platform/job";
    }

    /**
     * The bar alone, polled every second while the job runs. When it has succeeded the browser is sent on to the
     * result (the user was waiting for it); a failure stays on the page with its reason.
     */
    @GetMapping("/jobs/{id}/bar")
    String bar(@PathVariable String id, @RequestParam(defaultValue = "true") boolean follow, Model model,
               HttpServletResponse response) {
        Jobs.Job job = job(id);
        model.addAttribute("job", job);
        model.addAttribute("follow", follow);
        // A file is not a page to go to: the finished bar offers its download button instead.
        if (follow && job.state() == Jobs.State.SUCCEEDED && job.resultUrl() != null
                && !job.resultUrl().endsWith("/file")) {
            response.setHeader("HX-Redirect", job.resultUrl());
        }
        return "platform/job :: bar";
    }

    @PostMapping("/jobs/{id}/cancel")
    String cancel(@PathVariable String id) {
        jobs.cancel(id);
        return "redirect:/jobs/" + id;
    }

    @GetMapping("/api/v1/jobs")
    @ResponseBody
    List<Jobs.Job> apiList() {
        return jobs.recent(50);
    }

    @GetMapping("/api/v1/jobs/{id}")
    @ResponseBody
    Jobs.Job apiJob(@PathVariable String id) {
        return job(id);
    }

    @PostMapping("/api/v1/jobs/{id}/cancel")
    @ResponseBody
    Jobs.Job apiCancel(@PathVariable String id) {
        return jobs.cancel(id);
    }

    private Jobs.Job job(String id) {
        // Another user's job is "not found": its title may name a school or an area the reader has no business with.
        return jobs.find(id).orElseThrow(() -> new NotFoundException("job"));
    }
}
