package recur.scaling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import recur.dist.NetworkProfile;
import recur.io.Json;

/**
 * What a finished scaling experiment keeps so that its report can be written again with the current
 * model ({@code recur experiment scaling --report-from DIR}): {@code experiment.json} (the inputs the
 * model needs besides the runs: parameters, tokens per window, network, cores, target, command),
 * {@code scaling.csv} (the measured columns of every run) and {@code curves.csv} (every run's
 * validation curve). Re-reporting changes predictions and prose, never a measured number.
 */
public final class ScalingStore {
    static final int FORMAT = 1;

    private ScalingStore() {}

    /** A stored experiment: its runs (curves empty when curves.csv is absent) and the model's other inputs. */
    public record Stored(List<ScalingRun> runs, long params, long tokensPerWindow, NetworkProfile network, int cores,
                         double target, String command, boolean hasCurves) {
    }

    static void writeInputs(Path dir, long params, long tokensPerWindow, NetworkProfile net, int cores, double target,
                            String command) throws IOException {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("format", FORMAT);
        j.put("params", params);
        j.put("tokens_per_window", tokensPerWindow);
        j.put("network", net.name());
        j.put("cores", cores);
        j.put("target_loss", target);
        j.put("command", command);
        Files.writeString(dir.resolve("experiment.json"), Json.pretty(j) + "\n");
    }

    static void writeCurves(Path dir, List<ScalingRun> runs) throws IOException {
        StringBuilder csv = new StringBuilder("curve,workers,seconds,tokens,val_loss\n");
        for (ScalingRun r : runs) {
            for (int i = 0; i < r.curveLoss().length; i++) {
                csv.append(String.format(Locale.ROOT, "%s,%d,%.4f,%.0f,%.6f%n", r.key(), r.workers(),
                        r.curveSeconds()[i], r.curveTokens()[i], r.curveLoss()[i]));
            }
        }
        Files.writeString(dir.resolve("curves.csv"), csv);
    }

    /** Reads a stored experiment; IllegalArgumentException (one line, naming the file) when it cannot. */
    public static Stored read(Path dir) throws IOException {
        Map<String, Object> j;
        Path inputs = dir.resolve("experiment.json");
        try {
            j = Json.parseObject(Files.readString(inputs));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(inputs + " is missing: --report-from needs a directory written by "
                    + "recur experiment scaling");
        } catch (Json.JsonException e) {
            throw new IllegalArgumentException(inputs + ": " + e.getMessage());
        }
        if (!(j.get("format") instanceof Number f) || f.intValue() != FORMAT) {
            throw new IllegalArgumentException(inputs + ": expected \"format\": " + FORMAT + ", got " + j.get("format"));
        }
        long params = (long) number(j, "params", inputs);
        long tpw = (long) number(j, "tokens_per_window", inputs);
        int cores = (int) number(j, "cores", inputs);
        double target = number(j, "target_loss", inputs);
        if (!(j.get("network") instanceof String net) || !(j.get("command") instanceof String command)) {
            throw new IllegalArgumentException(inputs + ": \"network\" and \"command\" must be strings");
        }
        if (params < 1 || tpw < 1 || cores < 1) {
            throw new IllegalArgumentException(inputs + ": params, tokens_per_window and cores must be positive");
        }
        NetworkProfile network = NetworkProfile.parse(net);
        Map<String, double[][]> curves = readCurves(dir.resolve("curves.csv"));
        List<ScalingRun> runs = readRuns(dir.resolve("scaling.csv"), curves == null ? Map.of() : curves);
        return new Stored(runs, params, tpw, network, cores, target, command, curves != null);
    }

    private static double number(Map<String, Object> j, String key, Path file) {
        if (!(j.get(key) instanceof Number n)) {
            throw new IllegalArgumentException(file + ": \"" + key + "\" must be a number, got " + j.get(key));
        }
        return n.doubleValue();
    }

