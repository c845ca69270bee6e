package recur.cli;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import recur.train.TrainConfig;

/**
 * The settable keys of a {@link TrainConfig}, named as in the written {@code config.json} and in a
 * configuration file. The command line and a configuration file both set options through
 * {@link #set}, so a value means the same wherever it comes from.
 */
final class TrainSettings {
    private TrainSettings() {}

    private interface Setter {
        void set(TrainConfig c, Object value, String where);
    }

    private static final Map<String, Setter> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("text", (c, v, w) -> c.text = path(v, w));
        KEYS.put("level", (c, v, w) -> c.level = string(v, w));
        KEYS.put("task", (c, v, w) -> c.task = string(v, w));
        KEYS.put("labels", (c, v, w) -> c.labels = path(v, w));
        KEYS.put("vocab_size", (c, v, w) -> c.vocabSize = integer(v, w));
        KEYS.put("min_count", (c, v, w) -> c.minCount = integer(v, w));
        KEYS.put("lowercase", (c, v, w) -> c.lowercase = bool(v, w));
        KEYS.put("val_fraction", (c, v, w) -> c.valFraction = number(v, w));
        KEYS.put("val_text", (c, v, w) -> c.valText = path(v, w));
        KEYS.put("eval_every", (c, v, w) -> c.evalEvery = integer(v, w));
        KEYS.put("init_model", (c, v, w) -> c.initModel = path(v, w));
        KEYS.put("csv", (c, v, w) -> c.csv = path(v, w));
        KEYS.put("target", (c, v, w) -> c.target = string(v, w));
        KEYS.put("features", (c, v, w) -> c.features = strings(v, w));
        KEYS.put("categorical", (c, v, w) -> c.categorical = strings(v, w));
        KEYS.put("missing", (c, v, w) -> c.missing = string(v, w));
        KEYS.put("holdout", (c, v, w) -> c.holdout = number(v, w));
        KEYS.put("season", (c, v, w) -> c.season = v == null ? null : integer(v, w));
        KEYS.put("cell", (c, v, w) -> c.cell = string(v, w));
        KEYS.put("layers", (c, v, w) -> c.layers = integer(v, w));
        KEYS.put("hidden", (c, v, w) -> c.hidden = integer(v, w));
        KEYS.put("embedding", (c, v, w) -> c.embedding = integer(v, w));
        KEYS.put("learned_h0", (c, v, w) -> c.learnedH0 = bool(v, w));
        KEYS.put("forget_bias_one", (c, v, w) -> c.forgetBiasOne = bool(v, w));
        KEYS.put("window", (c, v, w) -> c.window = integer(v, w));
        KEYS.put("batch", (c, v, w) -> c.batch = integer(v, w));
        KEYS.put("optimizer", (c, v, w) -> c.optimizer = string(v, w));
        KEYS.put("lr", (c, v, w) -> c.lr = number(v, w));
        KEYS.put("schedule", (c, v, w) -> c.schedule = string(v, w));
        KEYS.put("clip_norm", (c, v, w) -> c.clipNorm = number(v, w));
        KEYS.put("clip_value", (c, v, w) -> c.clipValue = number(v, w));
        KEYS.put("steps", (c, v, w) -> c.steps = longInteger(v, w));
        KEYS.put("seed", (c, v, w) -> c.seed = longInteger(v, w));
        KEYS.put("out", (c, v, w) -> c.out = path(v, w));
        KEYS.put("log_every", (c, v, w) -> c.logEvery = integer(v, w));
        KEYS.put("workers", (c, v, w) -> c.workers = integer(v, w));
        KEYS.put("mode", (c, v, w) -> c.mode = string(v, w));
        KEYS.put("staleness", (c, v, w) -> c.staleness = integer(v, w));
        KEYS.put("checkpoint_every", (c, v, w) -> c.checkpointEvery = integer(v, w));
        KEYS.put("resume", (c, v, w) -> c.resume = path(v, w));
        KEYS.put("cluster", (c, v, w) -> c.cluster = bool(v, w));
        KEYS.put("expect_workers", (c, v, w) -> c.expectWorkers = integer(v, w));
        KEYS.put("cluster_config", (c, v, w) -> c.clusterConfig = path(v, w));
        KEYS.put("cluster_name", (c, v, w) -> c.clusterName = string(v, w));
        KEYS.put("local_clip_norm", (c, v, w) -> c.localClipNorm = number(v, w));
        KEYS.put("wire", (c, v, w) -> c.wire = string(v, w));
        KEYS.put("ps_shards", (c, v, w) -> c.psShards = integer(v, w));
        KEYS.put("ps_shard_nodes", (c, v, w) -> c.psShardNodes = bool(v, w));
        KEYS.put("ps_shard_wait", (c, v, w) -> c.psShardWait = integer(v, w));
    }

    static Set<String> keys() {
        return KEYS.keySet();
    }

    /**
     * Sets {@code key} to {@code value} (a JSON value, a command-line value or a string); {@code where}
     * names the source in messages, e.g. "config.json" or "--hidden".
     */
    static void set(TrainConfig config, String key, Object value, String where) {
        Setter s = KEYS.get(key);
        if (s == null) {
            throw new UserError(where + ": unknown setting '" + key + "'" + suggest(key, KEYS.keySet())
                    + " (the settings are the keys of config.json in a run directory)");
        }
        s.set(config, value, where);
    }

    /** "; did you mean X?" for the closest candidate within a small edit distance, else "". */
    static String suggest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = editDistance(word.toLowerCase(), c);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best != null && bestDistance <= Math.max(2, word.length() / 3) ? "; did you mean '" + best + "'?" : "";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String string(Object v, String where) {
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Number || v instanceof Boolean || v instanceof Path) {
            return v.toString();
        }
        throw new UserError(where + ": expected a string, got " + describe(v));
    }

    /** A list of names: a JSON array of strings, or one string of comma-separated names. */
    private static java.util.List<String> strings(Object v, String where) {
        if (v == null) {
            return null;
        }
        if (v instanceof java.util.List<?> l) {
            java.util.List<String> out = new java.util.ArrayList<>();
            for (Object o : l) {
                out.add(string(o, where));
            }
            return java.util.List.copyOf(out);
        }
        String s = string(v, where).strip();
        if (s.startsWith("[") && s.endsWith("]")) { // flat YAML's [a, b]
            s = s.substring(1, s.length() - 1);
        }
        return java.util.Arrays.stream(s.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
    }

    private static Path path(Object v, String where) {
        if (v == null) {
            return null;
        }
        if (v instanceof Path p) {
            return p;
        }
        String s = string(v, where);
        try {
            return Path.of(s);
        } catch (java.nio.file.InvalidPathException e) {
            throw new UserError(where + ": '" + s + "' is not a valid path");
        }
    }

    private static long longInteger(Object v, String where) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short) {
            return ((Number) v).longValue();
        }
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 9e15) {
            return d.longValue();
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim().replace("_", ""));
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new UserError(where + ": expected a whole number, got " + describe(v));
    }

    private static int integer(Object v, String where) {
        long n = longInteger(v, where);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new UserError(where + ": " + n + " is too large");
        }
        return (int) n;
    }

    private static double number(Object v, String where) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new UserError(where + ": expected a number, got " + describe(v));
    }

    private static boolean bool(Object v, String where) {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s) {
            switch (s.trim().toLowerCase()) {
                case "true", "yes", "on" -> {
                    return true;
                }
                case "false", "no", "off" -> {
                    return false;
                }
                default -> {
                }
            }
        }
        throw new UserError(where + ": expected true or false, got " + describe(v));
    }

    private static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        String s = v instanceof String ? "'" + v + "'" : v.toString();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
