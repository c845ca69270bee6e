package recur.model;

/** What the head predicts and which loss trains it. */
public enum Task {
    /** Next token at every step; mean cross-entropy over all steps. */
    LM("lm"),
    /** One class per sequence from the last step's top hidden state; mean cross-entropy over sequences. */
    CLASSIFY("classify"),
    /** Real-valued output at every step; mean squared error over all outputs. */
    REGRESSION("regression");

    public final String id;

    Task(String id) {
        this.id = id;
    }

    public static Task parse(String id) {
        for (Task t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown task '" + id + "' (expected lm, classify or regression)");
    }

    @Override
    public String toString() {
        return id;
    }
}
