package org.fuzhi.identification;

import java.util.List;
import java.util.Map;

/** The identification module's assessment API. */
public interface Assessment {

    /**
     * Evaluates the model on the records without saving anything (what-if).
     *
     * @throws InvalidModelException naming the field and the rule when the model or a record is unusable
     */
    AssessmentResult evaluate(AssessmentModel model, List<Subject> records);

    /**
     * One person or household to assess.
     *
     * @param weight how many people the record stands for (default 1)
     * @param group  optional subgroup (region, stage, category) for decomposed aggregates
     * @param values attribute values: numbers, booleans or text
     */
    record Subject(String id, double weight, String group, Map<String, Object> values) {
    }

    /** The model or input breaks a rule; {@code field} is a JSON path such as {@code model.indicators[2].weight}. */
    final class InvalidModelException extends RuntimeException {
        private final String field;
        private final String messageKey;
        private final Object[] args;

        public InvalidModelException(String field, String messageKey, Object... args) {
            super(field + ": " + messageKey);
            this.field = field;
            this.messageKey = messageKey;
            this.args = args;
        }

        public String field() {
            return field;
        }

        public String messageKey() {
            return messageKey;
        }

        public Object[] args() {
            return args;
        }
    }
}
