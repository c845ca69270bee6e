package recur.scaling;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import recur.data.CharVocabulary;
import recur.dist.DistJob;
import recur.dist.DistResult;
import recur.dist.DistTiming;
import recur.dist.LocalCluster;
import recur.dist.NetworkEmulator;
import recur.dist.NetworkProfile;
import recur.dist.Nodes;
import recur.model.CellType;
import recur.model.Initializer;
import recur.model.ModelSpec;
import recur.model.Task;
import recur.train.StepStats;
import recur.train.TrainConfig;

/**
 * The scaling grid: for every cell, config, mode (and staleness) and worker count, one run on the
 * emulated network with the same token budget, the same data and the same initial weights, in local
 * mode (one JVM) or cluster mode (one JVM per worker on this machine, {@link ClusterTraining}), with
 * {@code psShards} parameter-server shards; validation loss is measured on held-out text at fixed
 * token intervals (its time is not counted), and the clock starts when the server sends its first
 * weights ({@link TrainingStart}), so starting JVMs and joining are not counted either. See
 * {@link ScalingReport} for what is written.
 *
 * <p>Configs (statistical efficiency): {@code base} (the learning rate as given), {@code lr-sqrt}
 * and {@code lr-linear} (scaled by sqrt(N) or N, Goyal et al. 2017), each optionally with
 * {@code +warmup} (linear warm-up over the first {@code warmupFraction} of the steps, then constant
 * via a cosine schedule with min = lr).
 */
public final class ScalingExperiment {
    private ScalingExperiment() {}

    /** Mean next-token loss of {@code params} on {@code tokens} (the CLI passes its validation code). */
    @FunctionalInterface
    public interface Validator {
        double loss(ModelSpec spec, float[] params, int[] tokens);
    }

    public record Settings(List<Integer> workers, List<String> modes, List<Integer> staleness, List<String> cells,
                           List<String> configs, NetworkProfile network, String wire, double targetLoss,
                           int hidden, int embedding, int window, int batch, double lr, long tokens,
                           int evals, String text, double valFraction, long seed, boolean cluster,
                           int psShards, ClusterPlacement placement) {

        public Settings {
            placement = placement == null ? ClusterPlacement.LOCAL : placement;
        }

        /**
         * {@code cluster}: one JVM per worker on this machine, {@code cluster+shard-jvms} with K-1
         * parameter shard JVMs too (psShards K > 1); {@code cluster-hosts} (and {@code +shard-jvms})
         * with the children on --hosts; {@code local}: all workers in this JVM.
         */
        public String deployment() {
            String where = placement.remote() ? "cluster-hosts" : "cluster";
            return !cluster ? "local" : psShards > 1 ? where + "+shard-jvms" : where;
        }
    }

    public static List<ScalingRun> run(Settings s, Validator validator, Path out, Consumer<ScalingRun> progress)
            throws Exception {
        String text = s.text();
        int cut = (int) (text.length() * (1 - s.valFraction()));
        CharVocabulary vocab = CharVocabulary.of(text);
        int[] train = vocab.encode(text.substring(0, cut));
        int[] val = vocab.encode(text.substring(cut));
        List<ScalingRun> runs = new ArrayList<>();
        // One random cluster name per experiment (and per run within it): two experiments never merge.
        String clusterName = "recur-scaling-" + UUID.randomUUID().toString().substring(0, 8);
        warmUp(s, vocab, train);
        for (String cell : s.cells()) {
            for (String config : s.configs()) {
                for (String mode : s.modes()) {
                    for (int staleness : mode.equals("async") ? s.staleness() : List.of(0)) {
                        for (int n : s.workers()) {
                            ScalingRun r = one(s, cell, config, mode, staleness, n, vocab, train, val, validator, out,
                                    clusterName);
                            runs.add(r);
                            progress.accept(r);
                        }
                    }
                }
            }
        }
        return runs;
    }

