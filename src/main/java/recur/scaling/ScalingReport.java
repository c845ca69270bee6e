package recur.scaling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import recur.dist.NetworkProfile;
import recur.plot.Series;
import recur.plot.SvgPlot;

/**
 * Writes what the scaling grid measured: {@code scaling.csv} (one row per run, with the model's
 * prediction and its error), {@code model.csv} (predicted tokens/s and speed-up for 1..256 workers,
 * one machine per worker),
 * {@code throughput.svg}, {@code efficiency.svg}, {@code loss-time.svg}, {@code loss-tokens.svg}, and
 * {@code report.md}, which reads the numbers.
 */
public final class ScalingReport {
    private ScalingReport() {}

    static final int[] MODEL_WORKERS = {1, 2, 4, 8, 16, 32, 64, 128, 256};

    /** The one-worker run of each run's curve (or its fewest-worker run). */
    static ScalingRun base(List<ScalingRun> runs, ScalingRun r) {
        return runs.stream().filter(x -> x.key().equals(r.key())).min((a, b) -> Integer.compare(a.workers(), b.workers()))
                .orElse(r);
    }

    /**
     * The model calibrated on a curve's one-worker run: its median compute and apply times, and an
     * overhead chosen so that the model reproduces that run's measured tokens/s (so its error there is
     * zero by construction; every other run tests the model).
     */
    static ScalingModel model(ScalingRun b, long params, long tokensPerWindow, NetworkProfile net, int cores) {
        int bytes = b.wire().equals("bf16") ? 2 : 4;
        ScalingModel bare = new ScalingModel(b.computeMs(), 0, b.applyMs(), params, tokensPerWindow, bytes, net,
                b.psShards(), cores, staleness(b));
        double measuredMs = (double) tokensPerWindow * b.workers() / b.tokensPerSecond() * 1e3
                / (b.mode().equals("async") ? b.workers() : 1);
        double overhead = Math.max(0, measuredMs - bare.predict(b.workers(), b.mode()).roundMs());
        return new ScalingModel(b.computeMs(), overhead, b.applyMs(), params, tokensPerWindow, bytes, net, b.psShards(),
                cores, staleness(b));
    }

    /** Percent error of a prediction, rounded so that a calibration run reads +0%, never -0%. */
    private static double errorPct(double predicted, double measured) {
        double e = 100 * (predicted - measured) / measured;
        return Math.abs(e) < 0.5 ? 0 : e;
    }

    private static int staleness(ScalingRun r) {
        return r.mode().equals("async") ? r.staleness() : -1;
    }

    /**
     * Where the runs ran and what shared the cores: local mode is one JVM (server and workers are
     * threads), cluster mode is a JVM per worker plus the server's, all on this machine.
     */
    /** Children on --hosts: their cores are not this machine's, so oversubscription is not judged here. */
    private static String onHosts(ScalingRun any, boolean shardJvms) {
        return "Deployment: " + any.deployment() + ". Every run is N + " + (shardJvms ? any.psShards() : 1) + " JVMs: "
                + "the parameter server in the experiment's JVM, and "
                + (shardJvms ? "one JVM for each of parameter shards 1.." + (any.psShards() - 1) + " and " : "")
                + "one JVM per worker started on the hosts of --hosts (child i on host i mod H), joined by Hazelcast "
                + "with the experiment's --cluster-config; every JVM emulates its own link on top of the real one. "
                + "The hosts' cores are not known here, so no run is judged oversubscribed."
                + (any.psShards() > 1 ? " Parameter server: " + any.psShards() + " shards (sync only; the model divides "
                + "the server-link time by " + any.psShards() + ")." : " Parameter server: 1 (not sharded).");
    }

