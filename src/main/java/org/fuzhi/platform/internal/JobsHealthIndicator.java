package org.fuzhi.platform.internal;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code jobs} in /actuator/health (and in readiness): down when this instance no longer takes jobs (shutting down)
 * or its ticker has stopped going round — then progress bars freeze and heartbeats stop, and the balancer should
 * send work elsewhere.
 */
@Component("jobsHealthIndicator")
class JobsHealthIndicator implements HealthIndicator {

    private final JobRunner runner;

    JobsHealthIndicator(JobRunner runner) {
        this.runner = runner;
    }

    @Override
    public Health health() {
        long sinceTick = runner.secondsSinceTick();
        Health.Builder b = runner.accepting() && sinceTick < 30 ? Health.up() : Health.down();
        return b.withDetail("running", runner.activeWorkers()).withDetail("queued", runner.queued())
                .withDetail("secondsSinceTick", sinceTick).build();
    }
}
