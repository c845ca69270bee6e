package recur.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import recur.io.Json;
import recur.train.StepStats;

/**
 * Training progress for people and scripts. On a terminal one live line (rewritten with {@code \r},
 * at most ten times a second) shows step, smoothed loss, tokens/s, gradient norm and ETA; elsewhere
 * the same as a plain line every {@code logEvery} steps; {@code QUIET} prints nothing here (the
 * command prints its summary); {@code JSON} prints one JSON object per line: a {@code step} event
 * every {@code logEvery} steps and at the last step.
 */
final class Progress implements TrainingListener {

    enum Mode { LIVE, PLAIN, QUIET, JSON }

    /** Weight of the past in the smoothed loss (bias-corrected, as Adam corrects its moments). */
    private static final double SMOOTHING = 0.95;
    private static final long LIVE_INTERVAL_NANOS = 100_000_000L;

    private final PrintStream out;
    private final Mode mode;
    private final long totalSteps;
    private final int logEvery;
    private final long startNanos = System.nanoTime();
    private double ema;
    private double emaWeight;
    private long tokens;
    private long lastLiveNanos;
    private int liveWidth;
    private StepStats last;
    private double validationLoss = Double.NaN;

    Progress(PrintStream out, Mode mode, long totalSteps, int logEvery) {
        this.out = out;
        this.mode = mode;
        this.totalSteps = totalSteps;
        this.logEvery = logEvery;
    }

    @Override
    public void onStep(StepStats s) {
        last = s;
        tokens += s.tokens();
        if (Double.isFinite(s.loss())) {
            ema = SMOOTHING * ema + (1 - SMOOTHING) * s.loss();
            emaWeight = SMOOTHING * emaWeight + (1 - SMOOTHING);
        }
        boolean logStep = s.step() % logEvery == 0 || s.step() == totalSteps || s.step() == 1;
        switch (mode) {
            case LIVE -> {
                if (s.skipped()) {
                    clearLive();
                    out.println("step " + s.step() + ": the gradient was not finite; the update was skipped");
                }
                long now = System.nanoTime();
                if (now - lastLiveNanos >= LIVE_INTERVAL_NANOS || s.step() == totalSteps) {
                    lastLiveNanos = now;
                    String line = line(s);
                    out.print("\r" + line + " ".repeat(Math.max(0, liveWidth - line.length())));
                    liveWidth = line.length();
                    out.flush();
                }
            }
            case PLAIN -> {
                if (s.skipped()) {
                    out.println("step " + s.step() + ": the gradient was not finite; the update was skipped");
                }
                if (logStep) {
                    out.println(line(s));
                }
            }
            case JSON -> {
                if (logStep || s.skipped()) {
                    out.println(Json.write(event(s)));
                }
            }
            case QUIET -> {
            }
        }
    }

    /** The latest validation loss, shown in the progress line and the JSON step events from now on. */
    void validation(double loss) {
        validationLoss = loss;
    }

    /** Ends the live line so that what follows starts on a fresh line. */
    void finish() {
        if (mode == Mode.LIVE && liveWidth > 0) {
            out.println();
            liveWidth = 0;
        }
    }

    private void clearLive() {
        if (liveWidth > 0) {
            out.print("\r" + " ".repeat(liveWidth) + "\r");
            liveWidth = 0;
        }
    }

    /** The smoothed training loss, NaN before the first finite one. */
    double smoothedLoss() {
        return emaWeight > 0 ? ema / emaWeight : Double.NaN;
    }

    double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    double tokensPerSecond() {
        double s = elapsedSeconds();
        return s > 0 ? tokens / s : 0;
    }

    long tokens() {
        return tokens;
    }

    StepStats last() {
        return last;
    }

    private double etaSeconds(long step) {
        return step == 0 ? Double.NaN : elapsedSeconds() / step * (totalSteps - step);
    }

    private String line(StepStats s) {
        int digits = Long.toString(totalSteps).length();
        String val = Double.isNaN(validationLoss) ? "" : String.format(Locale.ROOT, "  val %.4f", validationLoss);
        return String.format(Locale.ROOT, "step %" + digits + "d/%d  loss %.4f%s  %s tok/s  |g| %s  ETA %s",
                s.step(), totalSteps, smoothedLoss(), val, compact(tokensPerSecond()),
                Double.isFinite(s.gradNorm()) ? String.format(Locale.ROOT, "%.3g", s.gradNorm()) : "nan",
                duration(etaSeconds(s.step())));
    }

    private Map<String, Object> event(StepStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "step");
        m.put("step", s.step());
        m.put("steps", totalSteps);
        m.put("loss", finite(s.loss()));
        m.put("smoothed_loss", finite(smoothedLoss()));
        if (!Double.isNaN(validationLoss)) {
            m.put("val_loss", finite(validationLoss));
        }
        m.put("tokens", tokens);
        m.put("tokens_per_s", finite(tokensPerSecond()));
        m.put("grad_norm", finite(s.gradNorm()));
        m.put("clip_ratio", finite(s.clipRatio()));
        m.put("skipped", s.skipped());
        m.put("elapsed_s", finite(elapsedSeconds()));
        m.put("eta_s", finite(etaSeconds(s.step())));
        return m;
    }

    /** A JSON-writable number: null for NaN and infinities. */
    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static String compact(double v) {
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 1e4) {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }

    /** "1:05:03", "4:07" or "12s"; "?" when unknown. */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
