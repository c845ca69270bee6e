package recur.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import recur.data.LabelledSequences.Sequence;
import recur.io.Json;
import recur.io.ModelFile;
import recur.math.Kernels;
import recur.model.ModelSpec;
import recur.model.Task;
import recur.nn.Network;
import recur.nn.RecurrentState;
import recur.nn.Window;

/**
 * Held-out data evaluated during training: the mean loss (and, for a classifier, the accuracy) of the
 * current parameters, forward only; when the loss is the lowest so far the parameters are written to
 * {@code best.safetensors}. A language model's validation text is read as one stream from the initial
 * state, like {@code recur eval}; a classifier's sequences one at a time.
 *
 * <p>Call order: construct, {@link #check} at each validation step, then {@link #best()} and friends.
 */
final class Validation {
    private static final int LM_WINDOW = 256;

    private final ModelSpec spec;
    private final int[] tokens;           // lm
    private final List<Sequence> sequences; // classify
    private final String unit;
    private final Path bestPath;
    private final PrintStream out;
    private double best = Double.POSITIVE_INFINITY;
    private long bestStep = -1;
    private double last = Double.NaN;
    private long lastStep = -1;

    Validation(ModelSpec spec, int[] tokens, List<Sequence> sequences, String unit, Path bestPath, PrintStream out) {
        this.spec = spec;
        this.tokens = tokens;
        this.sequences = sequences;
        this.unit = unit;
        this.bestPath = bestPath;
        this.out = out;
    }

    /** {loss, accuracy}: mean loss per predicted token (lm) or per sequence (classify); accuracy NaN for lm. */
    double[] evaluate(float[] params) {
        return spec.task() == Task.LM ? new double[] {lmLoss(spec, params, tokens), Double.NaN}
                : classify(spec, params, sequences);
    }

    /** Mean next-token loss of a text read as one stream. */
    static double lmLoss(ModelSpec spec, float[] params, int[] tokens) {
        int pairs = tokens.length - 1;
        Network net = new Network(spec, 1, Math.min(LM_WINDOW, pairs), Kernels.get());
        Window w = net.newWindow();
        RecurrentState state = net.newState();
        double sum = 0;
        for (int from = 0; from < pairs; from += net.maxSteps()) {
            int steps = Math.min(net.maxSteps(), pairs - from);
            w.steps = steps;
            System.arraycopy(tokens, from, w.tokens, 0, steps);
            System.arraycopy(tokens, from + 1, w.targets, 0, steps);
            sum += net.lossSum(params, w, state);
        }
        return sum / pairs;
    }

    /** {mean loss, accuracy} of a classifier over whole sequences. */
    static double[] classify(ModelSpec spec, float[] params, List<Sequence> sequences) {
        int longest = sequences.stream().mapToInt(s -> s.tokens().length).max().orElse(1);
        Network net = new Network(spec, 1, longest, Kernels.get());
        Window w = net.newWindow();
        RecurrentState state = net.newState();
        double sum = 0;
        int correct = 0;
        for (Sequence s : sequences) {
            state.resetAll();
            w.steps = s.tokens().length;
            System.arraycopy(s.tokens(), 0, w.tokens, 0, w.steps);
            w.labels[0] = s.label();
            sum += net.lossSum(params, w, state);
            float[] logits = net.outputs();
            int arg = 0;
            for (int i = 1; i < spec.output(); i++) {
                if (logits[i] > logits[arg]) {
                    arg = i;
                }
            }
            if (arg == s.label()) {
                correct++;
            }
        }
        return new double[] {sum / sequences.size(), (double) correct / sequences.size()};
    }

    /** Evaluates, reports, and keeps the parameters when they are the best so far. */
    void check(long step, float[] params, Map<String, String> metadata, Progress.Mode mode) {
        if (step == lastStep) {
            return;
        }
        double[] r = evaluate(params);
        last = r[0];
        lastStep = step;
        boolean better = r[0] < best;
        if (better) {
            best = r[0];
            bestStep = step;
            Map<String, String> meta = new LinkedHashMap<>(metadata);
            meta.put("trained_steps", Long.toString(step));
            meta.put("val_loss", String.format(Locale.ROOT, "%.6f", r[0]));
            ModelFile.save(bestPath, spec, params.clone(), meta);
        }
        if (mode == Progress.Mode.JSON) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("event", "validation");
            e.put("step", step);
            e.put("val_loss", Progress.finite(r[0]));
            if (!Double.isNaN(r[1])) {
                e.put("val_accuracy", r[1]);
            }
            e.put("best", better);
            out.println(Json.write(e));
        } else if (mode == Progress.Mode.PLAIN) { // on a terminal the live line shows it
            String extra = spec.task() == Task.LM ? String.format(Locale.ROOT, " nats/%s (perplexity %.2f)", unit, Math.exp(r[0]))
                    : String.format(Locale.ROOT, " nats/sequence, accuracy %.1f%%", 100 * r[1]);
            out.println(String.format(Locale.ROOT, "step %d: validation loss %.4f%s%s", step, r[0], extra,
                    better ? ", best so far (saved " + bestPath.getFileName() + ")" : ""));
        }
    }

    double best() {
        return best;
    }

    long bestStep() {
        return bestStep;
    }

    double last() {
        return last;
    }

    Path bestPath() {
        return bestPath;
    }
}
