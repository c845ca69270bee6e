package recur.dist;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import recur.wire.WireFormat;
import recur.wire.proto.ShardEnd;
import recur.wire.proto.ShardOffer;
import recur.wire.proto.ShardReady;
import recur.wire.proto.ShardSetup;

/**
 * Server side of parameter shards on their own cluster nodes ({@code --ps-shard-nodes}): gives
 * slices 1..K-1 to the first K-1 nodes that offer themselves ({@code recur ps-shard}), sends each its
 * {@link ShardSetup} and completes when every one has answered ready. It fails with one line when
 * they have not all joined within the wait, and refuses later offers, so a spare node ends at once.
 * Then it pings every shard node each heartbeat and reports one lost when it has not answered for
 * the dead-after time (the Hazelcast membership event alone did not always arrive in tests, and
 * workers waiting on a dead shard's weights never push, so no round would time out). That time is
 * {@link AwakeClock} time: a stall of this side's own event loop or JVM is not the shard's silence.
 * A ping that finds no handler at the shard's address counts as unanswered, not as proof of death:
 * the cluster's view of subscriptions can lag a membership change. Runs on the server's event loop.
 */
final class ShardRecruiter {
    private static final Logger LOG = LoggerFactory.getLogger(ShardRecruiter.class);

    /** A shard node that took slice {@code slice}. */
    record ShardNode(int slice, String address, String nodeId, String description) {
    }

    private final Vertx vertx;
    private final Addresses addresses;
    private final int shards;
    private final IntFunction<ShardSetup> setupOf;
    private final Duration wait;
    private final DistTiming timing;
    private final BiConsumer<ShardNode, String> lost;
    private final AwakeClock clock;
    private final Map<Integer, Long> lastAnswer = new TreeMap<>();
    private final Map<Integer, String> lastFailure = new TreeMap<>();
    private final Map<Integer, ShardNode> ready = new TreeMap<>();
    private final Map<Integer, ShardNode> taken = new TreeMap<>();
    private final Promise<Void> allReady = Promise.promise();
    private MessageConsumer<ShardOffer> consumer;
    private long pinger = -1;
    private long answered;

    /**
     * @param setupOf the setup of slice k (1..shards-1)
     * @param lost told (once) of a shard node gone mid-run, and why ("did not answer for ...")
     */
    ShardRecruiter(Vertx vertx, Addresses addresses, int shards, IntFunction<ShardSetup> setupOf, Duration wait,
                   DistTiming timing, BiConsumer<ShardNode, String> lost) {
        this.vertx = vertx;
        this.addresses = addresses;
        this.shards = shards;
        this.setupOf = setupOf;
        this.wait = wait;
        this.timing = timing;
        this.lost = lost;
        this.clock = AwakeClock.watching(timing);
    }

    /** Completes when all K-1 shard nodes are ready; fails after the wait. */
    Future<Void> recruit() {
        consumer = vertx.eventBus().consumer(addresses.shardOffer(), this::onOffer);
        long timer = vertx.setTimer(wait.toMillis(), t -> allReady.tryFail(new IllegalStateException(
                ready.size() + " of " + (shards - 1) + " parameter shard nodes joined within " + wait.toSeconds()
                        + " s: start " + (shards - 1 - ready.size()) + " more 'recur ps-shard --cluster' with the "
                        + "server's --cluster-name (and --cluster-config)")));
        allReady.future().onComplete(ar -> vertx.cancelTimer(timer)).onFailure(t -> end(t.getMessage()))
                .onSuccess(v -> pinger = vertx.setPeriodic(timing.heartbeat().toMillis(), t -> ping()));
        LOG.info("waiting up to {} s for {} parameter shard nodes", wait.toSeconds(), shards - 1);
        return consumer.completion().compose(v -> allReady.future());
    }

    private void onOffer(Message<ShardOffer> msg) {
        ShardOffer offer = msg.body();
        if (taken.size() == shards - 1 || allReady.future().isComplete()) {
            msg.fail(409, "the parameter server has all its " + (shards - 1) + " shard nodes");
            return;
        }
        int k = taken.size() + 1;
        ShardNode node = new ShardNode(k, offer.getAddress(), offer.getNodeId(), offer.getDescription());
        taken.put(k, node);
        msg.reply(ShardReady.newBuilder().setFormat(WireFormat.VERSION).build());
        vertx.eventBus().<ShardReady>request(node.address(), setupOf.apply(k),
                        new DeliveryOptions().setSendTimeout(timing.deadAfter().multipliedBy(2).toMillis()))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        allReady.tryFail(new IllegalStateException("parameter shard node " + node.description()
                                + " did not set up slice " + k + ": " + ar.cause().getMessage()));
                    } else if (ar.result().body().getSlice() != k) {
                        allReady.tryFail(new IllegalStateException("parameter shard node " + node.description()
                                + " answered for slice " + ar.result().body().getSlice() + ", was given " + k));
                    } else {
                        ready.put(k, node);
                        lastAnswer.put(k, clock.now());
                        LOG.info("parameter shard {} ready on {}", k, node.description());
                        if (ready.size() == shards - 1) {
                            allReady.tryComplete();
                        }
                    }
                });
    }

    private void ping() {
        long now = clock.now();
        for (ShardNode n : ready.values()) {
            long silent = now - lastAnswer.get(n.slice());
            if (silent > timing.deadAfter().toNanos()) {
                String failure = lastFailure.get(n.slice());
                gone(n, "did not answer for " + silent / 1_000_000 + " ms" + (failure == null ? "" : " (" + failure + ")"));
                return;
            }
            ShardReady ping = ShardReady.newBuilder().setFormat(WireFormat.VERSION).setSlice(n.slice()).build();
            vertx.eventBus().request(n.address(), ping,
                    new DeliveryOptions().setSendTimeout(timing.requestTimeout().toMillis())).onComplete(ar -> {
                        if (ar.succeeded()) {
                            lastAnswer.put(n.slice(), clock.now());
                            lastFailure.remove(n.slice());
                            answered++;
                        } else {
                            lastFailure.put(n.slice(), pingFailure(ar.cause()));
                        }
                    });
        }
    }

    private String pingFailure(Throwable t) {
        if (t instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS) {
            return "no handler at its address";
        }
        if (t instanceof ReplyException r && r.failureType() == ReplyFailure.TIMEOUT) {
            return "a ping had no reply within " + timing.requestTimeout().toMillis() + " ms";
        }
        return "a ping failed: " + t.getMessage();
    }

    /** Pings answered so far, by all shard nodes (tests wait on it). Event loop. */
    long answered() {
        return answered;
    }

    private void gone(ShardNode n, String why) {
        if (ready.remove(n.slice()) != null) {
            lost.accept(n, why);
        }
    }

    /** The shard node running on cluster node {@code nodeId}, or null. */
    ShardNode onNode(String nodeId) {
        return taken.values().stream().filter(n -> n.nodeId().equals(nodeId)).findFirst().orElse(null);
    }

    /** Tells every shard node that took a slice that training is over ({@code error} null) or failed. */
    void end(String error) {
        vertx.cancelTimer(pinger);
        ready.clear();
        ShardEnd end = ShardEnd.newBuilder().setFormat(WireFormat.VERSION).setFinished(error == null)
                .setError(error == null ? "" : error).build();
        for (ShardNode n : taken.values()) {
            vertx.eventBus().send(n.address(), end);
        }
    }
}
