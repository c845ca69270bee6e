package recur.optim;

import java.util.Locale;

/**
 * The learning rate as a function of the 0-based optimizer step ({@link Optimizer#steps()} before the
 * step is taken). Specs (parsed by {@link #parse}; the base learning rate and the run's total step
 * count come from the training configuration):
 *
 * <ul>
 *   <li>{@code constant}: {@code lr}.
 *   <li>{@code step:EVERY:GAMMA}: {@code lr * GAMMA^floor(step / EVERY)}, e.g. {@code step:1000:0.5}.
 *   <li>{@code cosine[:warmup=W][:min=MIN][:total=N]}: linear warm-up {@code lr * (step + 1) / W} for
 *       {@code step < W}, then cosine decay
 *       {@code MIN + (lr - MIN) * (1 + cos(pi * p)) / 2} with {@code p = (step - W) / max(1, N - W)},
 *       clamped to 1 (so {@code MIN} from step N on). Defaults: W 0, MIN 0, N the run's total steps.
 *       e.g. {@code cosine:warmup=100:min=1e-4}.
 * </ul>
 */
public sealed interface LearningRateSchedule {

    String USAGE = "expected constant | step:EVERY:GAMMA | cosine[:warmup=W][:min=MIN][:total=N]";

    /** Learning rate for the 0-based step {@code step}. */
    double lr(long step);

    /** The spec string that {@link #parse} turns back into this schedule. */
    String spec();

    /** Constant learning rate. */
    record Constant(double base) implements LearningRateSchedule {
        public Constant {
            checkLr(base, "lr");
        }

        @Override
        public double lr(long step) {
            checkStep(step);
            return base;
        }

        @Override
        public String spec() {
            return "constant";
        }
    }

    /** Multiply by {@code gamma} every {@code every} steps. */
    record StepDecay(double base, long every, double gamma) implements LearningRateSchedule {
        public StepDecay {
            checkLr(base, "lr");
            if (every <= 0) {
                throw new IllegalArgumentException("step schedule: EVERY must be > 0, got " + every);
            }
            if (!(gamma > 0) || !Double.isFinite(gamma)) {
                throw new IllegalArgumentException("step schedule: GAMMA must be > 0, got " + gamma);
            }
        }

        @Override
        public double lr(long step) {
            checkStep(step);
            return base * Math.pow(gamma, (double) (step / every));
        }

        @Override
        public String spec() {
            return "step:" + every + ":" + gamma;
        }
    }

    /** Linear warm-up over {@code warmup} steps, then cosine from {@code base} to {@code min} at {@code total}. */
    record Cosine(double base, double min, long warmup, long total) implements LearningRateSchedule {
        public Cosine {
            checkLr(base, "lr");
            checkLr(min, "min");
            if (min > base) {
                throw new IllegalArgumentException("cosine schedule: min (" + min + ") must not exceed lr (" + base + ")");
            }
            if (warmup < 0) {
                throw new IllegalArgumentException("cosine schedule: warmup must be >= 0, got " + warmup);
            }
            if (total <= 0) {
                throw new IllegalArgumentException("cosine schedule: total steps must be > 0, got " + total);
            }
        }

        @Override
        public double lr(long step) {
            checkStep(step);
            if (step < warmup) {
                return base * (step + 1) / warmup;
            }
            double p = Math.min(1.0, (double) (step - warmup) / Math.max(1L, total - warmup));
            return min + (base - min) * 0.5 * (1.0 + Math.cos(Math.PI * p));
        }

        @Override
        public String spec() {
            return "cosine:warmup=" + warmup + ":min=" + min + ":total=" + total;
        }
    }

    /**
     * Parses {@code spec} (see the interface comment) for base learning rate {@code lr}.
     * {@code totalSteps} is the run's step count, the default cosine horizon ({@code <= 0}: unknown,
     * then the cosine spec must give {@code total=N}).
     */
    static LearningRateSchedule parse(String spec, double lr, long totalSteps) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty lr schedule: " + USAGE);
        }
        String s = spec.trim().toLowerCase(Locale.ROOT);
        String[] p = s.split(":", -1);
        try {
            switch (p[0]) {
                case "constant" -> {
                    if (p.length != 1) {
                        throw new IllegalArgumentException("constant takes no arguments");
                    }
                    return new Constant(lr);
                }
                case "step" -> {
                    if (p.length != 3) {
                        throw new IllegalArgumentException("step needs EVERY and GAMMA");
                    }
                    return new StepDecay(lr, Long.parseLong(p[1].trim()), Double.parseDouble(p[2].trim()));
                }
                case "cosine" -> {
                    long warmup = 0;
                    double min = 0;
                    long total = totalSteps;
                    for (int i = 1; i < p.length; i++) {
                        int eq = p[i].indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException("expected KEY=VALUE, got '" + p[i] + "'");
                        }
                        String key = p[i].substring(0, eq).trim();
                        String val = p[i].substring(eq + 1).trim();
                        switch (key) {
                            case "warmup" -> warmup = Long.parseLong(val);
                            case "min" -> min = Double.parseDouble(val);
                            case "total" -> total = Long.parseLong(val);
                            default -> throw new IllegalArgumentException("unknown cosine key '" + key + "'");
                        }
                    }
                    if (total <= 0) {
                        throw new IllegalArgumentException("cosine needs the total step count (total=N)");
                    }
                    return new Cosine(lr, min, warmup, total);
                }
                default -> throw new IllegalArgumentException("unknown schedule '" + p[0] + "'");
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad lr schedule '" + spec + "': not a number (" + e.getMessage()
                    + "); " + USAGE);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad lr schedule '" + spec + "': " + e.getMessage() + "; " + USAGE);
        }
    }

    private static void checkLr(double v, String what) {
        if (!(v >= 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(what + " must be finite and >= 0, got " + v);
        }
    }

    private static void checkStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
    }
}
