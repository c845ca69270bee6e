package recur.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import recur.wire.WireFormat;
import recur.wire.proto.ShardOffer;
import recur.wire.proto.ShardReady;
import recur.wire.proto.ShardSetup;

/**
 * The server's watch on parameter shard nodes: a shard that stops answering, or whose address loses
 * its handler, is lost after the dead-after time and not sooner; a stall of the server's own event
 * loop (a GC pause, a starved CPU) longer than that time does not make a live shard lost.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShardRecruiterTest {
    private static final DistTiming TIMING = DistTiming.of(100, 1_000);
    private static final Addresses ADDRESSES = new Addresses("recruiter-test");

    private final Vertx vertx = Nodes.local();
    private final Context context = vertx.getOrCreateContext();
    private final CompletableFuture<String> lost = new CompletableFuture<>();
    private ShardRecruiter recruiter;

    @AfterEach
    void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    /** A stand-in shard node at its own address: takes its slice and answers pings while {@code answering}. */
    private static final class FakeShard {
        volatile boolean answering = true;
        volatile long lastReplySent;
        MessageConsumer<Object> consumer;

        void onMessage(Message<Object> msg) {
            if (msg.body() instanceof ShardSetup s) {
                msg.reply(ShardReady.newBuilder().setFormat(WireFormat.VERSION).setSlice(s.getSlice()).build());
            } else if (msg.body() instanceof ShardReady ping && answering) {
                lastReplySent = System.nanoTime();
                msg.reply(ShardReady.newBuilder().setFormat(WireFormat.VERSION).setSlice(ping.getSlice()).build());
            }
        }
    }

    /** Starts a recruiter for one shard node (slice 1 of 2), offers the fake, and waits until it is ready. */
    private FakeShard recruitOne() throws Exception {
        FakeShard shard = new FakeShard();
        shard.consumer = vertx.eventBus().consumer("fake-shard-node", shard::onMessage);
        shard.consumer.completion().await(10, TimeUnit.SECONDS);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        context.runOnContext(v -> {
            recruiter = new ShardRecruiter(vertx, ADDRESSES, 2,
                    k -> ShardSetup.newBuilder().setFormat(WireFormat.VERSION).setSlice(k).setShards(2).build(),
                    Duration.ofSeconds(20), TIMING, (n, why) -> lost.complete("slice " + n.slice() + " " + why));
            recruiter.recruit().onSuccess(ready::complete).onFailure(ready::completeExceptionally);
            vertx.eventBus().request(ADDRESSES.shardOffer(), ShardOffer.newBuilder().setFormat(WireFormat.VERSION)
                    .setAddress("fake-shard-node").setNodeId("node-1").setDescription("fake shard").build());
        });
        ready.get(20, TimeUnit.SECONDS);
        return shard;
    }

    /** Pings answered so far, read on the recruiter's event loop. */
    private long answered() throws Exception {
        CompletableFuture<Long> n = new CompletableFuture<>();
        context.runOnContext(v -> n.complete(recruiter.answered()));
        return n.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aStallOfTheServersOwnEventLoopDoesNotMakeALiveShardLost() throws Exception {
        recruitOne();
        long stallMs = 3 * TIMING.deadAfter().toMillis();
        context.runOnContext(v -> {
            try {
                Thread.sleep(stallMs); // the stall under test (a GC pause or a starved CPU), not synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long before = answered(); // read after the stall: this task queues behind it
        // Watch for a dead-after time and ten more answered pings after the stall: every tick in it was
        // a chance to call the shard lost (the check by wall time did so on its first tick).
        CompletableFuture<Void> more = new CompletableFuture<>();
        long watchFrom = System.nanoTime();
        context.runOnContext(v -> vertx.setPeriodic(20, t -> {
            boolean watched = System.nanoTime() - watchFrom > TIMING.deadAfter().toNanos()
                    && recruiter.answered() >= before + 10;
            if (watched || lost.isDone()) {
                vertx.cancelTimer(t);
                more.complete(null);
            }
        }));
        more.get(30, TimeUnit.SECONDS);
        assertFalse(lost.isDone(), () -> "a live shard was called lost after the server stalled: " + lost.join());
    }

    @Test
    void aShardThatStopsAnsweringIsLostAfterTheDeadAfterTimeAndNotSooner() throws Exception {
        FakeShard shard = recruitOne();
        shard.answering = false;
        String why = lost.get(30, TimeUnit.SECONDS);
        long silentNs = System.nanoTime() - shard.lastReplySent;
        assertTrue(why.startsWith("slice 1 did not answer for "), why);
        assertTrue(silentNs > TIMING.deadAfter().toNanos(), "lost after " + silentNs / 1_000_000 + " ms of silence");
        assertEquals(1, why.lines().count(), why);
    }

    @Test
    void aShardWhoseAddressLostItsHandlerIsLostSayingSo() throws Exception {
        FakeShard shard = recruitOne();
        long last = shard.lastReplySent;
        shard.consumer.unregister().await(10, TimeUnit.SECONDS);
        String why = lost.get(30, TimeUnit.SECONDS);
        assertTrue(why.startsWith("slice 1 did not answer for ") && why.endsWith(" ms (no handler at its address)"),
                why);
        assertTrue(System.nanoTime() - Math.max(last, shard.lastReplySent) > TIMING.deadAfter().toNanos(),
                "lost only after the dead-after time");
    }
}