    /** A short unrecorded run so that the first measured one does not pay for the JIT. */
    private static void warmUp(Settings s, CharVocabulary vocab, int[] train) throws Exception {
        TrainConfig c = config(s, s.cells().getFirst(), "base", "sync", 0, 1);
        c.steps = 30;
        c.psShards = 1;
        c.out = null;
        Vertx vertx = Nodes.local();
        try {
            LocalCluster.train(vertx, job(c, vocab, train, null), DistTiming.DEFAULT, x -> { }, () -> false)
                    .await(10, TimeUnit.MINUTES);
        } finally {
            vertx.close().await();
        }
    }

    /** Throws IllegalArgumentException unless {@code config} is one of the configs described above. */
    public static void checkConfig(String config) {
        config(new Settings(List.of(1), List.of("sync"), List.of(0), List.of("lstm"), List.of(config),
                NetworkProfile.LOOPBACK, "f32", 0, 1, 1, 1, 1, 1e-3, 1, 1, "ab", 0.5, 1, false, 1, null), "lstm", config,
                "sync", 0, 2);
    }

    /** The run with its time and tokens to {@code target} read again from its validation curve. */
    public static ScalingRun withTarget(ScalingRun r, double target) {
        double t = Double.NaN;
        double k = Double.NaN;
        for (int i = 0; i < r.curveLoss().length; i++) {
            if (r.curveLoss()[i] <= target) {
                t = r.curveSeconds()[i];
                k = r.curveTokens()[i];
                break;
            }
        }
        return new ScalingRun(r.workers(), r.mode(), r.staleness(), r.cell(), r.config(), r.network(), r.wire(),
                r.deployment(), r.psShards(), r.steps(), r.tokens(), r.seconds(), r.tokensPerSecond(), r.finalValLoss(),
                t, k, r.bytesPerRound(), r.roundMs(), r.computeMs(), r.commMs(), r.waitMs(), r.applyMs(),
                r.stalenessP50(), r.stalenessP90(),
                r.stalenessMax(), r.rejected(), r.dropped(), r.curveSeconds(), r.curveTokens(), r.curveLoss());
    }

    /** P of the first cell's model on {@code text}'s vocabulary. */
    public static long parameterCount(Settings s, String text) {
        return parameterCount(s, text, s.cells().getFirst());
    }

    /** P of {@code cell}'s model on {@code text}'s vocabulary. */
    public static long parameterCount(Settings s, String text, String cell) {
        CharVocabulary vocab = CharVocabulary.of(text);
        ModelSpec spec = ModelSpec.tokens(CellType.parse(cell), 1, s.hidden(), s.embedding(),
                vocab.tokens(), Task.LM, vocab.size(), false);
        return Initializer.initialize(spec, 1, false).length;
    }

    static TrainConfig config(Settings s, String cell, String config, String mode, int staleness, int n) {
        TrainConfig c = new TrainConfig();
        c.cell = cell;
        c.hidden = s.hidden();
        c.embedding = s.embedding();
        c.window = s.window();
        c.batch = s.batch();
        c.workers = n;
        c.mode = mode;
        c.staleness = staleness;
        c.optimizer = "adam";
        c.clipNorm = 5;
        c.seed = s.seed();
        c.wire = s.wire();
        c.psShards = s.psShards();
        long perStep = (long) (mode.equals("sync") ? n : 1) * s.batch() * s.window();
        c.steps = Math.max(1, Math.ceilDiv(s.tokens(), perStep));
        String[] parts = config.split("\\+");
        double scale = switch (parts[0]) {
            case "base" -> 1;
            case "lr-sqrt" -> Math.sqrt(n);
            case "lr-linear" -> n;
            default -> throw new IllegalArgumentException("config: expected base, lr-sqrt or lr-linear, optionally "
                    + "+warmup, got '" + config + "'");
        };
        c.lr = s.lr() * scale;
        if (parts.length > 1) {
            if (parts.length > 2 || !parts[1].equals("warmup")) {
                throw new IllegalArgumentException("config: only +warmup may follow, got '" + config + "'");
            }
            long warm = Math.max(1, c.steps / 10);
            c.schedule = "cosine:warmup=" + warm + ":min=" + c.lr;
        }
        return c;
    }

