package recur.dist;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.TreeSet;
import recur.wire.GradientMessage;
import recur.wire.WeightsMessage;
import recur.wire.WireFormat;
import recur.wire.proto.SliceRequest;

/**
 * A worker's side of a sharded parameter server (K > 1, {@link ParamSlices}): assembles a version's
 * weights from the server's slice 0 and the slices it asks parameter shards 1..K-1 for, and cuts each
 * push into K slice pushes. With one server it passes weights and pushes through unchanged.
 * Event-loop only.
 *
 * <p>Lost slices are asked for again every request timeout; after {@code deadAfter} the worker gives
 * up on that version (the server's re-send of its weights starts a new attempt).
 */
final class SliceClient {
    /** Plain send options, shared: Vert.x only reads them, and a push then allocates no options object. */
    static final DeliveryOptions SEND = new DeliveryOptions();

    private final Vertx vertx;
    private final Addresses addresses;
    private final String address;
    private final DistTiming timing;
    private final int[] bounds;         // null: one server
    private final String pushAddress;   // made once: a round allocates no address strings
    private final TensorLink link;      // one server and a tensor link: pushes go there (null: the event bus)
    private long pendingVersion = -1;
    private float[] pending;            // (P) being assembled
    private final TreeSet<Integer> missing = new TreeSet<>();
    private Promise<float[]> promise;
    private long timer = -1;
    private long started;

    /** @param link the worker's tensor link (only with one server; null: pushes go on the event bus) */
    SliceClient(Vertx vertx, Addresses addresses, String address, DistTiming timing, int shards, int params,
                TensorLink link) {
        this.vertx = vertx;
        this.addresses = addresses;
        this.address = address;
        this.timing = timing;
        this.bounds = shards > 1 ? ParamSlices.bounds(params, shards) : null;
        this.pushAddress = addresses.push();
        if (link != null && bounds != null) {
            throw new IllegalArgumentException("a sharded parameter server (" + shards + " shards) takes pushes on the"
                    + " event bus, not on a tensor link");
        }
        this.link = link;
    }

    /** Whether weights come in slices to gather (a sharded server). */
    boolean sharded() {
        return bounds != null;
    }

    /** The whole parameters of {@code w}'s version ({@code w.params()} itself with one server); null: gave up. */
    Future<float[]> gather(WeightsMessage w, int workerId) {
        if (bounds == null || w.params() == null) {
            return Future.succeededFuture(w.params());
        }
        if (promise != null) { // not expected: the worker handles one weights message at a time
            Promise<float[]> old = promise;
            cancel();
            old.complete(null);
        }
        pendingVersion = w.version();
        pending = new float[bounds[bounds.length - 1]];
        System.arraycopy(w.params(), 0, pending, 0, w.params().length);
        missing.clear();
        for (int k = 1; k + 1 < bounds.length; k++) {
            missing.add(k);
        }
        promise = Promise.promise();
        started = System.nanoTime();
        ask(workerId);
        return promise.future();
    }

    private void ask(int workerId) {
        SliceRequest req = SliceRequest.newBuilder().setFormat(WireFormat.VERSION).setWorkerId(workerId)
                .setVersion(pendingVersion).setAddress(address).build();
        for (int k : missing) {
            vertx.eventBus().send(addresses.slice(k, "weights"), req);
        }
        timer = vertx.setTimer(timing.requestTimeout().toMillis(), t -> {
            timer = -1;
            if (promise == null) {
                return;
            }
            if (System.nanoTime() - started > timing.deadAfter().toNanos()) {
                Promise<float[]> p = promise;
                promise = null;
                p.complete(null);
            } else {
                ask(workerId);
            }
        });
    }

    /** A slice from parameter shard {@code s.slice()}; ignored unless it completes the version being gathered. */
    void offer(WeightsMessage s) {
        if (promise == null || s.version() != pendingVersion || !missing.remove(s.slice())) {
            return;
        }
        System.arraycopy(s.params(), 0, pending, bounds[s.slice()], s.params().length);
        if (missing.isEmpty()) {
            Promise<float[]> p = promise;
            cancel();
            p.complete(pending);
        }
    }

    private void cancel() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        promise = null;
    }

    /**
     * Sends {@code g} to the server, or its slices to the server and the parameter shards; each
     * message sent is retained for its receiver (pooled buffers, see {@link GradientMessage#retain}).
     */
    void push(GradientMessage g) {
        if (link != null) {
            g.retain(); // the link reads the gradient as it writes it: held until then
            link.send(g, g::release);
            return;
        }
        if (bounds == null) {
            g.retain();
            vertx.eventBus().send(pushAddress, g, SEND);
            return;
        }
        var parts = ParamSlices.split(g, bounds); // copies of the gradient; slice 0 shares the shard states
        parts.getFirst().retain();
        vertx.eventBus().send(pushAddress, parts.getFirst(), SEND);
        for (int k = 1; k < parts.size(); k++) {
            vertx.eventBus().send(addresses.slice(k, "push"), parts.get(k));
        }
    }
}
