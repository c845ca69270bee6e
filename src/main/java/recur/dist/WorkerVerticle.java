package recur.dist;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import recur.io.ModelFile;
import recur.math.Kernels;
import recur.model.ModelSpec;
import recur.wire.ArrayPool;
import recur.wire.Bf16;
import recur.wire.GradientMessage;
import recur.wire.RawTensor;
import recur.wire.WeightsMessage;
import recur.wire.WireCodecs;
import recur.wire.WireFormat;
import recur.wire.proto.Heartbeat;
import recur.wire.proto.HeartbeatReply;
import recur.wire.proto.JoinReply;
import recur.wire.proto.JoinRequest;
import recur.wire.proto.Leave;
import recur.wire.proto.TensorHello;

/**
 * A worker: joins the parameter server, receives shards (tokens and stream state) and weights, and
 * answers each weights message with one gradient over its shards ({@link ShardCompute}, run on its
 * compute lane). It keeps its shards' hidden state across windows and weight updates, sends a
 * heartbeat every {@link DistTiming#heartbeat()}, and joins again when the server stops answering or
 * no longer knows it (a restarted server resumes from its checkpoint and hands the shards out anew).
 *
 * <p>Start-up: register the weights address, ask to join (retrying until a server answers), build
 * the compute for the model in the reply. Messages are handled strictly in arrival order.
 * {@link #finished()} completes when the server says training is over.
 *
 * <p>Compute runs on the worker's own {@link ComputeLane} (one thread), everything else on the event
 * loop. A round makes no futures: the weights handler starts a {@link Round} (made once) on the lane
 * and its completion pushes; only work that must wait behind a round in flight (a join, a weights
 * message arriving meanwhile) makes a future. That keeps a round's garbage to the messages themselves
 * (docs/performance.md, allocation).
 */
