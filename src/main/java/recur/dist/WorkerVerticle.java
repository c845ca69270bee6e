package recur.dist;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import recur.io.ModelFile;
import recur.math.Kernels;
import recur.model.ModelSpec;
import recur.wire.Bf16;
import recur.wire.GradientMessage;
import recur.wire.WeightsMessage;
import recur.wire.WireFormat;
import recur.wire.proto.Heartbeat;
import recur.wire.proto.HeartbeatReply;
import recur.wire.proto.JoinReply;
import recur.wire.proto.JoinRequest;
import recur.wire.proto.Leave;

/**
 * A worker: joins the parameter server, receives shards (tokens and stream state) and weights, and
 * answers each weights message with one gradient over its shards ({@link ShardCompute}, run on a
 * worker thread). It keeps its shards' hidden state across windows and weight updates, sends a
 * heartbeat every {@link DistTiming#heartbeat()}, and joins again when the server stops answering or
 * no longer knows it (a restarted server resumes from its checkpoint and hands the shards out anew).
 *
 * <p>Start-up: register the weights address, ask to join (retrying until a server answers), build
 * the compute for the model in the reply. Messages are handled strictly in arrival order.
 * {@link #finished()} completes when the server says training is over.
 *
 * <p>Deployed as a worker verticle ({@link #deploymentOptions()}): its handlers run one at a time on
 * Vert.x worker threads, so a window is computed right in the weights handler and the push sent from
 * there. That spares each round an {@code executeBlocking} task and its futures (about 300 bytes of
 * garbage a round; see docs/performance.md). A heartbeat due during a window goes out after it; the
 * server also counts each push as a sign of life.
 */