    static String deployment(List<ScalingRun> runs, int cores) {
        ScalingRun any = runs.getFirst();
        boolean cluster = any.deployment().startsWith("cluster");
        boolean shardJvms = any.deployment().endsWith("+shard-jvms");
        if (any.deployment().startsWith("cluster-hosts")) {
            return onHosts(any, shardJvms);
        }
        String where = cluster
                ? "Deployment: " + any.deployment() + ". Every run is N + " + (shardJvms ? any.psShards() : 1)
                + " JVMs on this one machine: the parameter server in the experiment's JVM, "
                + (shardJvms ? "one JVM for each of parameter shards 1.." + (any.psShards() - 1) + ", " : "")
                + "and one JVM per worker, joined by Hazelcast on 127.0.0.1; messages are encoded "
                + "and cross loopback sockets, and every JVM emulates its own link. The worker JVMs and the server "
                + "share this machine's " + cores + " cores"
                : "Deployment: local. The parameter server and all workers are threads of one JVM and share this "
                + "machine's " + cores + " cores";
        List<String> over = runs.stream().filter(r -> (cluster ? r.workers() + (shardJvms ? r.psShards() : 1) : r.workers()) > cores)
                .map(r -> Integer.toString(r.workers())).distinct().toList();
        String oversubscribed = over.isEmpty() ? "; no run is oversubscribed."
                : "; runs with " + String.join(", ", over) + " workers are oversubscribed ("
                + (cluster ? "N worker JVMs plus the server" + (shardJvms ? " and shard JVMs" : "") + " on "
                : "more workers than ") + cores
                + " cores): sharing cores slows their compute, which is not the network's doing.";
        String shards = any.psShards() > 1
                ? " Parameter server: " + any.psShards() + " shards (sync only; the model divides the server-link "
                + "time by " + any.psShards() + ")."
                : " Parameter server: 1 (not sharded).";
        return where + oversubscribed + shards;
    }

    public static void write(Path dir, List<ScalingRun> runs, long params, long tokensPerWindow, NetworkProfile net,
                             int cores, double target, String command) throws IOException {
        ScalingStore.writeInputs(dir, params, tokensPerWindow, net, cores, target, command);
        ScalingStore.writeCurves(dir, runs);
        write(dir, runs, params, tokensPerWindow, net, cores, target, command, true);
    }

    /** Writes the report of a stored experiment again with the current model (its loss plots only when it kept the curves). */
    public static void rewrite(Path dir, ScalingStore.Stored s) throws IOException {
        write(dir, s.runs(), s.params(), s.tokensPerWindow(), s.network(), s.cores(), s.target(), s.command(),
                s.hasCurves());
    }

