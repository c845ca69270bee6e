package recur.dist;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import recur.train.StepStats;
import recur.train.TrainConfig;

/**
 * Local mode: one non-clustered Vert.x, one parameter server and {@code config.workers} workers, each
 * with one shard of {@code config.batch} streams; the same verticles as cluster mode, with messages
 * passed by reference. Output goes to {@code config.out} (model.safetensors, config.json, metrics.csv,
 * checkpoint.pb); {@code config.resume} continues from a run directory's checkpoint.
 */
public final class LocalCluster {
    private LocalCluster() {}

    /**
     * Trains to completion on a fresh Vert.x that is closed afterwards. Blocks the calling thread
     * (which must not be a Vert.x thread). {@code listener} sees each version on the server's compute
     * lane, in order; {@code stop} is polled after each version.
     */
    public static DistResult train(DistJob job, Consumer<StepStats> listener, BooleanSupplier stop)
            throws InterruptedException {
        Vertx vertx = Nodes.local(new VertxOptions());
        try {
            return train(vertx, job, DistTiming.DEFAULT, listener, stop).toCompletionStage().toCompletableFuture().get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            vertx.close().await();
        }
    }

    /** Deploys the server and the workers on {@code vertx} (codecs registered), trains, undeploys them. */
    public static Future<DistResult> train(Vertx vertx, DistJob job, DistTiming timing, Consumer<StepStats> listener,
                                           BooleanSupplier stop) {
        TrainConfig c = job.config();
        if (c.workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + c.workers);
        }
        Addresses addresses = new Addresses("local");
        ParameterServerVerticle server = new ParameterServerVerticle(new ParameterServerVerticle.Setup(job, addresses,
                timing, c.workers, c.workers, c.out, c.resume, listener, stop));
        List<String> deployments = new ArrayList<>();
        return vertx.deployVerticle(server).compose(id -> {
            deployments.add(id);
            List<Future<String>> workers = new ArrayList<>();
            for (int i = 0; i < c.workers; i++) {
                WorkerVerticle w = new WorkerVerticle(new WorkerVerticle.Setup(addresses, timing, "",
                        "local worker " + i));
                workers.add(vertx.deployVerticle(w).onSuccess(deployments::add));
            }
            return Future.all(workers);
        }).compose(v -> server.done()).eventually(() -> undeploy(vertx, deployments));
    }

    private static Future<Void> undeploy(Vertx vertx, List<String> deployments) {
        List<Future<Void>> all = new ArrayList<>();
        for (String id : deployments.reversed()) {
            all.add(vertx.undeploy(id).recover(t -> Future.succeededFuture()));
        }
        return Future.join(all).mapEmpty();
    }
}
