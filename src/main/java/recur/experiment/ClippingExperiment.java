package recur.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import recur.data.CharVocabulary;
import recur.data.SyntheticText;
import recur.data.TokenStreams;
import recur.math.Kernels;
import recur.model.CellType;
import recur.model.Initializer;
import recur.model.ModelSpec;
import recur.model.Task;
import recur.nn.Network;
import recur.nn.RecurrentState;
import recur.nn.Window;
import recur.optim.GradientClipping;
import recur.optim.Optimizer;
import recur.optim.Optimizers;
import recur.plot.Series;
import recur.plot.SvgPlot;

/**
 * The clipping experiment: one model (same data, same initial weights) trained three times at a
 * learning rate chosen to be too high, with no clipping, with element-wise value clipping, and with
 * global-norm clipping (Pascanu, Mikolov and Bengio 2013), recording the loss and the gradient norm
 * of every step.
 *
 * <p>The step is the one {@link recur.train.Trainer} takes (value clip, then norm clip, then the
 * optimizer; a non-finite gradient is skipped), written out here so that the gradient norm can be
 * recorded before any clipping in all three runs (the trainer reports it after value clipping).
 *
 * <p>Call order: {@link #run}, then {@link #table}, {@link #writeCsv} and {@link #writePlot}.
 */
public final class ClippingExperiment {

    /** The three runs. */
    public enum Clip { NONE, VALUE, NORM }

    /** What to train: a character language model on generated English-like text, plain SGD. */
    public record Settings(String cell, int hidden, int embedding, int window, int batch, long steps, String optimizer,
                           double lr, double clipValue, double clipNorm, long seed) {
        public static Settings defaults() {
            return new Settings("rnn_tanh", 64, 16, 32, 16, 300, "sgd", 3.0, 0.01, 1.0, 1);
        }

        public Settings withSteps(long steps) {
            return new Settings(cell, hidden, embedding, window, batch, steps, optimizer, lr, clipValue, clipNorm, seed);
        }

        public Settings withLr(double lr) {
            return new Settings(cell, hidden, embedding, window, batch, steps, optimizer, lr, clipValue, clipNorm, seed);
        }
    }

    /** One run: per-step loss and gradient norm (before clipping, NaN when not finite), and a summary. */
    public record Run(Clip clip, double[] loss, double[] gradNorm, long skipped, double heldOutLoss) {
        /** Mean training loss over the last tenth of the steps (finite ones). */
        public double finalLoss() {
            return meanFinite(Arrays.copyOfRange(loss, loss.length - Math.max(1, loss.length / 10), loss.length));
        }

        public double medianGradNorm() {
            double[] f = Arrays.stream(gradNorm).filter(Double::isFinite).sorted().toArray();
            return f.length == 0 ? Double.NaN : f[f.length / 2];
        }

        public double maxGradNorm() {
            return Arrays.stream(gradNorm).filter(Double::isFinite).max().orElse(Double.NaN);
        }
    }

    private ClippingExperiment() {
    }

    static double meanFinite(double[] v) {
        return Arrays.stream(v).filter(Double::isFinite).average().orElse(Double.NaN);
    }

    /** Trains the three runs one after another (each is seconds). */
    public static List<Run> run(Settings s) {
        String text = SyntheticText.generate(Seeds.derive(s.seed(), "clipping/text"), 60_000);
        String heldOut = SyntheticText.generate(Seeds.derive(s.seed(), "clipping/held-out"), 20_000);
        CharVocabulary vocab = CharVocabulary.of(text + heldOut);
        ModelSpec spec = ModelSpec.tokens(CellType.parse(s.cell()), 1, s.hidden(), s.embedding(), vocab.tokens(),
                Task.LM, vocab.size(), false);
        float[] init = Initializer.initialize(spec, Seeds.derive(s.seed(), "clipping/init"), false);
        List<Run> runs = new ArrayList<>();
        for (Clip clip : Clip.values()) {
            runs.add(train(s, spec, init.clone(), vocab.encode(text), vocab.encode(heldOut), clip));
        }
        return runs;
    }

