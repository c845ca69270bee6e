package recur.dist;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import recur.optim.LearningRateSchedule;
import recur.optim.Optimizers;
import recur.train.TrainConfig;
import recur.wire.Tensors;
import recur.wire.WireFormat;
import recur.wire.proto.ShardEnd;
import recur.wire.proto.ShardOffer;
import recur.wire.proto.ShardReady;
import recur.wire.proto.ShardSetup;

/**
 * A parameter shard node ({@code recur ps-shard --cluster}): offers itself to the parameter server
 * (retrying until one answers), takes the slice the server sends ({@link ShardSetup}), runs it as a
 * {@link ParameterSliceVerticle} and answers ready. {@link #ended()} completes when the server says
 * training finished, and fails when the server reports a failure, refuses the offer (it has all its
 * shards), or its cluster node leaves before then.
 */
final class ShardNodeVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ShardNodeVerticle.class);

    record Setup(Addresses addresses, DistTiming timing, String nodeId, String description) {
    }

    private final Setup setup;
    private final String address;
    private final Promise<Integer> assigned = Promise.promise();
    private final Promise<Void> ended = Promise.promise();
    private String serverNodeId;
    private boolean settingUp;

    ShardNodeVerticle(Setup setup) {
        this.setup = setup;
        this.address = setup.addresses().newShardNodeAddress();
    }

    /** Completes with the slice once this node runs it. */
    Future<Integer> assigned() {
        return assigned.future();
    }

    /** Completes when the server ends training; fails (one line) when this shard cannot go on. */
    Future<Void> ended() {
        return ended.future();
    }

    /** A cluster node left (Hazelcast membership); the server's leaving ends this shard. Any thread. */
    void nodeLeft(String nodeId) {
        context.runOnContext(v -> {
            if (nodeId.equals(serverNodeId)) {
                ended.tryFail(new IllegalStateException("the parameter server's node left the cluster before "
                        + "training ended"));
            }
        });
    }

    @Override
    public Future<?> start() {
        var bus = vertx.eventBus();
        return bus.<Object>consumer(address, this::onMessage).completion().onSuccess(v -> offer());
    }

    private void onMessage(Message<Object> msg) {
        switch (msg.body()) {
            case ShardSetup s -> onSetup(msg, s);
            case ShardReady ping -> msg.reply(ShardReady.newBuilder().setFormat(WireFormat.VERSION)
                    .setSlice(ping.getSlice()).build()); // the server's liveness ping
            case ShardEnd e -> {
                if (e.getFinished()) {
                    ended.tryComplete();
                } else {
                    ended.tryFail(new IllegalStateException(e.getError()));
                }
            }
            default -> msg.fail(400, "a parameter shard node takes ShardSetup and ShardEnd, got "
                    + msg.body().getClass().getSimpleName());
        }
    }

    /** Offers this node to the server; retries while no server listens or answers. */
    private void offer() {
        if (ended.future().isComplete() || settingUp || assigned.future().isComplete()) {
            return;
        }
        ShardOffer o = ShardOffer.newBuilder().setFormat(WireFormat.VERSION).setAddress(address)
                .setNodeId(setup.nodeId()).setDescription(setup.description()).build();
        vertx.eventBus().request(setup.addresses().shardOffer(), o,
                new DeliveryOptions().setSendTimeout(setup.timing().requestTimeout().toMillis())).onComplete(ar -> {
                    if (ar.succeeded()) {
                        LOG.info("offer accepted; waiting for the shard's setup");
                    } else if (ar.cause() instanceof ReplyException r && r.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
                        ended.tryFail(new IllegalStateException("the parameter server refused this shard node: "
                                + r.getMessage()));
                    } else {
                        LOG.debug("offer failed ({}); retrying", ar.cause().getMessage());
                        vertx.setTimer(setup.timing().heartbeat().toMillis(), t -> offer());
                    }
                });
    }

    private void onSetup(Message<Object> msg, ShardSetup s) {
        if (settingUp || assigned.future().isComplete()) {
            msg.fail(409, "this parameter shard node already runs a slice");
            return;
        }
        List<String> problems = new ArrayList<>();
        if (s.getShards() < 2 || s.getSlice() < 1 || s.getSlice() >= s.getShards()) {
            problems.add("slice " + s.getSlice() + " of " + s.getShards() + " (need 1 <= slice < shards)");
        }
        if (s.getOffset() < 0 || s.getSteps() < 1 || !(s.getLr() > 0) || s.getClipNorm() < 0 || s.getClipValue() < 0) {
            problems.add("offset " + s.getOffset() + ", steps " + s.getSteps() + ", lr " + s.getLr() + ", clip "
                    + s.getClipNorm() + "/" + s.getClipValue() + " (need offset >= 0, steps >= 1, lr > 0, clips >= 0)");
        }
        if (s.getServerNodeId().isEmpty()) {
            problems.add("no server node id");
        }
        float[] params;
        TrainConfig c = new TrainConfig();
        try {
            params = Tensors.decode(s.getParams(), "shard setup params");
            c.optimizer = s.getOptimizer();
            c.schedule = s.getSchedule();
            c.lr = s.getLr();
            c.steps = s.getSteps();
            c.clipNorm = s.getClipNorm();
            c.clipValue = s.getClipValue();
            Optimizers.parse(c.optimizer, 1);
            LearningRateSchedule.parse(c.schedule, c.lr, c.steps);
        } catch (RuntimeException e) {
            problems.add(e.getMessage());
            params = null;
        }
        if (params != null && params.length == 0) {
            problems.add("an empty slice");
        }
        if (!problems.isEmpty()) {
            msg.fail(400, "bad shard setup: " + String.join("; ", problems));
            return;
        }
        settingUp = true;
        serverNodeId = s.getServerNodeId();
        int k = s.getSlice();
        int size = params.length;
        vertx.deployVerticle(new ParameterSliceVerticle(new ParameterSliceVerticle.Setup(setup.addresses(), k,
                s.getOffset(), params, c, s.getBf16(), null))).onComplete(ar -> {
                    if (ar.failed()) {
                        msg.fail(500, "could not start slice " + k + ": " + ar.cause().getMessage());
                        ended.tryFail(new IllegalStateException("could not start parameter shard " + k + ": "
                                + ar.cause().getMessage()));
                        return;
                    }
                    LOG.info("parameter shard {} of {} runs here ({} values from {})", k, s.getShards(),
                            size, s.getOffset());
                    msg.reply(ShardReady.newBuilder().setFormat(WireFormat.VERSION).setSlice(k).build());
                    assigned.tryComplete(k);
                });
    }
}