    private static void write(Path dir, List<ScalingRun> runs, long params, long tokensPerWindow, NetworkProfile net,
                              int cores, double target, String command, boolean lossPlots) throws IOException {
        Files.createDirectories(dir);
        StringBuilder csv = new StringBuilder("workers,mode,staleness,cell,config,network,wire,deployment,ps_shards,"
                + "steps,tokens,seconds,"
                + "tokens_per_s,speedup,efficiency,final_val_loss,target_loss,seconds_to_target,tokens_to_target,"
                + "bytes_per_round,round_ms,compute_ms,comm_ms,wait_ms,apply_ms,staleness_p50,staleness_p90,"
                + "staleness_max,rejected,dropped,predicted_tokens_per_s,model_error_pct,"
                + "predicted_given_compute_tokens_per_s,model_given_compute_error_pct\n");
        Map<String, List<ScalingRun>> curves = new LinkedHashMap<>();
        List<double[]> errors = new ArrayList<>(); // {workers, error, error given compute}
        for (ScalingRun r : runs) {
            curves.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
            ScalingRun b = base(runs, r);
            double speedup = r.tokensPerSecond() / b.tokensPerSecond() * b.workers();
            ScalingModel m = model(b, params, tokensPerWindow, net, cores);
            double predicted = m.predict(r.workers(), r.mode()).tokensPerSecond();
            double err = 100 * (predicted - r.tokensPerSecond()) / r.tokensPerSecond();
            double given = m.withComputeMs(r.computeMs()).predict(r.workers(), r.mode()).tokensPerSecond();
            double errGiven = 100 * (given - r.tokensPerSecond()) / r.tokensPerSecond();
            if (r.workers() != b.workers()) {
                errors.add(new double[] {r.workers(), err, errGiven});
            }
            csv.append(String.format(Locale.ROOT, "%d,%s,%d,%s,%s,%s,%s,%s,%d,%d,%d,%.3f,%.1f,%.3f,%.3f,%.4f,%.4f,"
                            + "%.3f,%.0f,%.0f,%.3f,%.3f,%.3f,%.3f,%.3f,%.1f,%.1f,%.1f,%d,%d,%.1f,%.1f,%.1f,%.1f%n", r.workers(),
                    r.mode(), r.staleness(), r.cell(), r.config(), r.network().replace(',', ';'), r.wire(), r.deployment(),
                    r.psShards(), r.steps(), r.tokens(), r.seconds(),
                    r.tokensPerSecond(), speedup, speedup / r.workers(), r.finalValLoss(), target, r.secondsToTarget(),
                    r.tokensToTarget(), r.bytesPerRound(), r.roundMs(), r.computeMs(), r.commMs(), r.waitMs(),
                    r.applyMs(), r.stalenessP50(), r.stalenessP90(), r.stalenessMax(), r.rejected(), r.dropped(),
                    predicted, err, given, errGiven));
        }
        Files.writeString(dir.resolve("scaling.csv"), csv);

        StringBuilder model = new StringBuilder("curve,workers,predicted_tokens_per_s,predicted_speedup,round_ms,"
                + "server_link_ms,bytes_per_round,accepted_share\n");
        List<Series> tput = new ArrayList<>();
        List<Series> eff = new ArrayList<>();
        List<Series> lossTime = new ArrayList<>();
        List<Series> lossTokens = new ArrayList<>();
        StringBuilder md = new StringBuilder();
        md.append("# Scaling experiment\n\n`").append(command).append("`\n\n");
        md.append(String.format(Locale.ROOT, "Network: %s. Model: %,d parameters, %d tokens per worker window. "
                + "Target validation loss: %.3f.%n%n", net, params, tokensPerWindow, target));
        md.append(deployment(runs, cores)).append("\n\n");
        md.append("| curve | workers | deployment | ps shards | tokens/s | speed-up | efficiency | predicted tokens/s | model error | error given compute | "
                + "time to target (s) | tokens to target | final val loss | round ms (compute/comm/wait/apply) | "
                + "staleness p50/p90/max | rejected | dropped |\n");
        md.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|\n");
        for (var e : curves.entrySet()) {
            List<ScalingRun> c = e.getValue();
            ScalingRun b = base(runs, c.getFirst());
            ScalingModel m = model(b, params, tokensPerWindow, net, cores);
            // Beyond this machine: one machine per worker, each computing a window as fast as the one-worker run.
            ScalingModel wide = m.withComputeMs(b.computeMs());
            for (int n : MODEL_WORKERS) {
                var p = wide.predict(n, b.mode());
                model.append(String.format(Locale.ROOT, "%s,%d,%.1f,%.3f,%.3f,%.3f,%.0f,%.3f%n", e.getKey(), n,
                        p.tokensPerSecond(), wide.speedup(n, b.mode()), p.roundMs(), p.serverLinkMs(), p.bytesPerRound(),
                        p.acceptedShare()));
            }
            double[] w = c.stream().mapToDouble(ScalingRun::workers).toArray();
            tput.add(new Series(e.getKey(), w, c.stream().mapToDouble(ScalingRun::tokensPerSecond).toArray()));
            tput.add(new Series(e.getKey() + " (model)", w, c.stream().mapToDouble(r -> m.predict(r.workers(), r.mode())
                    .tokensPerSecond()).toArray()));
            eff.add(new Series(e.getKey(), w, c.stream().mapToDouble(r -> r.tokensPerSecond() / b.tokensPerSecond()
                    * b.workers() / r.workers()).toArray()));
            for (ScalingRun r : c) {
                String name = e.getKey() + " w" + r.workers();
                lossTime.add(new Series(name, r.curveSeconds(), r.curveLoss()));
                lossTokens.add(new Series(name, r.curveTokens(), r.curveLoss()));
                double speedup = r.tokensPerSecond() / b.tokensPerSecond() * b.workers();
                double pred = m.predict(r.workers(), r.mode()).tokensPerSecond();
                double given = m.withComputeMs(r.computeMs()).predict(r.workers(), r.mode()).tokensPerSecond();
                md.append(String.format(Locale.ROOT, "| %s | %d | %s | %d | %.0f | %.2f | %.2f | %.0f | %+.0f%% | %+.0f%% | "
                                + "%s | %s | %.3f | %.1f (%.1f/%.1f/%.1f/%.1f) | %.0f/%.0f/%.0f | %d | %d |%n", e.getKey(), r.workers(),
                        r.deployment(), r.psShards(), r.tokensPerSecond(), speedup, speedup / r.workers(), pred,
                        errorPct(pred, r.tokensPerSecond()), errorPct(given, r.tokensPerSecond()),
                        Double.isNaN(r.secondsToTarget()) ? "not reached" : String.format(Locale.ROOT, "%.1f",
                                r.secondsToTarget()),
                        Double.isNaN(r.tokensToTarget()) ? "-" : String.format(Locale.ROOT, "%.0f", r.tokensToTarget()),
                        r.finalValLoss(), r.roundMs(), r.computeMs(), r.commMs(), r.waitMs(), r.applyMs(),
                        r.stalenessP50(), r.stalenessP90(), r.stalenessMax(), r.rejected(), r.dropped()));
            }
            md.append(String.format(Locale.ROOT, "%n*%s*: with one machine per worker the model predicts speed-up "
                            + "%.1f at 8, %.1f at 32, %.1f at 256 workers%s.%n%n", e.getKey(), wide.speedup(8, b.mode()),
                    wide.speedup(32, b.mode()), wide.speedup(256, b.mode()), b.mode().equals("sync") && Double.isFinite(m.saturationWorkers())
                            ? String.format(Locale.ROOT, "; a single server link saturates at about %.0f workers "
                            + "(N P b bytes each way per round take as long as the compute)", m.saturationWorkers()) : ""));
        }
        Files.writeString(dir.resolve("model.csv"), model);
        if (!errors.isEmpty()) {
            double mean = errors.stream().mapToDouble(x -> Math.abs(x[1])).average().orElse(Double.NaN);
            double max = errors.stream().mapToDouble(x -> Math.abs(x[1])).max().orElse(Double.NaN);
            double meanGiven = errors.stream().mapToDouble(x -> Math.abs(x[2])).average().orElse(Double.NaN);
            double maxGiven = errors.stream().mapToDouble(x -> Math.abs(x[2])).max().orElse(Double.NaN);
            md.append(String.format(Locale.ROOT, "Model error on the runs it was not calibrated on: mean |error| %.0f%%, "
                    + "max %.0f%% (compute per window from the one-worker run, stretched by N / cores); given each "
                    + "run's measured compute per window: mean %.0f%%, max %.0f%%.%n%n", mean, max, meanGiven, maxGiven));
        }
        ScalingRun best = runs.stream().filter(r -> !Double.isNaN(r.secondsToTarget()))
                .min((a, b) -> Double.compare(a.secondsToTarget(), b.secondsToTarget())).orElse(null);
        md.append(best == null ? "No run reached the target loss.\n" : String.format(Locale.ROOT,
                "Fastest to the target: %s with %d workers, %.1f s (%.0f tokens).%n", best.key(), best.workers(),
                best.secondsToTarget(), best.tokensToTarget()));
        md.append("\nFiles: scaling.csv, model.csv, throughput.svg, efficiency.svg, loss-time.svg, loss-tokens.svg, "
                + "runs/*/metrics.csv, curves.csv and experiment.json (which `recur experiment scaling --report-from "
                + "DIR` reads to write this report again with the current model).\n");
        Files.writeString(dir.resolve("report.md"), md);
        SvgPlot.lines("Throughput (measured and model)", "workers", "tokens/s", tput).write(dir.resolve("throughput.svg"));
        SvgPlot.lines("Parallel efficiency", "workers", "speed-up / workers", eff).write(dir.resolve("efficiency.svg"));
        if (lossPlots) {
            SvgPlot.lines("Validation loss against training time", "seconds (evaluation excluded)",
                    "val loss (nats/char)", lossTime).write(dir.resolve("loss-time.svg"));
            SvgPlot.lines("Validation loss against tokens", "tokens", "val loss (nats/char)", lossTokens)
                    .write(dir.resolve("loss-tokens.svg"));
        }
    }
}
