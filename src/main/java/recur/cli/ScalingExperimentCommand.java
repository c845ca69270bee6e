package recur.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import recur.data.SyntheticText;
import recur.dist.NetworkProfile;
import recur.dist.ParamSlices;
import recur.model.CellType;
import recur.scaling.ClusterPlacement;
import recur.scaling.ScalingExperiment;
import recur.scaling.ScalingReport;
import recur.scaling.ScalingRun;
import recur.scaling.ScalingStore;

/**
 * {@code recur experiment scaling}: measured speed-up and convergence against worker count, mode and
 * network, with the model's predictions beside the measurements (see docs/scaling.md).
 */
@Command(name = "scaling", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        showDefaultValues = true,
        description = {"Train the same character model with each worker count, mode, cell and config on an emulated",
            "network (same token budget, data and initial weights); write scaling.csv, model.csv, throughput,",
            "efficiency and loss plots and report.md to --out. Local mode: all workers are threads of this JVM;",
            "--cluster: one JVM per worker, on this machine (sharing its cores) or, with --hosts and --launch, on",
            "other hosts."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  recur experiment scaling --workers 1,2,4 --modes sync,async --network lan-10g",
            "  recur experiment scaling --configs base,lr-sqrt+warmup --target-loss 2.2",
            "  recur experiment scaling --wire bf16 --network wan,loss=0 --out runs/scaling-bf16",
            "  recur experiment scaling --cluster --workers 1,2,4 --modes sync --network lan-10g",
            "  recur experiment scaling --ps-shards 2 --workers 1,2,4 --modes sync",
            "  recur experiment scaling --cluster --launch 'taskset -c {i} {recur}'",
            "  recur experiment scaling --cluster --cluster-config hosts.xml \\",
            "      --cluster-host 10.0.0.1 --hosts 10.0.0.2,10.0.0.3 \\",
            "      --launch 'ssh {host} /opt/recur/scripts/recur'      (docs/scaling.md)"})
final class ScalingExperimentCommand implements Callable<Integer> {
    /** The built-in Hazelcast configuration has 20 ports: the server and at most 19 workers. */
    static final int MAX_CLUSTER_WORKERS = 19;

    @ParentCommand
    ExperimentCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--workers", paramLabel = "N,...", split = ",", description = "Worker counts.")
    List<Integer> workers = new ArrayList<>(List.of(1, 2, 4));

    @Option(names = "--modes", paramLabel = "MODE,...", split = ",", description = "sync and/or async.")
    List<String> modes = new ArrayList<>(List.of("sync", "async"));

    @Option(names = "--staleness", paramLabel = "S,...", split = ",", description = "Async staleness bounds.")
    List<Integer> staleness = new ArrayList<>(List.of(4));

    @Option(names = "--cells", paramLabel = "CELL,...", split = ",", description = "rnn_tanh, rnn_relu, lstm, gru.")
    List<String> cells = new ArrayList<>(List.of("lstm"));

    @Option(names = "--configs", paramLabel = "CFG,...", split = ",",
            description = "base, lr-sqrt, lr-linear (learning rate x1, x sqrt(N), x N), each optionally +warmup.")
    List<String> configs = new ArrayList<>(List.of("base"));

    @Option(names = "--network", paramLabel = "PROFILE",
            description = "loopback, lan-10g, dc-25g, wan, or latency=..,jitter=..,bandwidth=..,loss=..")
    String network = "loopback";

    @Option(names = "--wire", paramLabel = "FMT", description = "f32 or bf16 gradients and weights.")
    String wire = "f32";

    @Option(names = "--ps-shards", paramLabel = "K", description = "Parameter-server shards (K > 1: sync mode only).")
    int psShards = 1;

    @Option(names = "--cluster", description = {"Cluster mode on this machine: this JVM runs the parameter server, each "
            + "worker its own JVM (Hazelcast on 127.0.0.1, worker logs in runs/<setting>/worker-i.log); with "
            + "--ps-shards K, parameter shards 1..K-1 run in JVMs of their own too (ps-shard-k.log). --launch and "
            + "--hosts start them elsewhere."})
    boolean cluster;

    @Option(names = "--cluster-config", paramLabel = "FILE", description = {"--cluster: Hazelcast configuration of the "
            + "server and every child (default: built in, 127.0.0.1 only; with --hosts, a file listing them, at the "
            + "same absolute path on every host)."})
    Path clusterConfig;

    @Option(names = "--cluster-host", paramLabel = "ADDR", description = "--cluster: address of this (the server's) "
            + "event bus; with --hosts, this machine's address on the network the hosts share.")
    String clusterHost = "127.0.0.1";

    @Option(names = "--cluster-port", paramLabel = "PORT", description = "--cluster: the server's event-bus port "
            + "(0: any free port).")
    int clusterPort;

