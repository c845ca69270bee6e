package recur.dist;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import recur.io.Json;
import recur.io.ModelFile;
import recur.math.Kernels;
import recur.optim.LearningRateSchedule;
import recur.optim.Optimizers;
import recur.train.StepStats;
import recur.train.TrainConfig;
import recur.wire.Bf16;
import recur.wire.GradientMessage;
import recur.wire.ShardGrant;
import recur.wire.ShardSnapshot;
import recur.wire.WeightsMessage;
import recur.wire.WireFormat;
import recur.wire.proto.Checkpoint;
import recur.wire.proto.Heartbeat;
import recur.wire.proto.HeartbeatReply;
import recur.wire.proto.JoinReply;
import recur.wire.proto.JoinRequest;
import recur.wire.proto.Leave;

/**
 * The parameter server: owns the flat parameters, the optimizer state and the version, hands shards
 * of the data to workers, and turns their gradients into new versions.
 *
 * <ul>
 *   <li><b>sync</b> (bulk-synchronous): every worker that holds shards gets the weights of version v;
 *       when each has pushed its gradient for v, the gradients are averaged (weighted by loss counts,
 *       in worker-id order), clipped and applied, and version v+1 goes out.
 *   <li><b>async</b> (Downpour-style, Dean et al. 2012, with bounded staleness): a gradient is applied
 *       when it arrives unless it was computed on a version more than {@code staleness} behind the one
 *       it would be applied to (checked again on the lane, where updates queued before it have
 *       moved the model on); the pusher gets the newest weights back once its update is done.
 * </ul>
 *
 * A push is rejected and counted ({@link Reject}) without touching the model when it comes from an
 * unknown worker, has the wrong size or non-finite values, or names a version from the future, too
 * old or already pushed. Workers that stop sending heartbeats (or whose cluster node leaves) are
 * dropped; their shards go to other workers with the state of their last push. Averaging, the
 * optimizer and all file writes run in order on the server's own thread (a {@link ComputeLane}: no
 * garbage per task, unlike {@code executeBlocking}); the event loop only keeps the books.
 *
 * <p>Call order: deploy; {@link #done()} completes when the configured number of versions is
 * reached or {@code stopRequested} says so (after a full version), with the final parameters.
 */
