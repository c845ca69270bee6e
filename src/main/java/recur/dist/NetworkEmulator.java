package recur.dist;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import recur.wire.GradientMessage;
import recur.wire.WeightsMessage;
import recur.wire.proto.Heartbeat;
import recur.wire.proto.JoinRequest;
import recur.wire.proto.Leave;
import recur.wire.proto.SliceCommit;
import recur.wire.proto.SliceReduce;
import recur.wire.proto.SliceRequest;

/**
 * Makes one machine's event bus behave like a network ({@link NetworkProfile}): an outbound
 * interceptor that delays each message by its link's queueing and transfer time plus latency and
 * jitter, and drops a message with the profile's loss probability. With it, N workers in one JVM
 * behave like N machines on that network.
 *
 * <p>Links: every node (the parameter server, each worker) has one full-duplex link of the profile's
 * bandwidth. A message waits for its sender's outgoing side to be free, takes {@code bytes / bandwidth}
 * on it, travels {@code latency + jitter}, then waits for and takes the same time on the receiver's
 * incoming side. So N gradients arriving together queue at the server's link, and a broadcast of N
 * weights leaves it one after another, as on a real network; messages on one link stay in order.
 * Message sizes are the wire sizes (bf16 tensors count 2 bytes a value), estimated without encoding.
 *
 * <p>Loss: one {@link SplittableRandom} from the seed decides delays and losses in the order
 * messages are sent, so the same sequence of messages meets the same network. The stop message is
 * never dropped (a real deployment would repeat it; the emulator does not model that). Lost joins
 * and heartbeats are handled by their request timeouts, lost weights and gradients by the server's
 * re-send ({@link ParameterServerVerticle}).
 *
 * <p>One JVM per node (cluster mode): {@link #installPerNode} splits the same path between the two
 * JVMs. The sender's outbound interceptor takes the outgoing side, latency, jitter and loss; the
 * receiver's inbound interceptor takes the incoming side when the message arrives. Each JVM draws from
 * its own seeded RNG. The stop message is passed on at once there (the server closes its node right
 * after sending it). Bytes: {@link #bytes()} counts what this JVM sends and {@link #bytesFromWorkers()}
 * what it receives from workers, so at the parameter server's JVM their sum is every message of the run
 * (workers only talk to the server), the same count as {@link #install} gives in local mode.
 *
 * <p>Call order: {@link #install} or {@link #installPerNode} once per Vert.x instance, before
 * deploying the verticles.
 */
