package recur.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import recur.io.Json;
import recur.train.TrainConfig;

/**
 * A training configuration file: a JSON object whose keys are those of a run's {@code config.json}
 * (so a run's config.json can be passed back with {@code --config}), or the same as flat YAML
 * ({@code key: value} lines, {@code #} comments) when the name ends in {@code .yaml} or {@code .yml}.
 * Relative paths inside it are relative to the current directory, as on the command line (a run's
 * config.json records the text by its absolute path). Keys with a null value, and the
 * descriptive keys a run adds ({@code data}, {@code resumed_from}, {@code shards}, ...), are ignored.
 */
final class ConfigFile {
    /** Keys a run's config.json carries for people, not as settings. */
    static final java.util.Set<String> DESCRIPTIVE = java.util.Set.of("data", "resumed_from",
            "shards", "total_streams", "parameters", "wire_format"); // the last four: written by recur.dist

    private ConfigFile() {}

    /** The keys and values of the file, in file order. */
    static Map<String, Object> read(Path path) {
        String text = TextFiles.readUtf8(path, "config file");
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            return yaml(text, path);
        }
        try {
            return Json.parseObject(text);
        } catch (Json.JsonException e) {
            throw new UserError("config file " + path + " is not a JSON object: " + e.getMessage()
                    + " (YAML files must end in .yaml or .yml)");
        }
    }

    /** Applies every key of the file to {@code config}; returns the keys that were set. */
    static java.util.Set<String> apply(Path path, TrainConfig config) {
        Map<String, Object> values = read(path);
        for (Map.Entry<String, Object> e : values.entrySet()) {
            Object v = e.getValue();
            String key = e.getKey();
            if (v == null || DESCRIPTIVE.contains(key)) {
                continue;
            }
            TrainSettings.set(config, key, v, "config file " + path + ": " + key);
        }
        java.util.Set<String> set = new java.util.LinkedHashSet<>(values.keySet());
        values.forEach((k, v) -> {
            if (v == null || DESCRIPTIVE.contains(k)) {
                set.remove(k);
            }
        });
        return set;
    }

    private static Map<String, Object> yaml(String text, Path path) {
        Map<String, Object> map = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = stripComment(lines[i]).strip();
            if (line.isEmpty() || line.equals("---")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new UserError("config file " + path + " line " + (i + 1) + ": expected 'key: value', got '"
                        + line + "' (only flat key: value YAML is supported)");
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (map.containsKey(key)) {
                throw new UserError("config file " + path + " line " + (i + 1) + ": key '" + key + "' appears twice");
            }
            map.put(key, scalar(value));
        }
        return map;
    }

    private static String stripComment(String line) {
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            } else if (c == '#' && !single && !dbl && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static Object scalar(String v) {
        if (v.isEmpty() || v.equals("~") || v.equals("null")) {
            return null;
        }
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v; // typed by the setter: numbers and booleans parse from strings
    }
}