public final class ParameterServerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ParameterServerVerticle.class);

    /**
     * @param shards        how many shards of {@code config.batch} streams the data is cut into (the
     *                      worker count of the reference run)
     * @param expectWorkers workers to wait for before the first version
     * @param runDir        where model, config, metrics and checkpoints go (null: write nothing)
     * @param resumeFrom    run directory whose checkpoint to continue from (null: start fresh)
     */
    public record Setup(DistJob job, Addresses addresses, DistTiming timing, int shards, int expectWorkers,
                        Path runDir, Path resumeFrom, Consumer<StepStats> listener, BooleanSupplier stopRequested) {
    }

    private final Setup setup;
    private final TrainConfig cfg;
    private final boolean sync;
    private final String serverId = UUID.randomUUID().toString();
    private final Promise<DistResult> done = Promise.promise();
    private final Map<Reject, Long> rejected = new EnumMap<>(Reject.class);
    private final TreeMap<Integer, Member> members = new TreeMap<>();
    private final TreeMap<Integer, Member> unlinked = new TreeMap<>(); // joined, their tensor link not yet bound
    private final List<Member> roster = new ArrayList<>(); // members in id order, walked by index: no iterator a round

    private ServerModel model;            // touched only on the lane
    private ComputeLane lane;             // the model's updates, start-up, checkpoints and the end, in order
    private final RoundUpdate roundUpdate = new RoundUpdate();
    private ShardTable table;
    private MetricsLog metrics;
    private WeightsMessage weights;       // the current version
    private long version;
    private int nextId;
    private boolean started;
    private boolean finished;
    private int applying;             // updates in flight
    private long timer = -1;
    private final AwakeClock awake; // workers' silence is measured in it: a stall of this JVM is not their silence
    private long tokensSeen;
    private double lastLoss = Double.NaN;
    private long roundRejected;
    /**
     * Recent round times (ms), for the re-send timeout. The timeout follows the fastest of them: a
     * round that waited for a lost message is slow, and scaling the timeout with it made the next wait
     * longer still (a run with 10% loss stalled this way).
     */
    private final double[] recentRoundMs = new double[8];
    private int rounds;
    private final boolean bf16;
    private int[] slices;             // parameter slice bounds (ParamSlices) when sharded, else null
    private final String clusterNodeId;  // this server's cluster node (null in local mode)
    private ShardRecruiter shardNodes;   // --ps-shard-nodes: slices 1..K-1 live on their own nodes, else null
    private ShardedStep shardedStep;     // the sync update when sharded, else null
    private final TensorServer.Endpoint tensorEndpoint; // where tensor links are offered (null: the event bus only)
    private TensorServer tensors;        // the tensor links' listener, when offered and not sharded
    private final TensorLink.Shared framed = new TensorLink.Shared(); // the last weights sent on links, as a frame
    private final recur.wire.ArrayPool pushArrays = new recur.wire.ArrayPool(8); // gradients received on links
    private final recur.wire.Pool<recur.nn.RecurrentState> pushStates; // their shard states (the table keeps the latest)

    // sync round bookkeeping, by worker id; reused from round to round (no garbage a round)
    private final BitSet expected = new BitSet();
    private final BitSet arrived = new BitSet();            // pushed for this version (accepted or rejected)
    private List<GradientMessage> accepted = new ArrayList<>(); // in worker-id order
    private List<GradientMessage> spare = new ArrayList<>();    // swapped with accepted when a round's update starts
    private long[] arrivedAt = new long[4];                 // arrival times of this round's pushes
    private int arrivals;
    private long roundStart;

    public ParameterServerVerticle(Setup setup) {
        this(setup, null);
    }

    /** @param clusterNodeId this server's cluster node id (cluster mode; null in local mode) */
    public ParameterServerVerticle(Setup setup, String clusterNodeId) {
        this(setup, clusterNodeId, null);
    }

    /**
     * @param tensorLinks where to offer workers that ask for them a {@link TensorLink} for their pushes
     *                    and weights (cluster mode, one parameter server; null: the event bus only)
     */
    ParameterServerVerticle(Setup setup, String clusterNodeId, TensorServer.Endpoint tensorLinks) {
        this.setup = setup;
        this.clusterNodeId = clusterNodeId;
        this.awake = AwakeClock.watching(setup.timing());
        this.tensorEndpoint = tensorLinks;
        this.cfg = setup.job().config();
        recur.model.ModelSpec spec = setup.job().spec();
        int streams = cfg.batch;
        // Enough for the table's latest state per shard plus a round of pushes in flight; more are made when short.
        this.pushStates = new recur.wire.Pool<>(() -> new recur.nn.RecurrentState(spec, streams), 16);
        this.sync = switch (cfg.mode) {
            case "sync" -> true;
            case "async" -> false;
            default -> throw new IllegalArgumentException("mode must be sync or async, got '" + cfg.mode + "'");
        };
        if (setup.shards() < 1 || setup.expectWorkers() < 1) {
            throw new IllegalArgumentException("need at least one shard and one worker, got " + setup.shards()
                    + " and " + setup.expectWorkers());
        }
        this.bf16 = switch (cfg.wire == null ? "f32" : cfg.wire) {
            case "f32" -> false;
            case "bf16" -> true;
            default -> throw new IllegalArgumentException("wire must be f32 or bf16, got '" + cfg.wire + "'");
        };
        if (cfg.staleness < 0) {
            throw new IllegalArgumentException("staleness must be >= 0, got " + cfg.staleness);
        }
        if (cfg.psShards < 1) {
            throw new IllegalArgumentException("ps-shards must be at least 1, got " + cfg.psShards);
        }
        if (cfg.psShards > 1 && (!sync || cfg.checkpointEvery > 0 || setup.resumeFrom() != null)) {
            throw new IllegalArgumentException("a sharded parameter server (ps-shards " + cfg.psShards
                    + ") runs sync mode without checkpoints for now");
        }
        if (cfg.psShardNodes && (cfg.psShards < 2 || clusterNodeId == null)) {
            throw new IllegalArgumentException("parameter shard nodes (ps-shard-nodes) need cluster mode and ps-shards"
                    + " of at least 2, got " + (clusterNodeId == null ? "local mode" : "ps-shards " + cfg.psShards));
        }
        if (cfg.psShardWait < 1) {
            throw new IllegalArgumentException("ps-shard-wait must be at least 1 second, got " + cfg.psShardWait);
        }
    }

    /** Completes with the result when training ends (fails if the server fails). */
    public Future<DistResult> done() {
        return done.future();
    }

    /**
     * A cluster node left (Hazelcast membership): drops the workers that ran on it; a parameter shard
     * node leaving ends the run with an error (its slice and optimizer state are gone). Any thread.
     */
    public void nodeLeft(String nodeId) {
        context.runOnContext(v -> {
            ShardRecruiter.ShardNode shard = shardNodes == null ? null : shardNodes.onNode(nodeId);
            if (shard != null) {
                shardLost(shard, "left the cluster");
            }
            for (Member m : List.copyOf(members.values())) {
                if (m.nodeId.equals(nodeId)) {
                    memberLost(m, "its cluster node left");
                }
            }
            unlinked.values().removeIf(m -> m.nodeId.equals(nodeId));
        });
    }

    @Override
    public Future<?> start() {
        lane = new ComputeLane(context, "recur-compute (parameter server)");
        return lane.execute(this::prepare)
                .compose(v -> deploySlices())
                // Links first: a worker that joined before the tensor server listened got the event bus
                // for its whole membership (the join reply offers a link only when there is one).
                .compose(v -> listenForLinks())
                .compose(v -> listen())
                .onSuccess(v -> timer = vertx.setPeriodic(setup.timing().heartbeat().toMillis(), t -> tick()));
    }

    @Override
    public Future<?> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (tensors != null) {
            tensors.close();
            framed.release();
        }
        if (!done.future().isComplete()) {
            done.tryFail("the parameter server was undeployed before training finished");
            if (shardNodes != null) {
                shardNodes.end("the parameter server was undeployed before training finished");
            }
        }
        return lane.execute(() -> {
            if (metrics != null) {
                metrics.close();
            }
            return null;
        }).eventually(() -> {
            lane.close();
            return Future.succeededFuture();
        });
    }

    // ------------------------------------------------------------------------------------ start-up

    /** Builds the model and the shard table, restores a checkpoint, opens the run directory. On the lane. */
    private Void prepare() throws Exception {
        DistJob job = setup.job();
        float[] params = job.params().clone();
        if (cfg.psShards > 1) { // this server owns slice 0; ParameterSliceVerticles own the others
            slices = ParamSlices.bounds(params.length, cfg.psShards);
            params = ParamSlices.slice(params, slices, 0);
        }
        var optimizer = Optimizers.parse(cfg.optimizer, params.length);
        var schedule = LearningRateSchedule.parse(cfg.schedule, cfg.lr, cfg.steps);
        model = new ServerModel(params, optimizer, schedule, cfg.clipNorm, cfg.clipValue, Kernels.get());
        table = new ShardTable(job.data(), setup.shards(), cfg.batch, job.spec());
        if (setup.resumeFrom() != null) {
            Checkpoint c = Checkpoints.read(setup.resumeFrom());
            Checkpoints.checkCompatible(c, setup.resumeFrom(), cfg, setup.job().spec(), table);
            model.restore(c);
            table.restore(c);
            tokensSeen = c.getTokensSeen();
            LOG.info("resuming from {} at version {}", Checkpoints.path(setup.resumeFrom()), c.getVersion());
        }
        version = model.version();
        weights = new WeightsMessage(version, wireParams(model.snapshot()), List.of(), List.of(), false, false);
        Path dir = setup.runDir();
        if (dir != null) {
            Files.createDirectories(dir);
            Map<String, Object> config = new LinkedHashMap<>(cfg.toMap());
            config.put("shards", setup.shards());
            config.put("total_streams", table.totalStreams());
            config.put("parameters", job.params().length);
            config.put("ps_shards", cfg.psShards);
            config.put("wire_format", WireFormat.VERSION);
            config.putAll(job.configNotes());
            Files.writeString(dir.resolve("config.json"), Json.pretty(config) + "\n");
            metrics = new MetricsLog(dir.resolve("metrics.csv"), setup.resumeFrom() != null);
        }
        return null;
    }

    /**
     * Sharded: deploys parameter shards 1..K-1 beside this server, each with its slice of the initial
     * weights, or (--ps-shard-nodes) waits for K-1 shard nodes and sends them their slices.
     */
    private Future<Void> deploySlices() {
        if (slices == null) {
            return Future.succeededFuture();
        }
        if (cfg.psShardNodes) {
            shardNodes = new ShardRecruiter(vertx, setup.addresses(), cfg.psShards, this::shardSetup,
                    java.time.Duration.ofSeconds(cfg.psShardWait), setup.timing(), this::shardLost);
        }
        shardedStep = new ShardedStep(vertx, setup.addresses(), setup.timing(), lane, model, cfg.psShards, cfg.clipNorm,
                slices, setup.job().latest(), shardNodes != null, (g, why) -> reject(Reject.NON_FINITE, g, why));
        if (shardNodes != null) {
            return shardNodes.recruit();
        }
        List<Future<String>> all = new ArrayList<>();
        for (int k = 1; k < cfg.psShards; k++) {
            all.add(vertx.deployVerticle(new ParameterSliceVerticle(new ParameterSliceVerticle.Setup(
                    setup.addresses(), k, slices[k], ParamSlices.slice(setup.job().params(), slices, k), cfg, bf16,
                    setup.job().latest()))));
        }
        return Future.all(all).mapEmpty();
    }

    /** A parameter shard node left or stopped answering: its slice and optimizer state are gone. Event loop. */
    private void shardLost(ShardRecruiter.ShardNode shard, String why) {
        if (!finished) {
            fail(new IllegalStateException("parameter shard " + shard.slice() + " (node " + shard.description()
                    + ") " + why + " at version " + version + "; its slice is lost"));
        }
    }

    /** What shard node k needs: its slice of the initial weights and the optimizer settings. */
    private recur.wire.proto.ShardSetup shardSetup(int k) {
        return recur.wire.proto.ShardSetup.newBuilder().setFormat(WireFormat.VERSION).setSlice(k)
                .setShards(cfg.psShards).setOffset(slices[k])
                .setParams(recur.wire.Tensors.encode(ParamSlices.slice(setup.job().params(), slices, k)))
                .setOptimizer(cfg.optimizer).setSchedule(cfg.schedule == null ? "" : cfg.schedule).setLr(cfg.lr)
                .setSteps(cfg.steps).setClipNorm(cfg.clipNorm).setClipValue(cfg.clipValue).setBf16(bf16)
                .setServerNodeId(clusterNodeId).build();
    }

    private Future<Void> listen() {
        var bus = vertx.eventBus();
        Addresses a = setup.addresses();
        List<MessageConsumer<?>> consumers = List.of(
                bus.<JoinRequest>consumer(a.join(), this::onJoin),
                bus.<GradientMessage>consumer(a.push(), msg -> onPush(msg.body())),
                bus.<Heartbeat>consumer(a.heartbeat(), this::onHeartbeat),
                bus.<Leave>consumer(a.leave(), this::onLeave));
        return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
    }

    /**
     * Tensor links: with an endpoint and one server (a sharded server keeps the event bus: its slices
     * travel between several nodes there), workers that ask for "tcp" get one.
     *
     * <p>Why the messages that stay on the event bus cannot break the protocol:
     * <ul>
     *   <li>Everything the server sends a worker goes through {@link #deliver}: all of it on the
     *       worker's link once bound, or all on its event-bus address (a member's transport is fixed
     *       when it joins). Weights, re-sends, shard moves (they ride in the weights) and the stop
     *       signal keep the order they were sent in, as on one event-bus address before.
     *   <li>A linked worker is not in the roster before its hello binds the link, so no weights can be
     *       sent before the link exists; the worker sends the hello only after it has the join reply, and
     *       queues weights behind building its compute, as with the event bus.
     *   <li>A worker's pushes all travel on its link; only heartbeats and its leave take the bus. A
     *       heartbeat only refreshes liveness, in any order. A leave that overtakes a push drops the
     *       worker first; the push then names an unknown worker and is rejected and counted, the
     *       worker-loss path (its shards continue from their last accepted state).
     *   <li>A re-join drops the old member and closes its link before the new member exists; a push
     *       still in flight on the old link carries the old id and is rejected. A push must name the
     *       worker its link belongs to.
     * </ul>
     */
    private Future<Void> listenForLinks() {
        if (tensorEndpoint == null || slices != null) {
            return Future.succeededFuture();
        }
        tensors = new TensorServer(vertx, tensorEndpoint, this::bindLink);
        return tensors.listen();
    }

    /** A link's hello: binds it to the worker waiting for it, which then takes part (null), or says why not. */
    private String bindLink(recur.wire.proto.TensorHello hello, TensorLink link) {
        Member m = unlinked.get(hello.getWorkerId());
        if (finished) {
            return "training has finished";
        }
        if (m == null || !m.linkToken.equals(hello.getToken())) {
            return "no worker " + hello.getWorkerId() + " waits for a link with that token";
        }
        unlinked.remove(m.id);
        m.link = link;
        // decoded on the link's reader thread (the pool is thread-safe), handled here; released with its round
        link.frames((proto, values) -> recur.wire.WireCodecs.pushFromLink(proto, values, pushArrays, pushStates), g -> {
            if (g.workerId() != m.id) {
                drop(Reject.UNKNOWN_WORKER, g, "pushed on the tensor link of worker " + m.id);
            } else {
                onPush(g);
            }
        });
        link.closed(why -> {
            if (m.link == link && !finished) {
                memberLost(m, "its tensor link closed (" + why + ")");
            }
        });
        admit(m);
        return null;
    }

    // ------------------------------------------------------------------------------------ membership

    private void onJoin(Message<JoinRequest> msg) {
        JoinRequest req = msg.body();
        if (finished) {
            msg.fail(503, "training has finished");
            return;
        }
        for (Member old : List.copyOf(members.values())) {
            if (old.address.equals(req.getAddress())) {
                memberLost(old, "it joined again");
            }
        }
        unlinked.values().removeIf(old -> old.address.equals(req.getAddress()));
        Member m = new Member(nextId++, req.getAddress(), req.getNodeId(), awake.now());
        m.description = req.getDescription();
        JoinReply.Builder reply = JoinReply.newBuilder().setFormat(WireFormat.VERSION).setWorkerId(m.id)
                .putAllModel(ModelFile.metadata(setup.job().spec(), Map.of())).setWindow(cfg.window)
                .setStreamsPerShard(cfg.batch).setMode(cfg.mode).setClipNorm(cfg.localClipNorm)
                .setClipValue(0).setHeartbeatMs(setup.timing().heartbeat().toMillis()).setServerId(serverId)
                .setWire(bf16 ? "bf16" : "f32").setPsShards(cfg.psShards);
        if (tensors != null && req.getTensorTransport().equals(TensorTransport.TCP.label())) {
            LOG.warn("worker {} ({}) asks for the tensor link of an older build: its gradients and weights take the"
                    + " event bus", m.id, m.description);
        }
        if (tensors != null && req.getTensorTransport().equals(TensorTransport.LINK_V2)) {
            m.linkToken = UUID.randomUUID().toString();
            unlinked.put(m.id, m); // takes part once its link's hello arrives (bindLink)
            msg.reply(reply.setTensorHost(tensors.host()).setTensorPort(tensors.port()).setTensorToken(m.linkToken)
                    .build());
            return;
        }
        msg.reply(reply.build());
        admit(m);
    }

    /** A worker takes part: into the roster (in id order), and the training starts or goes on with it. */
    private void admit(Member m) {
        members.put(m.id, m);
        int at = roster.size();
        while (at > 0 && roster.get(at - 1).id > m.id) {
            at--; // a linked worker may bind after one that joined later
        }
        roster.add(at, m);
        LOG.info("worker {} joined ({}{}), {} workers", m.id, m.description, m.link != null ? ", tensor link" : "",
                members.size());
        if (!started) {
            if (members.size() >= setup.expectWorkers()) {
                started = true;
                LOG.info("{} workers present: training starts at version {}", members.size(), version);
                if (sync) {
                    nextRound();
                } else {
                    placeFree();
                }
            }
        } else if (sync) {
            if (expected.isEmpty() && applying == 0) {
                nextRound();
            }
        } else {
            placeFree();
        }
    }

    private void onHeartbeat(Message<Heartbeat> msg) {
        Member m = members.get(msg.body().getWorkerId());
        if (m != null) {
            m.lastSeen = awake.now();
        }
        // A worker whose hello is still on its way knows itself joined: its heartbeat may overtake the hello.
        boolean known = m != null || unlinked.containsKey(msg.body().getWorkerId());
        msg.reply(HeartbeatReply.newBuilder().setFormat(WireFormat.VERSION).setServerId(serverId)
                .setKnown(known).build());
    }

    private void onLeave(Message<Leave> msg) {
        Member m = members.get(msg.body().getWorkerId());
        if (m != null) {
            memberLost(m, "it left: " + msg.body().getReason());
        }
    }

    private void tick() {
        long seen = awake.now();
        long limit = setup.timing().deadAfter().toNanos();
        for (Member m : List.copyOf(unlinked.values())) {
            if (seen - m.lastSeen > limit) {
                unlinked.remove(m.id);
                LOG.warn("worker {} ({}) joined but did not connect its tensor link within {} ms; dropped", m.id,
                        m.description, (seen - m.lastSeen) / 1_000_000);
            }
        }
        for (Member m : List.copyOf(members.values())) {
            if (seen - m.lastSeen > limit) {
                memberLost(m, "no heartbeat for " + (seen - m.lastSeen) / 1_000_000 + " ms");
            }
        }
        resendOverdue(now());
        // A stop while still waiting for workers ends the run too (at the version it started from).
        if (!finished && applying == 0 && setup.stopRequested().getAsBoolean()) {
            finish(true);
        }
    }

    /**
     * Sends the last weights again to workers that have not pushed for them within the re-send
     * timeout (the larger of the request timeout and four round times): the weights or the push may
     * have been lost on the way. A worker that did push answers with the same push (a duplicate the
     * server rejects and counts); one that did not computes on them.
     */
    private void resendOverdue(long now) {
        if (finished || !started) {
            return;
        }
        long after = Math.max(setup.timing().requestTimeout().toNanos(), (long) (4e6 * fastestRecentRoundMs()));
        for (Member m : members.values()) {
            if (m.busy && m.lastSent != null && now - m.sentAt > after) {
                LOG.info("worker {}: no push for version {} after {} ms; sending its weights again", m.id,
                        m.lastSent.version(), (now - m.sentAt) / 1_000_000);
                m.sentAt = now;
                m.lastSent.retain(); // for the receiver
                deliver(m, m.lastSent.asResend());
            }
        }
    }

    private double fastestRecentRoundMs() {
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < Math.min(rounds, recentRoundMs.length); i++) {
            min = Math.min(min, recentRoundMs[i]);
        }
        return rounds == 0 ? 0 : min;
    }

    private void memberLost(Member m, String why) {
        if (members.remove(m.id) == null) {
            return;
        }
        roster.remove(m);
        if (m.link != null) {
            TensorLink link = m.link;
            m.link = null; // its close is no news now
            link.close("worker " + m.id + " was dropped");
        }
        if (m.lastSent != null) {
            m.lastSent.release();
            m.lastSent = null;
        }
        for (int s : m.shards) {
            table.setOwner(s, ShardTable.UNOWNED);
        }
        LOG.warn("worker {} dropped: {}; shards {} go to others", m.id, why, m.shards);
        if (finished || !started) {
            return;
        }
        if (sync) {
            if (!arrived.get(m.id)) {
                expected.clear(m.id);
            }
            if (applying == 0) {
                if (!expected.isEmpty() && allArrived()) {
                    applyRound();
                } else if (expected.isEmpty()) {
                    nextRound();
                }
            }
        } else {
            placeFree();
        }
    }

    /** Sends {@code base} to {@code m} with its pending shard moves. */
    private void send(Member m, WeightsMessage base) {
        List<ShardGrant> grants = m.grants.isEmpty() ? List.of() : m.grants.stream().map(table::grant).toList();
        List<Integer> revokes = m.revokes.isEmpty() ? List.of() : List.copyOf(m.revokes);
        m.grants.clear();
        m.revokes.clear();
        boolean idle = m.shards.isEmpty();
        WeightsMessage msg = grants.isEmpty() && revokes.isEmpty() && !idle ? base : base.withMoves(grants, revokes, idle);
        m.busy = !idle;
        msg.retain(); // held as lastSent, for re-sends
        if (m.lastSent != null) {
            m.lastSent.release();
        }
        m.lastSent = msg;
        m.sentAt = now();
        msg.retain(); // for the receiver, which releases it once computed on
        deliver(m, msg);
    }

    /**
     * Sends {@code msg} to {@code m} on its tensor link or its event-bus address (see
     * {@link #listenForLinks} on order); takes over the receiver's hold on it.
     */
    private void deliver(Member m, WeightsMessage msg) {
        if (m.link == null) {
            vertx.eventBus().send(m.address, msg, SliceClient.SEND);
            return;
        }
        m.link.send(framed.of(msg), msg::release); // written once for every link; the hold kept until written
    }

    // ------------------------------------------------------------------------------------ sync rounds

    /** Starts the round of the current version: rebalance, then weights to every worker with shards. */
    private void nextRound() {
        expected.clear();
        arrived.clear();
        accepted.clear();
        arrivals = 0;
        roundRejected = 0;
        ShardBalancer.rebalance(table, roster);
        roundStart = now();
        for (int i = 0; i < roster.size(); i++) {
            Member m = roster.get(i);
            boolean hadMoves = !m.grants.isEmpty() || !m.revokes.isEmpty();
            if (!m.shards.isEmpty()) {
                expected.set(m.id);
                send(m, weights);
            } else if (hadMoves) {
                send(m, weights);
            }
        }
        if (expected.isEmpty() && !members.isEmpty()) {
            LOG.warn("no shards could be placed at version {}", version);
        }
    }

    private void onPush(GradientMessage g) {
        if (finished) {
            g.release();
            return;
        }
        Member m = members.get(g.workerId());
        if (m == null) {
            drop(Reject.UNKNOWN_WORKER, g, "no such worker");
            return;
        }
        m.lastSeen = awake.now();
        long wv = g.weightVersion();
        if (wv > version) {
            drop(Reject.FUTURE_VERSION, g, "the server is at version " + version);
            return;
        }
        if (sync) {
            if (wv < version) {
                drop(Reject.TOO_STALE, g, "sync round is at version " + version);
                return;
            }
            if (arrived.get(m.id)) {
                drop(Reject.DUPLICATE, g, "already pushed for version " + version);
                return;
            }
            if (!expected.get(m.id)) {
                drop(Reject.UNKNOWN_WORKER, g, "not part of the round of version " + version);
                return;
            }
        } else if (wv < m.lastPushVersion || wv == m.lastPushVersion && (g.seq() == 0 || g.seq() <= m.lastPushSeq)) {
            // A new window on the same version is no duplicate: the server may send a worker the same version
            // twice (new weights while its previous push was being applied, or after a rejected push).
            drop(Reject.DUPLICATE, g, "already pushed for version " + wv);
            return;
        }
        // The worker consumed its window whatever becomes of the gradient: record where its shards are.
        for (int i = 0; i < g.shards().size(); i++) {
            ShardSnapshot s = g.shards().get(i);
            if (table.valid(s) && m.shards.contains(s.shard())) {
                table.update(s);
            }
        }
        m.busy = false;
        m.lastPushVersion = wv;
        m.lastPushSeq = g.seq();
        if (sync) {
            arrived.set(m.id);
            if (arrivals == arrivedAt.length) {
                arrivedAt = Arrays.copyOf(arrivedAt, 2 * arrivals);
            }
            arrivedAt[arrivals++] = now();
        }
        if (g.grad().length != model.size()) {
            drop(Reject.WRONG_SIZE, g, "expected " + model.size() + " values, found " + g.grad().length);
            afterCheck(m, null);
            return;
        }
        if (!sync && version - wv > cfg.staleness) {
            drop(Reject.TOO_STALE, g, (version - wv) + " versions behind, staleness bound " + cfg.staleness);
            afterCheck(m, null);
            return;
        }
        if (!Double.isFinite(g.loss())) {
            drop(Reject.NON_FINITE, g, "NaN or infinity in the loss");
            afterCheck(m, null);
            return;
        }
        afterCheck(m, g); // the gradient's values are checked on the lane, in the update (ServerModel.applyChecked)
    }

    /** Rejects a push and releases its buffers (nothing else holds this push). */
    private void drop(Reject why, GradientMessage g, String detail) {
        reject(why, g, detail);
        g.release();
    }

    /** A push from a member passed (g, held until its update is done) or failed (null) its checks. */
    private void afterCheck(Member m, GradientMessage g) {
        if (finished) {
            if (g != null) {
                g.release();
            }
            return;
        }
        if (sync) {
            if (g != null) {
                int at = accepted.size();
                while (at > 0 && accepted.get(at - 1).workerId() > g.workerId()) {
                    at--;
                }
                accepted.add(at, g);
            }
            if (applying == 0 && allArrived()) {
                applyRound();
            }
        } else if (g != null) {
            applyAsync(m, g);
        } else if (members.containsKey(m.id)) {
            ShardBalancer.rebalance(table, free(m));
            send(m, weights);
        }
    }

    private void applyRound() {
        if (accepted.isEmpty()) {
            LOG.warn("every gradient of version {} was rejected: the round runs again", version);
            nextRound();
            return;
        }
        applying++;
        List<GradientMessage> grads = accepted; // handed to the update as is; the next round fills the spare list
        accepted = spare != null ? spare : new ArrayList<>();
        spare = null;
        double waitMs = meanWaitMs();
        Checkpoint.Builder ckpt = checkpointDue(version + 1) ? checkpointBase() : null;
        long started = roundStart;
        long rejectedNow = roundRejected;
        long seen = tokensSeen;
        if (slices == null) { // the usual round: a task made once, no futures
            roundUpdate.start(grads, waitMs, started, rejectedNow, ckpt, seen);
            return;
        }
        shardedStep.step(version, grads).compose(u -> u == null ? Future.<Applied>succeededFuture(null)
                        : lane.execute(() -> update(grads, 0, waitMs, started, rejectedNow, ckpt, seen, u)))
                .onComplete(ar -> roundApplied(grads, ar.cause(), ar.result()));
    }

    /** A sync round's update on the lane (single server); one round at a time, so one object serves all. */
    private final class RoundUpdate implements ComputeLane.Task {
        private List<GradientMessage> grads;
        private double waitMs;
        private long started;
        private long rejected;
        private Checkpoint.Builder ckpt;
        private long seen;
        private Applied result;

        void start(List<GradientMessage> grads, double waitMs, long started, long rejected, Checkpoint.Builder ckpt,
                   long seen) {
            this.grads = grads;
            this.waitMs = waitMs;
            this.started = started;
            this.rejected = rejected;
            this.ckpt = ckpt;
            this.seen = seen;
            lane.submit(this);
        }

        @Override
        public void run() {
            result = update(grads, 0, waitMs, started, rejected, ckpt, seen, null);
        }

        @Override
        public void done(Throwable failure) {
            List<GradientMessage> g = grads;
            Applied a = result;
            grads = null;
            ckpt = null;
            result = null;
            roundApplied(g, failure, a);
        }
    }

    /** Event loop: a sync round's update is done (or failed: {@code failure}); the next round starts. */
    private void roundApplied(List<GradientMessage> grads, Throwable failure, Applied a) {
        applying--;
        releaseAll(grads); // averaged (or rejected): done with them
        grads.clear();
        spare = grads;
        if (failure != null) {
            fail(failure);
            return;
        }
        rejectNonFinite(a);
        if (a == null || a.update() == null) {
            LOG.warn("every gradient of version {} was rejected: the round runs again", version);
            nextRound();
        } else {
            afterUpdate(a);
            if (!finished) {
                nextRound();
            }
        }
    }

    /** Sync: whether every worker expected in this round has pushed. */
    private boolean allArrived() {
        for (int id = expected.nextSetBit(0); id >= 0; id = expected.nextSetBit(id + 1)) {
            if (!arrived.get(id)) {
                return false;
            }
        }
        return true;
    }

    private static void releaseAll(List<GradientMessage> grads) {
        for (int i = 0; i < grads.size(); i++) {
            grads.get(i).release();
        }
    }

    /** How long pushes of this round waited for the last one, on average (ms); a loop: no per-round streams. */
    private double meanWaitMs() {
        long last = roundStart;
        for (int i = 0; i < arrivals; i++) {
            last = Math.max(last, arrivedAt[i]);
        }
        double sum = 0;
        for (int i = 0; i < arrivals; i++) {
            sum += (last - arrivedAt[i]) / 1e6;
        }
        return arrivals == 0 ? 0 : sum / arrivals;
    }

    // ------------------------------------------------------------------------------------ async

    private void applyAsync(Member m, GradientMessage g) {
        Checkpoint.Builder ckpt = checkpointDue(version + 1) ? checkpointBase() : null;
        long started = roundStart;
        roundStart = now();
        long rejectedNow = roundRejected;
        roundRejected = 0;
        applying++;
        long seen = tokensSeen;
        m.applying = true;
        lane.execute(() -> update(List.of(g), 0, 0, started, rejectedNow, ckpt, seen, null))
                .onComplete(ar -> {
                    applying--;
                    m.applying = false;
                    if (ar.failed()) {
                        g.release();
                        fail(ar.cause());
                        return;
                    }
                    if (ar.result() != null && ar.result().tooStale()) {
                        reject(Reject.TOO_STALE, g, ar.result().tooStaleDetail());
                    }
                    g.release();
                    rejectNonFinite(ar.result()); // then m gets the current weights, as after any rejection
                    afterUpdate(ar.result());
                    if (!finished && members.containsKey(m.id) && !m.busy) {
                        ShardBalancer.rebalance(table, free(m));
                        send(m, weights);
                        placeFree();
                    }
                });
    }

    /** Workers not computing: {@code pusher} (it just pushed) and those without shards or weights. */
    private List<Member> free(Member pusher) {
        List<Member> out = new ArrayList<>();
        for (Member x : members.values()) {
            if (x == pusher || !x.busy) {
                out.add(x);
            }
        }
        return out;
    }

    /**
     * Async: gives orphans to idle workers and starts those that have shards but no weights. A worker
     * whose push is still being applied gets its weights when that update is done (applyAsync): sent
     * now, it would compute on a version its own update is about to make older, and each update done
     * would start every such worker again, so that pushes pile up on the lane faster than it applies
     * them (seen under CPU load: 20 updates queued behind one another).
     */
    private void placeFree() {
        if (!started || finished) {
            return;
        }
        List<Member> free = members.values().stream().filter(x -> !x.busy).toList();
        ShardBalancer.rebalance(table, free);
        for (Member x : free) {
            if (!x.applying && (!x.shards.isEmpty() || !x.revokes.isEmpty())) {
                send(x, weights);
            }
        }
    }

    // ------------------------------------------------------------------------------------ updates

    /**
     * {@code update.weights()}: the new version as it goes to workers (rounded to bf16 under {@code --wire bf16});
     * null when every gradient had non-finite values. {@code nonFinite}: the pushes rejected for that.
     */
    private record Applied(ServerModel.Update update, double loss, long tokens, int workers, double roundMs,
                           List<GradientMessage> nonFinite, String tooStaleDetail) {
        Applied(ServerModel.Update update, double loss, long tokens, int workers, double roundMs,
                List<GradientMessage> nonFinite) {
            this(update, loss, tokens, workers, roundMs, nonFinite, null);
        }

        /** Async: the one gradient was too stale for the version it would have been applied to. */
        boolean tooStale() {
            return tooStaleDetail != null;
        }
    }

    /** Counts the pushes an update found non-finite (their buffers are released with the round's). */
    private void rejectNonFinite(Applied a) {
        if (a == null) {
            return;
        }
        for (int i = 0; i < a.nonFinite().size(); i++) {
            reject(Reject.NON_FINITE, a.nonFinite().get(i), "NaN or infinity in the gradient");
        }
    }

    /** The parameters as workers receive them: the server keeps float32 masters, the wire may carry bf16. */
    private float[] wireParams(float[] params) {
        return bf16 ? Bf16.rounded(params) : params;
    }

    /** On the lane: the optimizer step, the metrics row, a due checkpoint, the listener. */
    private Applied update(List<GradientMessage> grads, double staleness, double waitMs, long roundStarted,
                           long rejectedCount, Checkpoint.Builder ckpt, long tokensBefore, ServerModel.Update done) {
        if (done == null && model.version() >= cfg.steps) {
            return null; // async: the last version was reached while this gradient waited
        }
        if (!sync) {
            // Async: how far behind the model this gradient's weights are now, after the updates queued before
            // it. The event loop checked against its own version when the push arrived, which lags the model's
            // by the updates still on the lane; the bound holds here.
            long behind = model.version() - grads.getFirst().weightVersion();
            if (behind > cfg.staleness) {
                return new Applied(null, Double.NaN, 0, 0, 0, List.of(), behind
                        + " versions behind when its turn to be applied came, staleness bound " + cfg.staleness);
            }
            staleness = behind;
        }
        List<GradientMessage> bad = List.of();
        ServerModel.Update u = done; // a sharded step, already taken (its shards checked the pushes)
        if (u == null) {
            ServerModel.Checked c = model.applyChecked(grads);
            bad = c.nonFinite();
            rejectedCount += bad.size();
            if (c.update() == null) {
                return new Applied(null, Double.NaN, 0, 0, 0, bad);
            }
            u = c.update();
            grads = c.applied();
        }
        long tokens = 0;
        long count = 0;
        double lossSum = 0;
        double compute = 0;
        double norm = 0;
        double ratio = 0;
        for (int i = 0; i < grads.size(); i++) {
            GradientMessage g = grads.get(i);
            tokens += g.tokens();
            count += g.lossCount();
            lossSum += g.loss() * g.lossCount();
            compute += g.computeMs();
            norm += g.norm();
            ratio += g.clipRatio();
        }
        int n = grads.size();
        double loss = lossSum / count;
        double roundMs = (now() - roundStarted) / 1e6;
        if (metrics != null) {
            double computeMs = compute / n;
            double commMs = Math.max(0, roundMs - computeMs - waitMs - u.applyMs());
            metrics.append(new MetricsLog.Row(u.version(), loss, tokens, tokens / (roundMs / 1000), u.norm(),
                    u.clipRatio(), u.skipped(), staleness, n, norm / n, ratio / n, roundMs, computeMs, commMs, waitMs,
                    u.applyMs(), rejectedCount));
        }
        if (ckpt != null) {
            writeCheckpoint(ckpt, tokensBefore + tokens);
        }
        double seconds = Math.max(1e-9, roundMs / 1000);
        float[] latest = setup.job().latest();
        if (latest != null) {
            System.arraycopy(u.params(), 0, latest, 0, u.params().length); // sharded: slice 0 (shards copy theirs)
        }
        setup.listener().accept(new StepStats(u.version(), loss, tokens, tokens / seconds, u.norm(), u.clipRatio(),
                u.skipped(), seconds));
        if (bf16) { // the snapshot is ours and float32 went to latest above: round it in place
            Bf16.roundInPlace(u.params(), u.params().length);
        }
        return new Applied(u, loss, tokens, n, roundMs, bad);
    }

    private void afterUpdate(Applied a) {
        // A completion that arrives after a newer one (seen in async runs with two updates in flight)
        // must not move the version back: workers would push for a version "from the future".
        if (a == null || a.update() == null) {
            return;
        }
        if (finished || a.update().version() <= version) {
            a.update().weights().release();
            return;
        }
        ServerModel.Update u = a.update();
        version = u.version();
        tokensSeen += a.tokens();
        lastLoss = a.loss();
        recentRoundMs[rounds++ % recentRoundMs.length] = a.roundMs();
        weights.release(); // the server's hold on the previous version; members' last sends hold their own
        weights = WeightsMessage.pooled(version, u.weights());
        if (version >= cfg.steps) {
            finish(false);
        } else if (setup.stopRequested().getAsBoolean()) {
            finish(true);
        }
    }

    // ------------------------------------------------------------------------------------ checkpoints, end

    private boolean checkpointDue(long v) {
        return setup.runDir() != null && cfg.checkpointEvery > 0 && v % cfg.checkpointEvery == 0;
    }

    /** The event-loop-owned part of a checkpoint (shard states); the model part is added on the lane. */
    private Checkpoint.Builder checkpointBase() {
        return Checkpoints.base(cfg, setup.job().spec(), table);
    }

    private void writeCheckpoint(Checkpoint.Builder c, long tokens) {
        model.save(c);
        c.setTokensSeen(tokens);
        Checkpoints.write(setup.runDir(), c.build());
    }

    private void finish(boolean stopped) {
        if (finished) {
            return;
        }
        finished = true;
        Checkpoint.Builder ckpt = setup.runDir() != null && slices == null ? checkpointBase() : null;
        long tokens = tokensSeen;
        double loss = lastLoss;
        gatherSlices().compose(full -> lane.execute(() -> {
            float[] params = full != null ? full : model.snapshot();
            if (metrics != null) {
                metrics.flush(); // every row is in the file when done completes (the log is closed in stop)
            }
            if (ckpt != null) {
                writeCheckpoint(ckpt, tokens);
            }
            if (setup.runDir() != null) {
                Map<String, String> meta = new LinkedHashMap<>(setup.job().modelMetadata());
                meta.put("version", Long.toString(model.version()));
                meta.put("trained_steps", Long.toString(model.version()));
                meta.put("seed", Long.toString(cfg.seed));
                if (Double.isFinite(loss)) {
                    meta.put("train_loss", String.format(java.util.Locale.ROOT, "%.6f", loss));
                }
                ModelFile.save(setup.runDir().resolve("model.safetensors"), setup.job().spec(), params, meta);
            }
            return new DistResult(params, model.version(), stopped, model.skipped(), Map.copyOf(rejected),
                    loss, setup.runDir());
        })).onComplete(ar -> {
            WeightsMessage stop = new WeightsMessage(version, null, List.of(), List.of(), true, true);
            for (Member m : members.values()) {
                deliver(m, stop);
            }
            if (shardNodes != null) {
                shardNodes.end(ar.succeeded() ? null : "the parameter server failed: " + ar.cause().getMessage());
            }
            if (ar.succeeded()) {
                LOG.info("training {} at version {}", stopped ? "stopped" : "finished", version);
                done.tryComplete(ar.result());
            } else {
                done.tryFail(ar.cause());
            }
        });
    }

    /** Sharded: the whole float32 parameter vector, slice 0 from here and the others asked from their shards. */
    private Future<float[]> gatherSlices() {
        if (slices == null) {
            return Future.succeededFuture(null);
        }
        var ask = recur.wire.proto.SliceRequest.newBuilder().setFormat(WireFormat.VERSION).setVersion(-1).build();
        var opts = new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(setup.timing().deadAfter().toMillis());
        List<Future<WeightsMessage>> parts = new ArrayList<>();
        parts.add(lane.execute(() -> WeightsMessage.slice(version, model.snapshot(), 0)));
        for (int k = 1; k < cfg.psShards; k++) {
            parts.add(vertx.eventBus().<WeightsMessage>request(setup.addresses().slice(k, "weights"), ask, opts)
                    .map(Message::body));
        }
        return Future.all(parts).map(all -> {
            float[] full = new float[slices[slices.length - 1]];
            for (int k = 0; k < parts.size(); k++) {
                float[] p = parts.get(k).result().params();
                System.arraycopy(p, 0, full, slices[k], p.length);
            }
            return full;
        });
    }

    private void fail(Throwable t) {
        LOG.error("parameter server failed", t);
        finished = true;
        if (shardNodes != null) {
            shardNodes.end("the parameter server failed: " + t.getMessage());
        }
        done.tryFail(t);
    }

    private void reject(Reject why, GradientMessage g, String detail) {
        rejected.merge(why, 1L, Long::sum);
        roundRejected++;
        // Too-stale and duplicate pushes are the protocol working (async with many workers rejects thousands
        // a run; re-sends answer with duplicates): counted in metrics.csv and the result, logged at debug.
        // The others mean a worker or the network is wrong, and are warnings.
        if (why == Reject.TOO_STALE || why == Reject.DUPLICATE) {
            LOG.debug("rejected push of worker {} for version {}: {} ({})", g.workerId(), g.weightVersion(), why,
                    detail);
        } else {
            LOG.warn("rejected push of worker {} for version {}: {} ({})", g.workerId(), g.weightVersion(), why,
                    detail);
        }
    }

    /** Rejection counts so far (event loop). */
    Map<Reject, Long> rejected() {
        return Map.copyOf(rejected);
    }

    private static long now() {
        return System.nanoTime();
    }
}