public final class WorkerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerVerticle.class);

    /** @param nodeId the Vert.x cluster node id ("" in local mode) */
    public record Setup(Addresses addresses, DistTiming timing, String nodeId, String description) {
    }

    private final Setup setup;
    private final Promise<Void> finished = Promise.promise();
    private final Promise<Void> firstJoin = Promise.promise();
    private String address;
    private MessageConsumer<WeightsMessage> consumer;
    private Future<Void> chain = Future.succeededFuture();
    private ShardCompute compute;        // used only inside the chain
    private JoinReply joined;            // null while (re-)joining
    private int id = -1;
    private long lastContact;
    private long lastPush;
    private long timer = -1;
    private boolean joining;
    private GradientMessage lastPushed;  // sent again when the server re-sends its weights
    private SliceClient slices;          // gathers weight slices and cuts pushes (sharded server)

    public WorkerVerticle(Setup setup) {
        this.setup = setup;
    }

    /** Completes when the server ends training; fails if this worker's compute fails. */
    public Future<Void> finished() {
        return finished.future();
    }

    /** Completes when this worker has joined a parameter server for the first time. */
    public Future<Void> joined() {
        return firstJoin.future();
    }

    /** This worker's id at the server (-1 while joining). */
    public int workerId() {
        return id;
    }

    /** How this verticle must be deployed: as a worker verticle (it computes in its handlers). */
    public static DeploymentOptions deploymentOptions() {
        return new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER);
    }

    @Override
    public Future<?> start() {
        if (!context.isWorkerContext()) {
            return Future.failedFuture(new IllegalStateException(
                    "deploy a WorkerVerticle with WorkerVerticle.deploymentOptions(): it computes in its handlers"));
        }
        address = setup.addresses().newWorkerAddress();
        consumer = vertx.eventBus().consumer(address, this::onWeights);
        return consumer.completion().onSuccess(v -> {
            lastContact = System.nanoTime();
            timer = vertx.setPeriodic(setup.timing().heartbeat().toMillis(), t -> beat());
            join();
        });
    }

    @Override
    public Future<?> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (id >= 0 && !finished.future().isComplete()) {
            vertx.eventBus().send(setup.addresses().leave(), Leave.newBuilder().setFormat(WireFormat.VERSION)
                    .setWorkerId(id).setReason("undeployed").build());
        }
        finished.tryFail("the worker was undeployed before training finished");
        return consumer.unregister();
    }

    // ------------------------------------------------------------------------------------ joining

    private void join() {
        if (joining || finished.future().isComplete()) {
            return;
        }
        joining = true;
        JoinRequest req = JoinRequest.newBuilder().setFormat(WireFormat.VERSION).setAddress(address)
                .setNodeId(setup.nodeId()).setDescription(setup.description()).build();
        DeliveryOptions opts = new DeliveryOptions().setSendTimeout(setup.timing().requestTimeout().toMillis());
        vertx.eventBus().<JoinReply>request(setup.addresses().join(), req, opts).onComplete(ar -> {
            if (ar.failed()) {
                joining = false;
                LOG.debug("join failed ({}); retrying", ar.cause().getMessage());
                vertx.setTimer(setup.timing().heartbeat().toMillis(), t -> join());
                return;
            }
            JoinReply reply = ar.result().body();
            chain = chain.compose(v -> setUp(reply)).onFailure(this::fail);
        });
    }

    /** Builds (or keeps, when the model is the same) the compute for the joined run. */
    private Future<Void> setUp(JoinReply reply) {
        ModelSpec spec = ModelFile.spec(reply.getModelMap(), "join reply");
        boolean same = joined != null && joined.getModelMap().equals(reply.getModelMap())
                && joined.getWindow() == reply.getWindow() && joined.getStreamsPerShard() == reply.getStreamsPerShard()
                && joined.getClipNorm() == reply.getClipNorm() && joined.getClipValue() == reply.getClipValue();
        ShardCompute keep = same ? compute : null;
        return vertx.executeBlocking(() -> {
            if (keep != null) {
                keep.revokeAll();
                return keep;
            }
            return new ShardCompute(spec, reply.getStreamsPerShard(), reply.getWindow(), reply.getClipNorm(),
                    reply.getClipValue(), Kernels.get());
        }).map(c -> {
            compute = c;
            slices = new SliceClient(vertx, setup.addresses(), address, setup.timing(), reply.getPsShards(),
                    c.parameterCount());
            joined = reply;
            id = reply.getWorkerId();
            joining = false;
            lastContact = System.nanoTime();
            lastPush = lastContact;
            LOG.info("joined as worker {} ({} mode)", id, reply.getMode());
            firstJoin.tryComplete();
            return null;
        });
    }

    private void rejoin(String why) {
        if (joining || id < 0 || finished.future().isComplete()) {
            return; // already joining: one join loop at a time
        }
        LOG.warn("worker {}: {}; joining again", id, why);
        id = -1;
        chain = chain.compose(v -> compute == null ? Future.<Void>succeededFuture()
                : vertx.executeBlocking(() -> {
                    compute.revokeAll();
                    return null;
                }));
        join();
    }

    private void beat() {
        if (id < 0 || joining || finished.future().isComplete()) {
            return;
        }
        int me = id;
        Heartbeat hb = Heartbeat.newBuilder().setFormat(WireFormat.VERSION).setWorkerId(me).build();
        String server = joined.getServerId();
        DeliveryOptions opts = new DeliveryOptions().setSendTimeout(setup.timing().requestTimeout().toMillis());
        vertx.eventBus().<HeartbeatReply>request(setup.addresses().heartbeat(), hb, opts).onComplete(ar -> {
            if (id != me || joining) {
                return; // an answer about a membership this worker no longer has
            }
            if (ar.succeeded()) {
                HeartbeatReply r = ar.result().body();
                if (!r.getServerId().equals(server)) {
                    rejoin("a different parameter server is running");
                } else if (!r.getKnown()) {
                    rejoin("the parameter server no longer knows this worker");
                } else {
                    lastContact = System.nanoTime();
                }
            } else if (System.nanoTime() - lastContact > setup.timing().deadAfter().toNanos()) {
                rejoin("no answer from the parameter server (" + ar.cause().getMessage() + ")");
            }
        });
    }

    // ------------------------------------------------------------------------------------ training

    private void onWeights(Message<WeightsMessage> msg) {
        WeightsMessage w = msg.body();
        if (w.slice() > 0) { // a parameter shard's slice: completes the weights being gathered, off the chain
            if (slices != null) {
                slices.offer(w);
            }
            return;
        }
        if (chain.succeeded()) { // nothing pending: handle it now, without a future per message
            Future<Void> handled = handle(w);
            if (handled.isComplete()) {
                w.release(); // the server retained the weights for this worker
                if (handled.failed()) {
                    fail(handled.cause());
                }
                return;
            }
            chain = handled.onComplete(ar -> w.release()).onFailure(this::fail);
            return;
        }
        Future<Void> handled = chain.compose(v -> handle(w));
        handled.onComplete(ar -> w.release());
        chain = handled.onFailure(this::fail);
    }

    /** Handles one weights message; complete on return unless a sharded server's slices are still on the way. */
    private Future<Void> handle(WeightsMessage w) {
        if (w.stop()) {
            LOG.info("worker {}: training finished at version {}", id, w.version());
            finished.tryComplete();
            return Future.succeededFuture();
        }
        if (compute == null || id < 0) {
            return Future.succeededFuture(); // from a server this worker no longer belongs to
        }
        if (w.resend() && lastPushed != null && lastPushed.workerId() == id
                && w.version() <= lastPushed.weightVersion()) {
            if (w.version() == lastPushed.weightVersion()) {
                slices.push(lastPushed); // the first push may have been lost
            }
            return Future.succeededFuture();
        }
        lastContact = System.nanoTime();
        double idleMs = (lastContact - lastPush) / 1e6;
        if (w.idle() || !slices.sharded()) {
            return computeAndPush(w, w.params(), idleMs);
        }
        int worker = id;
        return slices.gather(w, worker).compose(p -> id == worker ? computeAndPush(w, p, idleMs)
                : Future.succeededFuture()); // id changed: gathered for a membership this worker no longer has
    }

    /** Applies the shard moves, computes a window on {@code params} and pushes the gradient (worker thread). */
    private Future<Void> computeAndPush(WeightsMessage w, float[] params, double idleMs) {
        try {
            for (int i = 0; i < w.revoke().size(); i++) { // by index: no iterator a round
                compute.revoke(w.revoke().get(i));
            }
            for (int i = 0; i < w.assign().size(); i++) {
                compute.grant(w.assign().get(i));
            }
            if (w.idle() || !compute.hasShards() || params == null) {
                return Future.succeededFuture(); // params null: a parameter shard did not answer; the server will send these weights again
            }
            var r = compute.round(params);
            if (joined.getWire().equals("bf16")) {
                Bf16.roundInPlace(r.grad(), r.grad().length); // what the wire carries, in local mode too
            }
            lastPush = System.nanoTime();
            if (lastPushed != null) {
                lastPushed.release(); // this worker's hold on its previous push (kept for re-sends)
            }
            lastPushed = new GradientMessage(id, w.version(), r.grad(), r.tokens(), r.lossCount(), r.loss(), r.norm(),
                    r.clipRatio(), r.computeMs(), idleMs, r.shards(), r.gradBuffer());
            slices.push(lastPushed);
            return Future.succeededFuture();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private void fail(Throwable t) {
        LOG.error("worker {} failed", id, t);
        finished.tryFail(t);
    }
}
