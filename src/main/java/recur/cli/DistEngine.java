package recur.cli;

import java.net.BindException;
import java.nio.file.Path;
import java.util.Map;
import recur.dist.ClusterConfigs;
import recur.dist.ClusterCoordinator;
import recur.dist.ClusterOptions;
import recur.dist.DistJob;
import recur.dist.DistResult;
import recur.dist.LocalCluster;
import recur.dist.TensorTransport;
import recur.train.TrainConfig;

/**
 * The trainer under {@code recur train}: recur.dist's verticles, one code path for every run. Local
 * mode is a parameter server and {@code --workers} workers in this JVM; with {@code --cluster} this
 * process is the parameter server of a Hazelcast cluster and waits for {@code --expect-workers}
 * {@code recur worker} processes.
 *
 * <p>The engine owns the run directory's {@code config.json}, {@code metrics.csv} (with the
 * round-time columns), {@code model.safetensors} and {@code checkpoint.pb}; the command hands in what
 * it wants recorded there ({@code configNotes}, {@code modelMetadata}) and writes none of those files
 * itself. The job's parameters hold the latest version's weights whenever the listener is called.
 */
final class DistEngine {
    private DistEngine() {}

    /** Where the cluster is, for {@code --cluster} (null: local mode). */
    record Cluster(Path config, String name, String host, int port, TensorTransport tensorTransport, int tensorPort) {
        ClusterOptions options() {
            return new ClusterOptions(config, name, host, port, null, tensorTransport, tensorPort);
        }
    }

    static TrainingOutcome train(TrainingJob job, Map<String, Object> configNotes, Map<String, String> modelMetadata,
                                 Cluster cluster, TrainingListener listener, StopSignal stop) {
        DistJob dj = new DistJob(job.config(), job.spec(), job.params(), job.data(), configNotes, modelMetadata,
                job.params());
        DistResult r;
        try {
            r = cluster == null
                    ? LocalCluster.train(dj, listener::onStep, stop::requested)
                    : ClusterCoordinator.train(dj, cluster.options(), listener::onStep, stop::requested);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training", e);
        } catch (RuntimeException e) {
            throw translate(e, cluster);
        } catch (Exception e) {
            throw translate(e, cluster);
        }
        return new TrainingOutcome(r.params(), r.version(), r.stopped(), r.skippedSteps());
    }

    /** Checks a cluster configuration before any node starts: the file must exist and be a Hazelcast config. */
    static void checkClusterConfig(Path file, String option) {
        if (file == null) {
            return;
        }
        TextFiles.requireReadable(file, option);
        try {
            ClusterConfigs.load(file, null);
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new UserError(option + " " + file + " is not a Hazelcast configuration (XML or YAML): " + why, e);
        }
    }

    /** Problems the user can fix become one-line errors; anything else stays an unexpected failure. */
    private static RuntimeException translate(Exception e, Cluster cluster) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException && cluster != null) {
                return new UserError("cannot listen on " + cluster.options().host() + " (" + t.getMessage()
                        + "); choose another --cluster-port, --tensor-port or --cluster-host", e);
            }
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }

    /** Streams that get a full window when the data ({@code tokens} long) is cut for {@code shards} x B streams. */
    static long shardsThatFit(TrainConfig c, long tokens) {
        return (tokens - 1) / ((long) c.batch * c.window);
    }
}
