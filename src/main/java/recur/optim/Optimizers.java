package recur.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds optimizers by name. Names and their hyperparameter keys (PyTorch names, PyTorch defaults
 * unless noted; the learning rate is not a hyperparameter here, it is passed to every
 * {@link Optimizer#step}):
 *
 * <ul>
 *   <li>{@code sgd}: weight_decay=0
 *   <li>{@code momentum}: momentum=0.9 (must be &gt; 0), dampening=0, weight_decay=0, nesterov=false
 *   <li>{@code adam}: beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0
 *   <li>{@code adagrad}: lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10
 *   <li>{@code rmsprop}: alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=false
 * </ul>
 *
 * Values may be {@link Number}s, {@link Boolean}s or strings that parse as such. Unknown names or keys
 * and bad values throw IllegalArgumentException with a one-line message.
 */
public final class Optimizers {

    /** The valid optimizer names, in documentation order. */
    public static final List<String> NAMES = List.of("sgd", "momentum", "adam", "adagrad", "rmsprop");

    private static final Map<String, Set<String>> KEYS = Map.of(
            "sgd", Set.of("weight_decay"),
            "momentum", Set.of("momentum", "dampening", "weight_decay", "nesterov"),
            "adam", Set.of("beta1", "beta2", "eps", "weight_decay"),
            "adagrad", Set.of("lr_decay", "weight_decay", "initial_accumulator_value", "eps"),
            "rmsprop", Set.of("alpha", "eps", "weight_decay", "momentum", "centered"));

    private Optimizers() {}

    /** An optimizer with default hyperparameters. */
    public static Optimizer create(String name, int size) {
        return create(name, size, Map.of());
    }

    /** An optimizer {@code name} for {@code size} parameters with the given hyperparameters. */
    public static Optimizer create(String name, int size, Map<String, ?> hp) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        Set<String> valid = KEYS.get(n);
        if (valid == null) {
            throw new IllegalArgumentException("unknown optimizer '" + name + "': valid names are "
                    + String.join(", ", NAMES));
        }
        for (String key : hp.keySet()) {
            if (!valid.contains(key)) {
                throw new IllegalArgumentException("unknown hyperparameter '" + key + "' for " + n + ": valid keys are "
                        + String.join(", ", valid.stream().sorted().toList()));
            }
        }
        return switch (n) {
            case "sgd" -> new Sgd(size, 0, 0, num(n, hp, "weight_decay", 0), false);
            case "momentum" -> {
                double mu = num(n, hp, "momentum", 0.9);
                if (!(mu > 0)) {
                    throw new IllegalArgumentException("momentum: momentum must be > 0 (use sgd for none), got " + mu);
                }
                yield new Sgd(size, mu, num(n, hp, "dampening", 0), num(n, hp, "weight_decay", 0),
                        bool(n, hp, "nesterov", false));
            }
            case "adam" -> new Adam(size, num(n, hp, "beta1", 0.9), num(n, hp, "beta2", 0.999),
                    num(n, hp, "eps", 1e-8), num(n, hp, "weight_decay", 0));
            case "adagrad" -> new Adagrad(size, num(n, hp, "lr_decay", 0), num(n, hp, "weight_decay", 0),
                    num(n, hp, "initial_accumulator_value", 0), num(n, hp, "eps", 1e-10));
            case "rmsprop" -> new RmsProp(size, num(n, hp, "alpha", 0.99), num(n, hp, "eps", 1e-8),
                    num(n, hp, "weight_decay", 0), num(n, hp, "momentum", 0), bool(n, hp, "centered", false));
            default -> throw new AssertionError(n);
        };
    }

    /**
     * Parses a spec {@code NAME[:KEY=VALUE]*}, e.g. {@code "adam"}, {@code "adam:beta2=0.98:eps=1e-6"},
     * {@code "momentum:momentum=0.95:nesterov=true"}, and builds the optimizer.
     */
    public static Optimizer parse(String spec, int size) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty optimizer spec: expected NAME[:KEY=VALUE]*, NAME one of "
                    + String.join(", ", NAMES));
        }
        String[] parts = spec.trim().split(":");
        Map<String, String> hp = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("bad optimizer spec '" + spec + "': expected KEY=VALUE, got '"
                        + parts[i] + "'");
            }
            hp.put(parts[i].substring(0, eq).trim(), parts[i].substring(eq + 1).trim());
        }
        return create(parts[0], size, hp);
    }

    private static double num(String opt, Map<String, ?> hp, String key, double dflt) {
        Object v = hp.get(key);
        if (v == null) {
            return dflt;
        }
        double d;
        if (v instanceof Number x) {
            d = x.doubleValue();
        } else {
            try {
                d = Double.parseDouble(v.toString().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(opt + ": " + key + " must be a number, got '" + v + "'");
            }
        }
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException(opt + ": " + key + " must be finite, got " + v);
        }
        return d;
    }

    private static boolean bool(String opt, Map<String, ?> hp, String key, boolean dflt) {
        Object v = hp.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException(opt + ": " + key + " must be true or false, got '" + v + "'");
        };
    }
}