    @Option(names = "--launch", paramLabel = "TEMPLATE", description = {"--cluster: how each child JVM is started, "
            + "split into words like a shell does (simple quotes only); {recur} (a word of its own) is this JVM's "
            + "java, flags, class path and main class, {i} the child's index (worker i: i, shard JVM k: N+k-1), "
            + "{host} its host from --hosts; the role arguments go after the last word. Default: {recur}. "
            + "E.g. 'taskset -c {i} {recur}' or 'ssh {host} /opt/recur/scripts/recur'."})
    String launch;

    @Option(names = "--hosts", paramLabel = "HOST,...", split = ",", description = {"--cluster: child i goes to host "
            + "i mod H ({host} in --launch; also its event-bus address, so give names or addresses the server "
            + "reaches). Needs --cluster-config listing them and --cluster-host; see docs/scaling.md."})
    List<String> hosts = new ArrayList<>();

    @Option(names = "--target-loss", paramLabel = "X",
            description = "Validation loss to time (default: the highest final validation loss of the grid).")
    Double targetLoss;

    @Option(names = "--tokens", paramLabel = "N", description = "Training tokens per run (all runs the same).")
    long tokens = 400_000;

    @Option(names = "--hidden", paramLabel = "N") int hidden = 128;
    @Option(names = "--embedding", paramLabel = "N") int embedding = 32;
    @Option(names = "--window", paramLabel = "T") int window = 32;
    @Option(names = "--batch", paramLabel = "B", description = "Streams per worker.") int batch = 8;
    @Option(names = "--lr", paramLabel = "X", description = "Adam learning rate of one worker.") double lr = 3e-3;
    @Option(names = "--evals", paramLabel = "N", description = "Validation points per run.") int evals = 10;

    @Option(names = "--text", paramLabel = "FILE", description = "Training text (default: generated English-like text).")
    Path text;

    @Option(names = "--seed", paramLabel = "S") long seed = 1;

    @Option(names = "--out", paramLabel = "DIR") Path out = Path.of("runs", "scaling");

    @Option(names = "--report-from", paramLabel = "DIR", description = {"Run nothing: write DIR's report (report.md, "
        + "model.csv, scaling.csv predictions, plots) again with the current model from its experiment.json, "
        + "scaling.csv and curves.csv. Measured numbers stay as they are."})
    Path reportFrom;

    @Option(names = "--debug", description = "Show the stack trace of an error.")
    boolean debug;

