package recur.dist;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import recur.math.Kernels;
import recur.optim.LearningRateSchedule;
import recur.optim.Optimizers;
import recur.train.TrainConfig;
import recur.wire.Bf16;
import recur.wire.GradientMessage;
import recur.wire.WeightsMessage;
import recur.wire.WireFormat;
import recur.wire.proto.SliceCommit;
import recur.wire.proto.SliceReduce;
import recur.wire.proto.SliceReduced;
import recur.wire.proto.SliceRequest;

/**
 * Parameter shard k (1..K-1) of a sharded parameter server (sync mode): owns slice k of the flat
 * parameters ({@link ParamSlices}) and its optimizer state. It has no say in the round: workers push
 * it their gradient slices and ask it for weight slices; the {@link ParameterServerVerticle} (which
 * owns slice 0, membership and the data) tells it which pushes make up a round ({@link SliceReduce}:
 * it answers with its averaged slice's sum of squares) and then the global clip coefficient
 * ({@link SliceCommit}: it steps and serves the new version). The arithmetic is
 * {@link ServerModel#reduce} / {@link ServerModel#commit} on the slice, so the weights are those of
 * one server up to the order in which the global sum of squares is added (see docs/scaling.md).
 *
 * <p>Runs in the server's JVM (the server deploys it as a child), where it copies each new version of
 * its slice into the job's {@code latest} buffer before acknowledging the commit, or on a node of its
 * own ({@link ShardNodeVerticle}), where {@code latest} is null and a commit that asks for it
 * ({@code want_params}) is answered with the new float32 slice instead.
 */
final class ParameterSliceVerticle extends VerticleBase {

    /** @param params this slice's initial values (owned from now on); @param latest the job's buffer or null */
    record Setup(Addresses addresses, int slice, int from, float[] params, TrainConfig config, boolean bf16,
                 float[] latest) {
    }

    private final Setup setup;
    private final TreeMap<Integer, GradientMessage> pushes = new TreeMap<>(); // of the current version
    private final TreeMap<Long, List<String>> waiting = new TreeMap<>();     // version -> worker addresses
    private ServerModel model;      // only inside ordered executeBlocking tasks
    private long version;
    private float[] wire;           // this version's slice as workers receive it
    private Message<SliceReduce> reduce;  // waiting for pushes

    ParameterSliceVerticle(Setup setup) {
        this.setup = setup;
    }

    @Override
    public Future<?> start() {
        return vertx.executeBlocking(() -> {
            TrainConfig c = setup.config();
            float[] p = setup.params();
            model = new ServerModel(p, Optimizers.parse(c.optimizer, p.length),
                    LearningRateSchedule.parse(c.schedule, c.lr, c.steps), c.clipNorm, c.clipValue, Kernels.get());
            return wireParams(model.snapshot());
        }, true).compose(w -> {
            wire = w;
            var bus = vertx.eventBus();
            Addresses a = setup.addresses();
            int k = setup.slice();
            List<MessageConsumer<?>> consumers = List.of(
                    bus.<GradientMessage>consumer(a.slice(k, "push"), m -> onPush(m.body())),
                    bus.<SliceRequest>consumer(a.slice(k, "weights"), this::onRequest),
                    bus.<SliceReduce>consumer(a.slice(k, "reduce"), this::onReduce),
                    bus.<SliceCommit>consumer(a.slice(k, "commit"), this::onCommit));
            return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
        });
    }

    private float[] wireParams(float[] p) {
        return setup.bf16() ? Bf16.rounded(p) : p;
    }

    private void onPush(GradientMessage g) {
        if (g.weightVersion() == version) {
            pushes.putIfAbsent(g.workerId(), g); // a re-sent push is the same push
            tryReduce();
        }
    }

    private void onRequest(Message<SliceRequest> msg) {
        SliceRequest r = msg.body();
        if (r.getVersion() < 0) { // the float32 master slice, for the end of the run
            vertx.executeBlocking(model::snapshot, true)
                    .onSuccess(p -> msg.reply(WeightsMessage.slice(version, p, setup.slice())));
        } else if (r.getVersion() == version) {
            vertx.eventBus().send(r.getAddress(), WeightsMessage.slice(version, wire, setup.slice()));
        } else if (r.getVersion() > version) {
            waiting.computeIfAbsent(r.getVersion(), v -> new ArrayList<>()).add(r.getAddress());
        } // older: a late request the worker no longer waits for
    }

    private void onReduce(Message<SliceReduce> msg) {
        if (msg.body().getVersion() != version) {
            msg.fail(409, "parameter shard " + setup.slice() + " is at version " + version + ", asked to reduce "
                    + msg.body().getVersion());
            return;
        }
        reduce = msg;
        tryReduce();
    }

    /** Reduces once every push the server listed has arrived (pushes and the request race on different links). */
    private void tryReduce() {
        if (reduce == null || !pushes.keySet().containsAll(reduce.body().getWorkersList())) {
            return;
        }
        Message<SliceReduce> msg = reduce;
        reduce = null;
        List<GradientMessage> grads = msg.body().getWorkersList().stream().map(pushes::get).toList();
        vertx.executeBlocking(() -> {
            SliceReduced.Builder out = SliceReduced.newBuilder().setFormat(WireFormat.VERSION).setVersion(version);
            List<GradientMessage> good = new ArrayList<>();
            for (GradientMessage g : grads) {
                if (g.grad().length != model.size()
                        || model.kernels().firstNonFinite(g.grad(), 0, g.grad().length) >= 0) {
                    out.addBadWorkers(g.workerId());
                } else {
                    good.add(g);
                }
            }
            if (out.getBadWorkersCount() == 0) { // otherwise the server asks again without them
                ServerModel.Partial p = model.reduce(good);
                out.setSumSquares(p.sumSquares()).setFinite(p.finite());
            }
            return out.build();
        }, true).onComplete(ar -> {
            if (ar.succeeded()) {
                msg.reply(ar.result());
            } else {
                msg.fail(500, String.valueOf(ar.cause()));
            }
        });
    }

    private void onCommit(Message<SliceCommit> msg) {
        SliceCommit c = msg.body();
        if (c.getVersion() != version) {
            msg.fail(409, "parameter shard " + setup.slice() + " is at version " + version + ", asked to commit "
                    + c.getVersion());
            return;
        }
        vertx.executeBlocking(() -> {
            ServerModel.Update u = model.commit(Double.NaN, c.getRatio(), !c.getSkip());
            if (setup.latest() != null) {
                System.arraycopy(u.params(), 0, setup.latest(), setup.from(), u.params().length);
            }
            return u;
        }, true).onComplete(ar -> {
            if (ar.failed()) {
                msg.fail(500, String.valueOf(ar.cause()));
                return;
            }
            version = ar.result().version();
            float[] master = ar.result().params();
            wire = wireParams(master);
            pushes.clear();
            msg.reply(c.getWantParams() ? WeightsMessage.slice(version, master, setup.slice())
                    : SliceReduced.newBuilder().setFormat(WireFormat.VERSION).setVersion(version).build());
            var ready = waiting.headMap(version, true);
            for (var e : ready.entrySet()) {
                if (e.getKey() == version) {
                    for (String address : e.getValue()) {
                        vertx.eventBus().send(address, WeightsMessage.slice(version, wire, setup.slice()));
                    }
                }
            }
            ready.clear();
        });
    }
}