    private static Run train(Settings s, ModelSpec spec, float[] params, int[] tokens, int[] heldOut, Clip clip) {
        Kernels k = Kernels.get();
        TokenStreams data = TokenStreams.of(tokens, s.batch(), s.window());
        Network net = new Network(spec, s.batch(), s.window(), k);
        Window w = net.newWindow();
        RecurrentState state = net.newState();
        float[] grad = new float[params.length];
        Optimizer optimizer = Optimizers.parse(s.optimizer(), params.length);
        GradientClipping clipping = new GradientClipping(k);
        int n = params.length;
        double[] loss = new double[(int) s.steps()];
        double[] norm = new double[loss.length];
        long skipped = 0;
        for (int i = 0; i < loss.length; i++) {
            data.next(w, state);
            loss[i] = net.forwardBackward(params, grad, w, state);
            if (!Double.isFinite(loss[i]) || !clipping.finite(grad, n)) {
                norm[i] = Double.NaN;
                skipped++;
                continue;
            }
            norm[i] = clipping.norm(grad, 0, n);
            if (clip == Clip.VALUE) {
                GradientClipping.clipValue(grad, n, (float) s.clipValue());
            } else if (clip == Clip.NORM) {
                clipping.clipNorm(grad, n, s.clipNorm());
            }
            optimizer.step(params, grad, s.lr());
        }
        return new Run(clip, loss, norm, skipped, heldOutLoss(spec, params, heldOut, s));
    }

    /** Mean loss (nats per character) on the held-out text, state carried across its windows. */
    private static double heldOutLoss(ModelSpec spec, float[] params, int[] tokens, Settings s) {
        TokenStreams data = TokenStreams.of(tokens, s.batch(), s.window());
        Network net = new Network(spec, s.batch(), s.window(), Kernels.get());
        Window w = net.newWindow();
        RecurrentState state = net.newState();
        double sum = 0;
        long count = 0;
        int windows = (TokenStreams.streamLength(tokens.length, s.batch()) + s.window() - 1) / s.window();
        for (int i = 0; i < windows; i++) {
            data.next(w, state);
            sum += net.lossSum(params, w, state);
            count += (long) w.steps * w.batch;
        }
        return sum / count;
    }

    /** A label for a run, with its threshold. */
    public static String label(Clip clip, Settings s) {
        return switch (clip) {
            case NONE -> "no clipping";
            case VALUE -> "value clip " + fmt(s.clipValue());
            case NORM -> "norm clip " + fmt(s.clipNorm());
        };
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v).replaceAll("\\.?0+$", "");
    }

    public static String table(List<Run> runs, Settings s) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-18s %12s %12s %12s %12s %8s%n", "run", "final loss", "held-out",
                "median |g|", "max |g|", "skipped"));
        for (Run r : runs) {
            b.append(String.format(Locale.ROOT, "%-18s %12.4f %12.4f %12.4g %12.4g %8d%n", label(r.clip(), s),
                    r.finalLoss(), r.heldOutLoss(), r.medianGradNorm(), r.maxGradNorm(), r.skipped()));
        }
        return b.toString();
    }

    public static final String CSV_HEADER = "clip,step,loss,grad_norm";

    /** Every step of every run: clip (none, value, norm), step (from 1), loss, gradient norm before clipping. */
    public static void writeCsv(Path file, List<Run> runs) throws IOException {
        StringBuilder b = new StringBuilder(CSV_HEADER).append('\n');
        for (Run r : runs) {
            String name = r.clip().name().toLowerCase(Locale.ROOT);
            for (int i = 0; i < r.loss().length; i++) {
                b.append(name).append(',').append(i + 1).append(',')
                        .append(String.format(Locale.ROOT, "%.6g,%.6g", r.loss()[i], r.gradNorm()[i])).append('\n');
            }
        }
        Files.writeString(file, b);
    }

    /** Loss, then gradient norm (log scale), against the step, a line per run. */
    public static void writePlot(Path file, List<Run> runs, Settings s) throws IOException {
        List<Series> loss = new ArrayList<>();
        List<Series> norm = new ArrayList<>();
        for (Run r : runs) {
            double[] x = new double[r.loss().length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i + 1;
            }
            loss.add(new Series(label(r.clip(), s), x, r.loss()));
            norm.add(new Series(label(r.clip(), s), x, r.gradNorm()));
        }
        String setting = String.format(Locale.ROOT, "%s, %s lr %s", s.cell(), s.optimizer(), fmt(s.lr()));
        SvgPlot.writeColumn(file, List.of(
                SvgPlot.lines("Training loss (" + setting + ")", "step", "loss (nats/char)", loss),
                SvgPlot.lines("Gradient norm before clipping", "step", "global L2 norm", norm).logY()));
    }
}
