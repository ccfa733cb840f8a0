package org.fuzhi.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a browser test class where a system Chromium is installed (Playwright may not download one here).
 * Skipped with a message otherwise, unless {@code -Dfuzhi.require.browser=true} (set by CI).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(Chromium.Condition.class)
public @interface Chromium {

    Path EXECUTABLE = Path.of(System.getProperty("fuzhi.test.chromium", "/usr/bin/chromium"));

    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (Files.isExecutable(EXECUTABLE)) {
                return ConditionEvaluationResult.enabled("Chromium at " + EXECUTABLE);
            }
            if (Boolean.getBoolean("fuzhi.require.browser")) {
                throw new IllegalStateException("Chromium is required (fuzhi.require.browser=true) but "
                        + EXECUTABLE + " is missing");
            }
            String msg = "SKIPPED: browser suite — no Chromium at " + EXECUTABLE;
            System.out.println(msg);
            return ConditionEvaluationResult.disabled(msg);
        }
    }
}