    private static List<Map<String, String>> table(Path csv) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(csv + " is empty");
        }
        String[] header = lines.getFirst().split(",", -1);
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] v = lines.get(i).split(",", -1);
            if (v.length != header.length) {
                throw new IllegalArgumentException(csv + " line " + (i + 1) + ": " + v.length + " fields, the header has "
                        + header.length);
            }
            Map<String, String> row = new HashMap<>();
            for (int k = 0; k < v.length; k++) {
                row.put(header[k], v[k]);
            }
            row.put("#line", Integer.toString(i + 1));
            rows.add(row);
        }
        return rows;
    }

    /** curve key + " w" + workers -> {seconds, tokens, loss}; null when the file is absent. */
    private static Map<String, double[][]> readCurves(Path csv) throws IOException {
        List<Map<String, String>> rows = table(csv);
        if (rows == null) {
            return null;
        }
        Map<String, List<double[]>> points = new LinkedHashMap<>();
        for (Map<String, String> r : rows) {
            points.computeIfAbsent(field(r, "curve", csv) + " w" + field(r, "workers", csv), k -> new ArrayList<>())
                    .add(new double[] {num(r, "seconds", csv), num(r, "tokens", csv), num(r, "val_loss", csv)});
        }
        Map<String, double[][]> out = new HashMap<>();
        points.forEach((k, p) -> out.put(k, new double[][] {
            p.stream().mapToDouble(x -> x[0]).toArray(), p.stream().mapToDouble(x -> x[1]).toArray(),
            p.stream().mapToDouble(x -> x[2]).toArray()}));
        return out;
    }

    private static List<ScalingRun> readRuns(Path csv, Map<String, double[][]> curves) throws IOException {
        List<Map<String, String>> rows = table(csv);
        if (rows == null || rows.isEmpty()) {
            throw new IllegalArgumentException(csv + " is missing or has no runs");
        }
        List<ScalingRun> runs = new ArrayList<>();
        for (Map<String, String> r : rows) {
            int workers = (int) num(r, "workers", csv);
            String mode = field(r, "mode", csv);
            if (!mode.equals("sync") && !mode.equals("async")) {
                throw new IllegalArgumentException(csv + " line " + r.get("#line") + ": mode must be sync or async, got '"
                        + mode + "'");
            }
            ScalingRun bare = new ScalingRun(workers, mode, (int) num(r, "staleness", csv), field(r, "cell", csv),
                    field(r, "config", csv), field(r, "network", csv).replace(';', ','), field(r, "wire", csv),
                    field(r, "deployment", csv), (int) num(r, "ps_shards", csv), (long) num(r, "steps", csv),
                    (long) num(r, "tokens", csv), num(r, "seconds", csv), num(r, "tokens_per_s", csv),
                    num(r, "final_val_loss", csv), num(r, "seconds_to_target", csv), num(r, "tokens_to_target", csv),
                    num(r, "bytes_per_round", csv), num(r, "round_ms", csv), num(r, "compute_ms", csv),
                    num(r, "comm_ms", csv), num(r, "wait_ms", csv), num(r, "apply_ms", csv),
                    num(r, "staleness_p50", csv), num(r, "staleness_p90", csv), num(r, "staleness_max", csv),
                    (long) num(r, "rejected", csv), (long) num(r, "dropped", csv), new double[0], new double[0],
                    new double[0]);
            double[][] c = curves.get(bare.key() + " w" + workers);
            runs.add(c == null ? bare : new ScalingRun(bare.workers(), bare.mode(), bare.staleness(), bare.cell(),
                    bare.config(), bare.network(), bare.wire(), bare.deployment(), bare.psShards(), bare.steps(),
                    bare.tokens(), bare.seconds(), bare.tokensPerSecond(), bare.finalValLoss(), bare.secondsToTarget(),
                    bare.tokensToTarget(), bare.bytesPerRound(), bare.roundMs(), bare.computeMs(), bare.commMs(),
                    bare.waitMs(), bare.applyMs(), bare.stalenessP50(), bare.stalenessP90(), bare.stalenessMax(),
                    bare.rejected(), bare.dropped(), c[0], c[1], c[2]));
        }
        return runs;
    }

    private static String field(Map<String, String> r, String key, Path csv) {
        String v = r.get(key);
        if (v == null) {
            throw new IllegalArgumentException(csv + ": no column '" + key + "'");
        }
        return v;
    }

    private static double num(Map<String, String> r, String key, Path csv) {
        String v = field(r, key, csv);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(csv + " line " + r.get("#line") + ": column '" + key
                    + "' is not a number: '" + v + "'");
        }
    }
}