public final class WorkerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerVerticle.class);

    /**
     * @param nodeId          the Vert.x cluster node id ("" in local mode)
     * @param tensorTransport TCP: ask the server for a {@link TensorLink} (cluster mode; the server may
     *                        not offer one, then the event bus carries everything)
     */
    public record Setup(Addresses addresses, DistTiming timing, String nodeId, String description,
                        TensorTransport tensorTransport) {
        /** Gradients and weights on the event bus. */
        public Setup(Addresses addresses, DistTiming timing, String nodeId, String description) {
            this(addresses, timing, nodeId, description, TensorTransport.BUS);
        }
    }

    private final Setup setup;
    private final Promise<Void> finished = Promise.promise();
    private final Promise<Void> firstJoin = Promise.promise();
    private String address;
    private MessageConsumer<WeightsMessage> consumer;
    private Future<Void> chain = Future.succeededFuture(); // ordered work before a round can start
    private ComputeLane lane;
    private ShardCompute compute;        // set on the event loop between rounds, used on the lane
    private final Round round = new Round();
    private boolean computing;           // a weights message is being handled: gathered, computed, pushed
    private Promise<Void> computed;      // made only when something waits for that message
    private JoinReply joined;            // null while (re-)joining
    private int id = -1;
    private final AwakeClock awake;      // the server's silence is measured in it: a stall here is not silence
    private long lastContact;            // awake time of the server's last sign of life
    private long lastPush;
    private long timer = -1;
    private boolean joining;
    private long windows;                 // computed windows: numbers the pushes (touched on the compute lane only)
    private GradientMessage lastPushed;  // sent again when the server re-sends its weights
    private SliceClient slices;          // gathers weight slices and cuts pushes (sharded server)
    private TensorLink link;             // this membership's tensor link (null: the event bus)
    private final ArrayPool weightArrays = new ArrayPool(2); // weights received on links
    private volatile int pushes;         // gradients computed and pushed (tests); written on the event loop only

    public WorkerVerticle(Setup setup) {
        this.setup = setup;
        this.awake = AwakeClock.watching(setup.timing());
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

    /** How many gradients this worker has pushed after computing them (any thread; tests). */
    int pushes() {
        return pushes;
    }

    /** Whether this worker's pushes and weights travel on a tensor link now (event loop; tests). */
    boolean onTensorLink() {
        return link != null && link.open();
    }

    /** Closes the tensor link as a dying connection would (tests); the worker notices and joins again. */
    void breakTensorLink() {
        context.runOnContext(v -> {
            if (link != null) {
                link.close("broken on purpose");
            }
        });
    }

    @Override
    public Future<?> start() {
        lane = new ComputeLane(context, "recur-compute (" + setup.description() + ")");
        address = setup.addresses().newWorkerAddress();
        consumer = vertx.eventBus().consumer(address, msg -> onWeights(msg.body()));
        return consumer.completion().onSuccess(v -> {
            lastContact = awake.now();
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
        closeLink("the worker was undeployed");
        lane.close();
        return consumer.unregister();
    }

    // ------------------------------------------------------------------------------------ joining

    private void join() {
        if (joining || finished.future().isComplete()) {
            return;
        }
        joining = true;
        JoinRequest req = JoinRequest.newBuilder().setFormat(WireFormat.VERSION).setAddress(address)
                .setNodeId(setup.nodeId()).setDescription(setup.description())
                .setTensorTransport(setup.tensorTransport().joinLabel()).build();
        DeliveryOptions opts = new DeliveryOptions().setSendTimeout(setup.timing().requestTimeout().toMillis());
        vertx.eventBus().<JoinReply>request(setup.addresses().join(), req, opts).onComplete(ar -> {
            if (ar.failed()) {
                joining = false;
                LOG.debug("join failed ({}); retrying", ar.cause().getMessage());
                vertx.setTimer(setup.timing().heartbeat().toMillis(), t -> join());
                return;
            }
            JoinReply reply = ar.result().body();
            if (reply.getTensorPort() == 0) {
                chain = tail().compose(v -> setUp(reply, null)).onFailure(this::fail);
                return;
            }
            connect(reply).onComplete(c -> {
                if (c.failed()) {
                    joining = false;
                    LOG.warn("cannot open the tensor link to the parameter server at {}:{} ({}); joining again",
                            reply.getTensorHost(), reply.getTensorPort(), c.cause().getMessage());
                    vertx.setTimer(setup.timing().heartbeat().toMillis(), t -> join());
                    return;
                }
                // Set up behind the chain: weights arriving on the link meanwhile queue behind it (onWeights).
                chain = tail().compose(v -> setUp(reply, c.result())).onFailure(this::fail);
            });
        });
    }

    /**
     * Opens the tensor link the join reply offers and says hello on it; from then on the server sends
     * this worker's weights there and takes its pushes there (see ParameterServerVerticle#listenForLinks
     * on the order of the messages that stay on the event bus).
     */
    private Future<TensorLink> connect(JoinReply reply) {
        String where = reply.getTensorHost() + ":" + reply.getTensorPort();
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, setup.timing().requestTimeout().toMillis());
        return vertx.executeBlocking(() -> { // a blocking connect, off the event loop
            SocketChannel ch = SocketChannel.open();
            try {
                ch.socket().connect(new InetSocketAddress(reply.getTensorHost(), reply.getTensorPort()),
                        timeoutMs);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            return ch;
        }, false).map(socket -> {
            TensorLink l = new TensorLink(socket, "the parameter server at " + where, context);
            // decoded and read on the reader thread; released once computed on
            l.frames((proto, values) -> WireCodecs.weightsFromLink(proto, values, weightArrays), this::onWeights);
            l.closed(why -> {
                if (l == link && !finished.future().isComplete()) {
                    link = null;
                    rejoin("the tensor link to the parameter server closed (" + why + ")");
                }
            });
            byte[] hello = TensorHello.newBuilder().setFormat(WireFormat.VERSION).setWorkerId(reply.getWorkerId())
                    .setToken(reply.getTensorToken()).build().toByteArray();
            l.send(frame -> {
                frame.appendBytes(hello);
                return RawTensor.NONE;
            }, () -> { });
            closeLink("a new link replaces it");
            link = l;
            return l;
        });
    }

    private void closeLink(String why) {
        if (link != null) {
            TensorLink old = link;
            link = null; // its close is no news now
            old.close(why);
        }
    }

    /** Builds (or keeps, when the model is the same) the compute for the joined run. */
    private Future<Void> setUp(JoinReply reply, TensorLink tensorLink) {
        ModelSpec spec = ModelFile.spec(reply.getModelMap(), "join reply");
        boolean same = joined != null && joined.getModelMap().equals(reply.getModelMap())
                && joined.getWindow() == reply.getWindow() && joined.getStreamsPerShard() == reply.getStreamsPerShard()
                && joined.getClipNorm() == reply.getClipNorm() && joined.getClipValue() == reply.getClipValue();
        ShardCompute keep = same ? compute : null;
        return lane.execute(() -> {
            if (keep != null) {
                keep.revokeAll();
                return keep;
            }
            return new ShardCompute(spec, reply.getStreamsPerShard(), reply.getWindow(), reply.getClipNorm(),
                    reply.getClipValue(), Kernels.get());
        }).map(c -> {
            compute = c;
            slices = new SliceClient(vertx, setup.addresses(), address, setup.timing(), reply.getPsShards(),
                    c.parameterCount(), tensorLink);
            joined = reply;
            id = reply.getWorkerId();
            joining = false;
            lastContact = awake.now();
            lastPush = System.nanoTime();
            LOG.info("joined as worker {} ({} mode{})", id, reply.getMode(), tensorLink != null ? ", tensor link" : "");
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
        closeLink("joining again");
        chain = tail().compose(v -> compute == null ? Future.<Void>succeededFuture()
                : lane.execute(() -> {
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
                    lastContact = awake.now();
                }
            } else if (awake.now() - lastContact > setup.timing().deadAfter().toNanos()) {
                rejoin("no answer from the parameter server (" + ar.cause().getMessage() + ")");
            }
        });
    }

    // ------------------------------------------------------------------------------------ training

    private void onWeights(WeightsMessage w) {
        if (w.slice() > 0) { // a parameter shard's slice: completes the weights being gathered, off the chain
            if (slices != null) {
                slices.offer(w);
            }
            return;
        }
        if (!computing && chain.succeeded()) {
            handle(w); // nothing before it: no future
            return;
        }
        chain = tail().compose(v -> {
            handle(w);
            return computing ? roundDone() : Future.<Void>succeededFuture();
        }).onFailure(this::fail);
    }

    /**
     * Where new ordered work goes: behind the chain, or behind the message in flight when it was
     * started outside the chain (a promise made only then).
     */
    private Future<Void> tail() {
        return computing && chain.succeeded() ? roundDone() : chain;
    }

    private Future<Void> roundDone() {
        if (computed == null) {
            computed = Promise.promise();
        }
        return computed.future();
    }

    /** Handles one weights message, which it releases when done (the server retained it for this worker). */
    private void handle(WeightsMessage w) {
        if (w.stop()) {
            LOG.info("worker {}: training finished at version {}", id, w.version());
            finished.tryComplete();
            w.release();
            return;
        }
        if (compute == null || id < 0) {
            w.release(); // from a server this worker no longer belongs to
            return;
        }
        if (w.resend() && lastPushed != null && lastPushed.workerId() == id
                && w.version() <= lastPushed.weightVersion()) {
            if (w.version() == lastPushed.weightVersion()) {
                slices.push(lastPushed); // the first push may have been lost
            }
            w.release();
            return;
        }
        computing = true;
        lastContact = awake.now();
        round.weights = w;
        round.idleMs = (System.nanoTime() - lastPush) / 1e6;
        round.worker = id;
        round.bf16 = joined.getWire().equals("bf16");
        round.link = link != null && link.open() ? link : null;
        if (w.idle() || !slices.sharded()) {
            round.params = w.params();
            lane.submit(round);
        } else {
            slices.gather(w, id).onComplete(ar -> {
                round.params = ar.result(); // null: a parameter shard did not answer; the server will send these weights again
                lane.submit(round);
            });
        }
    }

    /**
     * One weights message's window: shard moves and the compute on the lane, the push on the event
     * loop. Made once; its fields carry one message's data at a time ({@code computing}).
     */
    private final class Round implements ComputeLane.Task {
        WeightsMessage weights;
        float[] params;
        double idleMs;
        int worker;
        boolean bf16;
        TensorLink link;          // this membership's link: the lane pushes on it as soon as it has the gradient
        boolean pushed;           // the lane pushed the result
        GradientMessage result;

        @Override
        public void run() {
            WeightsMessage w = weights;
            for (int i = 0; i < w.revoke().size(); i++) { // by index: no iterator a round
                compute.revoke(w.revoke().get(i));
            }
            for (int i = 0; i < w.assign().size(); i++) {
                compute.grant(w.assign().get(i));
            }
            result = null;
            if (w.idle() || !compute.hasShards() || params == null) {
                return;
            }
            result = compute.round(params, worker, w.version(), idleMs, ++windows); // windows: lane thread only
            if (bf16) {
                Bf16.roundInPlace(result.grad(), result.grad().length); // what the wire carries, in local mode too
            }
            if (link != null) {
                // Pushed from here, not after the hop back to the event loop, and written by this thread (it has
                // nothing to do until new weights come): the push is on every round's critical path. A link
                // closed meanwhile (a re-join) drops it; done() keeps the bookkeeping.
                GradientMessage r = result;
                r.retain(); // the link reads the gradient as it writes it: held until then
                link.write(r, r::release);
                pushed = true;
            }
        }

        @Override
        public void done(Throwable failure) {
            GradientMessage r = result;
            boolean sent = pushed;
            result = null;
            params = null;
            link = null;
            pushed = false;
            weights.release(); // computed on: the server's buffer may be reused
            weights = null;
            computing = false;
            Promise<Void> waiting = computed;
            computed = null;
            if (failure != null) {
                chain = Future.failedFuture(failure); // nothing after a failed round runs
                fail(failure);
            } else if (r != null && id == worker) {
                lastPush = System.nanoTime();
                if (lastPushed != null) {
                    lastPushed.release(); // this worker's hold on its previous push (kept for re-sends)
                }
                lastPushed = r;
                if (!sent) {
                    slices.push(lastPushed);
                }
                pushes++;
            } else if (r != null) {
                r.release(); // computed for a membership this worker no longer has
            }
            if (waiting != null) {
                if (failure == null) {
                    waiting.complete();
                } else {
                    waiting.fail(failure);
                }
            }
        }
    }

    private void fail(Throwable t) {
        LOG.error("worker {} failed", id, t);
        finished.tryFail(t);
    }
}