public final class NetworkEmulator {
    private static final String PS = "ps";
    /** Delays shorter than this are not worth a thread hop. */
    private static final long IMMEDIATE_NANOS = 20_000;
    /** One daemon thread delivers every delayed message of every emulator at its deadline. */
    private static final ScheduledExecutorService DELAYS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "recur-network-emulator");
        t.setDaemon(true);
        return t;
    });

    private final Vertx vertx;
    private final NetworkProfile profile;
    private final SplittableRandom random;
    private final boolean perNode;
    private final Map<String, Long> txFree = new HashMap<>();   // node -> nanoTime its outgoing side is free
    private final Map<String, Long> rxFree = new HashMap<>();   // node -> nanoTime its incoming side is free
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong bytesFromWorkers = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delayNanos = new AtomicLong();

    private NetworkEmulator(Vertx vertx, NetworkProfile profile, long seed, boolean perNode) {
        this.vertx = vertx;
        this.profile = profile;
        this.random = new SplittableRandom(seed);
        this.perNode = perNode;
    }

    /**
     * All nodes in one Vert.x (local mode): adds the outbound interceptor that emulates the whole path;
     * returns the emulator (for its counters).
     */
    public static NetworkEmulator install(Vertx vertx, NetworkProfile profile, long seed) {
        NetworkEmulator e = new NetworkEmulator(vertx, profile, seed, false);
        vertx.eventBus().addOutboundInterceptor(e::intercept);
        return e;
    }

    /**
     * This Vert.x is one node of a cluster (one JVM per node): the outbound interceptor emulates the
     * sending half of each path, the inbound interceptor the receiving half (see the class comment).
     * Give every node its own {@code seed}.
     */
    public static NetworkEmulator installPerNode(Vertx vertx, NetworkProfile profile, long seed) {
        NetworkEmulator e = new NetworkEmulator(vertx, profile, seed, true);
        vertx.eventBus().addOutboundInterceptor(e::intercept);
        vertx.eventBus().addInboundInterceptor(e::receive);
        return e;
    }

    public NetworkProfile profile() {
        return profile;
    }

    /** Messages seen (including dropped ones). */
    public long messages() {
        return messages.get();
    }

    /** Wire bytes of the messages seen (sent from this JVM). */
    public long bytes() {
        return bytes.get();
    }

    /** Per node only: wire bytes this JVM received from workers (always 0 with {@link #install}). */
    public long bytesFromWorkers() {
        return bytesFromWorkers.get();
    }

    public long dropped() {
        return dropped.get();
    }

    /** Total delay added to delivered messages, in seconds. */
    public double delaySeconds() {
        return delayNanos.get() / 1e9;
    }

    private <T> void intercept(DeliveryContext<T> ctx) {
        Object body = ctx.body();
        String to = ctx.message().address();
        long size = WireSizes.of(body);
        messages.incrementAndGet();
        bytes.addAndGet(size);
        if (profile.passThrough()) {
            ctx.next();
            return;
        }
        boolean stop = body instanceof WeightsMessage w && w.stop();
        if (stop && perNode) {
            // Not delayed either: the server closes its node right after sending it, cancelling pending timers.
            ctx.next();
            return;
        }
        long delay;
        synchronized (this) {
            if (!stop && profile.loss() > 0 && random.nextDouble() < profile.loss()) {
                dropped.incrementAndGet();
                return;
            }
            delay = perNode ? scheduleSend(sender(to, body), size) : schedule(sender(to, body), receiver(to), size);
        }
        deliverAfter(ctx, delay);
    }

    /** Per node: the receiving half, on the receiver's context (so the timer fires there too). */
    private <T> void receive(DeliveryContext<T> ctx) {
        Object body = ctx.message().body(); // a clustered message decodes its body lazily; ctx.body() may be null
        String to = ctx.message().address();
        long size = WireSizes.of(body);
        if (!sender(to, body).startsWith(PS)) {
            bytesFromWorkers.addAndGet(size);
        }
        if (profile.passThrough() || body instanceof WeightsMessage w && w.stop()) {
            ctx.next();
            return;
        }
        long delay;
        synchronized (this) {
            delay = scheduleReceive(receiver(to), size);
        }
        deliverAfter(ctx, delay);
    }

    private <T> void deliverAfter(DeliveryContext<T> ctx, long delay) {
        delayNanos.addAndGet(delay);
        if (delay < IMMEDIATE_NANOS) {
            ctx.next();
            return;
        }
        // Vert.x timers have millisecond resolution, which would round a 10 Gbit/s link's 0.3 ms transfers to
        // 0 or 1 ms; a nanosecond-deadline scheduler (tens of microseconds late at worst) keeps them, and
        // the delivery itself still runs on the sender's context.
        Context context = vertx.getOrCreateContext();
        DELAYS.schedule(() -> {
            try {
                context.runOnContext(v -> ctx.next());
            } catch (RuntimeException closed) {
                // the node closed while the message was on the wire: it is lost with it
            }
        }, delay, TimeUnit.NANOSECONDS);
    }

    /** Per node, sending half: nanoseconds until the message reaches the receiver's JVM. */
    private long scheduleSend(String from, long size) {
        long now = System.nanoTime();
        long transfer = (long) (profile.transferSeconds(size) * 1e9);
        long sent = Math.max(now, txFree.getOrDefault(from, now)) + transfer;
        txFree.put(from, sent);
        double jitter = profile.jitterMs() == 0 ? 0 : random.nextDouble(-profile.jitterMs(), profile.jitterMs());
        return sent + (long) (Math.max(0, profile.latencyMs() + jitter) * 1e6) - now;
    }

    /** Per node, receiving half: nanoseconds until the message has crossed the receiver's incoming side. */
    private long scheduleReceive(String to, long size) {
        long now = System.nanoTime();
        long transfer = (long) (profile.transferSeconds(size) * 1e9);
        long received = Math.max(now, to == null ? now : rxFree.getOrDefault(to, now)) + transfer;
        if (to != null) {
            rxFree.put(to, received);
        }
        return received - now;
    }

    /** Nanoseconds from now until the message is delivered; advances the two links' clocks. */
    private long schedule(String from, String to, long size) {
        long now = System.nanoTime();
        long transfer = (long) (profile.transferSeconds(size) * 1e9);
        long sent = Math.max(now, txFree.getOrDefault(from, now)) + transfer;
        txFree.put(from, sent);
        double jitter = profile.jitterMs() == 0 ? 0 : random.nextDouble(-profile.jitterMs(), profile.jitterMs());
        long arrives = sent + (long) (Math.max(0, profile.latencyMs() + jitter) * 1e6);
        long received = Math.max(arrives, rxFree.getOrDefault(to, arrives)) + transfer;
        if (to != null) {
            rxFree.put(to, received);
        }
        return received - now;
    }

    /** The receiving node: the server (any of its addresses), a worker (its address), or null for a reply. */
    static String receiver(String address) {
        if (address.contains(".ps")) {
            return PS + address.substring(address.indexOf(".ps") + 3, address.lastIndexOf('.'));
        }
        return address.contains(".worker.") ? address : null;
    }

    /**
     * The sending node: workers send to the server (and to parameter shards k, "ps" + k); the server
     * sends everything else, except the weight slices a parameter shard sends to workers.
     */
    static String sender(String to, Object body) {
        if (!to.contains(".ps")) {
            return body instanceof WeightsMessage w && w.slice() > 0 ? PS + w.slice() : PS;
        }
        return switch (body) {
            case GradientMessage g -> "w" + g.workerId();
            case Heartbeat h -> "w" + h.getWorkerId();
            case Leave l -> "w" + l.getWorkerId();
            case JoinRequest j -> j.getAddress();
            case SliceRequest r -> "w" + r.getWorkerId();
            case SliceReduce r -> PS;
            case SliceCommit c -> PS;
            default -> "other";
        };
    }
}