    @Override
    public Integer call() throws Exception {
        if (reportFrom != null) {
            List<String> others = spec.commandLine().getParseResult().matchedOptions().stream()
                    .map(OptionSpec::longestName).filter(o -> !o.equals("--report-from") && !o.equals("--debug"))
                    .toList();
            if (!others.isEmpty()) {
                throw new UserError("--report-from runs nothing and takes no grid options (got "
                        + String.join(", ", others) + ")");
            }
            return rewriteReport(reportFrom);
        }
        ExperimentCommand.atLeast("--ps-shards", psShards, 1);
        if (psShards > 1 && modes.contains("async")) {
            throw new UserError("--ps-shards " + psShards + " works in sync mode only; use --modes sync (or "
                    + "--ps-shards 1 for async)");
        }
        if (!wire.equals("f32") && !wire.equals("bf16")) {
            throw new UserError("--wire must be f32 or bf16, got '" + wire + "'");
        }
        for (String m : modes) {
            if (!m.equals("sync") && !m.equals("async")) {
                throw new UserError("--modes: expected sync or async, got '" + m + "'");
            }
        }
        for (String c : cells) {
            try {
                CellType.parse(c);
            } catch (IllegalArgumentException e) {
                throw new UserError("--cells: " + e.getMessage());
            }
        }
        ClusterPlacement placement = ClusterPlacementOptions.check(cluster, clusterConfig, clusterHost, clusterPort,
                launch, hosts);
        for (int n : workers) {
            ExperimentCommand.atLeast("--workers", n, 1);
            if (cluster && clusterConfig == null && n + psShards - 1 > MAX_CLUSTER_WORKERS) {
                throw new UserError("--cluster runs at most " + MAX_CLUSTER_WORKERS + " worker and shard JVMs on this "
                        + "machine (the built-in cluster configuration has 20 Hazelcast ports on 127.0.0.1), got " + n
                        + " workers and " + (psShards - 1) + " shard JVMs");
            }
        }
        NetworkProfile net;
        try {
            net = NetworkProfile.parse(network);
        } catch (IllegalArgumentException e) {
            throw new UserError("--network: " + e.getMessage());
        }
        String data = text == null ? SyntheticText.generate(seed, 400_000) : Files.readString(text);
        double target = targetLoss == null ? Double.NEGATIVE_INFINITY : targetLoss;
        var s = new ScalingExperiment.Settings(List.copyOf(workers), List.copyOf(modes), List.copyOf(staleness),
                List.copyOf(cells), List.copyOf(configs), net, wire, target, hidden, embedding, window, batch, lr,
                tokens, evals, data, 0.05, seed, cluster, psShards, placement);
        try {
            for (String c : configs) {
                recur.scaling.ScalingExperiment.checkConfig(c);
            }
        } catch (IllegalArgumentException e) {
            throw new UserError("--configs: " + e.getMessage());
        }
        long params = ScalingExperiment.parameterCount(s, data);
        for (String c : cells) {
            long p = ScalingExperiment.parameterCount(s, data, c);
            if (psShards > 1 && p < (long) psShards * ParamSlices.ALIGN) {
                throw new UserError("--ps-shards " + psShards + " needs at least " + psShards * ParamSlices.ALIGN
                        + " parameters (" + ParamSlices.ALIGN + " a shard); the " + c + " model has " + p
                        + ": use fewer shards or a larger --hidden");
            }
        }
        var o = parent.main.context.out();
        Path dir = ExperimentCommand.outDir(out);
        int cores = Runtime.getRuntime().availableProcessors();
        o.printf(Locale.ROOT, "scaling experiment: workers %s, modes %s, cells %s, configs %s, network %s, wire %s, "
                + "%,d tokens a run, %s, %d parameter-server shard%s, %d cores%s%n", workers, modes, cells, configs,
                net, wire, tokens, !cluster ? "one JVM (local)" : psShards > 1
                ? "one JVM per worker and per parameter shard 1.." + (psShards - 1) + " (cluster)" : "one JVM per worker (cluster)", psShards,
                psShards == 1 ? "" : "s", cores, !cluster ? "" : placement.remote()
                ? " here, children on " + String.join(",", hosts) : " shared by the worker JVMs and the server");
        long t0 = System.nanoTime();
        List<ScalingRun> runs;
        try {
            runs = ScalingExperiment.run(s, Validation::lmLoss, dir, r -> {
                o.printf(Locale.ROOT, "  %-28s %3d workers  %8.0f tokens/s  val loss %.3f  %.1fs  (round %.1f ms: "
                        + "compute %.1f, comm %.1f, wait %.1f, apply %.1f)%n", r.key(), r.workers(),
                        r.tokensPerSecond(), r.finalValLoss(), r.seconds(), r.roundMs(), r.computeMs(), r.commMs(),
                        r.waitMs(), r.applyMs());
                o.flush();
            });
        } catch (ScalingExperiment.RunFailed e) {
            throw new UserError(e.getMessage(), e);
        }
        if (targetLoss == null) {
            target = runs.stream().mapToDouble(ScalingRun::finalValLoss).max().orElse(Double.NaN);
            double t = target;
            runs = runs.stream().map(r -> ScalingExperiment.withTarget(r, t)).toList();
        }
        String command = String.format(Locale.ROOT, "recur experiment scaling --workers %s --modes %s --staleness %s "
                + "--cells %s --configs %s --network %s --wire %s --tokens %d --hidden %d --window %d --batch %d --lr %s%s",
                join(workers), String.join(",", modes), join(staleness), String.join(",", cells), String.join(",", configs),
                network, wire, tokens, hidden, window, batch, lr, targetLoss == null ? "" : " --target-loss " + targetLoss)
                + (psShards > 1 ? " --ps-shards " + psShards : "") + (cluster ? " --cluster" : "")
                + ClusterPlacementOptions.describe(clusterConfig, clusterHost, clusterPort, launch, hosts);
        try {
            ScalingReport.write(dir, runs, params, (long) batch * window, net, cores, target, command);
        } catch (IOException e) {
            throw ExperimentCommand.cannotWrite(dir, e);
        }
        o.printf(Locale.ROOT, "%ntook %s; results in %s (scaling.csv, model.csv, report.md, *.svg)%n",
                Progress.duration((System.nanoTime() - t0) / 1e9), dir);
        return 0;
    }

    private int rewriteReport(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new UserError("--report-from: " + dir + " is not a directory");
        }
        try {
            ScalingStore.Stored s = ScalingStore.read(dir);
            ScalingReport.rewrite(dir, s);
            var o = parent.main.context.out();
            o.printf(Locale.ROOT, "rewrote the report of %d runs in %s with the current model%s%n", s.runs().size(), dir,
                    s.hasCurves() ? "" : " (no curves.csv: the loss plots were left as they were)");
            return 0;
        } catch (IllegalArgumentException e) {
            throw new UserError("--report-from: " + e.getMessage());
        } catch (IOException e) {
            throw new UserError("--report-from: cannot read or write " + dir + ": " + e.getMessage());
        }
    }

    private static String join(List<Integer> v) {
        return String.join(",", v.stream().map(String::valueOf).toList());
    }
}