    private static DistJob job(TrainConfig c, CharVocabulary vocab, int[] train, float[] latest) {
        ModelSpec spec = ModelSpec.tokens(CellType.parse(c.cell), c.layers, c.hidden, c.embedding, vocab.tokens(),
                Task.LM, vocab.size(), c.learnedH0);
        float[] params = Initializer.initialize(spec, c.seed, c.forgetBiasOne);
        return new DistJob(c, spec, params, train, Map.of("experiment", "scaling"), Map.of(), latest);
    }

    private static ScalingRun one(Settings s, String cell, String config, String mode, int staleness, int n,
                                  CharVocabulary vocab, int[] train, int[] val, Validator validator, Path out,
                                  String clusterName) throws Exception {
        TrainConfig c = config(s, cell, config, mode, staleness, n);
        String name = String.format("%s-%s-%s%s-w%d", cell, config.replace('+', '_'), mode,
                mode.equals("async") ? "-s" + staleness : "", n);
        c.out = out.resolve("runs").resolve(name);
        ModelSpec spec = ModelSpec.tokens(CellType.parse(c.cell), c.layers, c.hidden, c.embedding, vocab.tokens(),
                Task.LM, vocab.size(), c.learnedH0);
        float[] latest = new float[Initializer.initialize(spec, c.seed, c.forgetBiasOne).length];
        DistJob job = job(c, vocab, train, latest);
        long evalTokens = Math.max(1, s.tokens() / Math.max(1, s.evals()));
        List<double[]> curve = new ArrayList<>(); // {seconds, tokens, loss}
        long[] clock = new long[3]; // start, nanos spent evaluating, tokens so far
        long[] nextEval = {evalTokens};
        long[] warm = {-1, 0};      // nanoTime (eval excluded) and tokens at the end of the warm-up
        // Throughput leaves out the warm-up: a tenth of the steps in one JVM (warmed up before the grid),
        // three tenths in cluster mode, whose worker JVMs start cold (their rounds measured 2-3x slower
        // over the first fifth of a run while C2 compiles the kernels).
        long warmSteps = Math.max(1, c.steps * (s.cluster() ? 3 : 1) / 10);
        curve.add(new double[] {0, 0, validator.loss(spec, job.params(), val)});
        TrainingStart start = new TrainingStart();
        clock[0] = System.nanoTime();
        boolean[] started = {false};
        Consumer<StepStats> listener = st -> {
            if (!started[0]) { // the clock starts when the server sent its first weights, not at deployment
                started[0] = true;
                clock[0] = start.nanosOr(clock[0]);
            }
            clock[2] += st.tokens();
            if (st.step() == warmSteps) {
                warm[0] = System.nanoTime() - clock[1];
                warm[1] = clock[2];
            }
            if (clock[2] >= nextEval[0] || st.step() == c.steps) {
                long t = System.nanoTime();
                double seconds = (t - clock[0] - clock[1]) / 1e9;
                curve.add(new double[] {seconds, clock[2], validator.loss(spec, latest, val)});
                clock[1] += System.nanoTime() - t;
                while (nextEval[0] <= clock[2]) {
                    nextEval[0] += evalTokens;
                }
            }
        };
        Trained trained = s.cluster()
                ? trainInCluster(s, job, clusterName + "-" + name, start, listener)
                : trainLocally(s, job, start, listener);
        DistResult result = trained.result();
        double[] last = curve.getLast();
        double seconds = last[0];
        double trainSeconds = (clock[0] + (long) (seconds * 1e9) - warm[0]) / 1e9;
        double tps = warm[0] < 0 || trainSeconds <= 0 ? clock[2] / seconds : (clock[2] - warm[1]) / trainSeconds;
        double toTarget = Double.NaN;
        double tokensToTarget = Double.NaN;
        for (double[] p : curve) {
            if (p[2] <= s.targetLoss()) {
                toTarget = p[0];
                tokensToTarget = p[1];
                break;
            }
        }
        MetricsSummary m = MetricsSummary.read(c.out.resolve("metrics.csv"));
        return new ScalingRun(n, mode, staleness, cell, config, s.network().name(), s.wire(), s.deployment(),
                c.psShards, result.version(), clock[2], seconds, tps, last[2], toTarget, tokensToTarget,
                (double) trained.bytes() / result.version(), m.roundMs(), m.computeMs(), m.commMs(), m.waitMs(),
                m.applyMs(), m.stalenessP50(), m.stalenessP90(), m.stalenessMax(), m.rejected(), trained.dropped(),
                column(curve, 0), column(curve, 1), column(curve, 2));
    }

    /** How a run's training ended, with what the emulated network carried (bytes) and lost. */
    private record Trained(DistResult result, long bytes, long dropped) {
    }

    /** Re-send lost messages after 1 s (or four rounds); a dead worker after 20 s. */
    private static final DistTiming TIMING = new DistTiming(Duration.ofMillis(250), Duration.ofSeconds(20),
            Duration.ofSeconds(1));

    private static Trained trainLocally(Settings s, DistJob job, TrainingStart start, Consumer<StepStats> listener)
            throws Exception {
        Vertx vertx = Nodes.local();
        try {
            start.install(vertx);
            NetworkEmulator net = NetworkEmulator.install(vertx, s.network(), s.seed());
            DistResult r = LocalCluster.train(vertx, job, TIMING, listener, () -> false).await(60, TimeUnit.MINUTES);
            return new Trained(r, net.bytes(), net.dropped());
        } finally {
            vertx.close().await();
        }
    }

    private static Trained trainInCluster(Settings s, DistJob job, String clusterName, TrainingStart start,
                                          Consumer<StepStats> listener) throws Exception {
        try {
            ClusterTraining.Outcome o = ClusterTraining.train(job, s.placement(), s.network(), s.seed(), clusterName,
                    job.config().out, TIMING, start, listener);
            return new Trained(o.result(), o.bytes(), o.dropped());
        } catch (Exception e) {
            throw new RunFailed("cluster run " + job.config().out.getFileName() + " failed: " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** A run of the grid could not finish (a worker JVM died, say); the message is one line. */
    public static final class RunFailed extends RuntimeException {
        RunFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static double[] column(List<double[]> rows, int i) {
        return rows.stream().mapToDouble(r -> r[i]).toArray();
    }

    /** Medians of the round-time split, staleness percentiles and rejected pushes of one metrics.csv. */
    record MetricsSummary(double roundMs, double computeMs, double commMs, double waitMs, double applyMs,
                          double stalenessP50, double stalenessP90, double stalenessMax, long rejected) {

        static MetricsSummary read(Path csv) throws IOException {
            List<String> lines = Files.readAllLines(csv);
            List<String> header = List.of(lines.getFirst().split(","));
            List<String[]> rows = lines.subList(1, lines.size()).stream().map(l -> l.split(",")).toList();
            return new MetricsSummary(median(rows, header, "round_ms"), median(rows, header, "compute_ms"),
                    median(rows, header, "comm_ms"), median(rows, header, "wait_ms"), median(rows, header, "apply_ms"),
                    percentile(rows, header, "staleness", 0.5), percentile(rows, header, "staleness", 0.9),
                    percentile(rows, header, "staleness", 1.0),
                    rows.stream().mapToLong(r -> Long.parseLong(r[header.indexOf("rejected")])).sum());
        }

        private static double median(List<String[]> rows, List<String> header, String col) {
            return percentile(rows, header, col, 0.5);
        }

        private static double percentile(List<String[]> rows, List<String> header, String col, double q) {
            int i = header.indexOf(col);
            double[] v = rows.stream().mapToDouble(r -> Double.parseDouble(r[i])).sorted().toArray();
            if (v.length == 0) {
                return Double.NaN;
            }
            return v[(int) Math.min(v.length - 1, Math.floor(q * v.length))];
        }
    }

    static double[] sorted(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c;
    }
}
