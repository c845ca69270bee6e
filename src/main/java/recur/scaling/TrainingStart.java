package recur.scaling;

import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicLong;
import recur.wire.WeightsMessage;

/**
 * When training began: the moment the parameter server sent its first weights, which it does once
 * all expected workers have joined. The grid's clock starts there, so starting worker JVMs, joining
 * the cluster and deploying are never counted as training time.
 */
final class TrainingStart {
    private final AtomicLong nanos = new AtomicLong(Long.MIN_VALUE);

    /** Watches the server's event bus (add before the network emulator: the send, not the arrival, counts). */
    void install(Vertx vertx) {
        vertx.eventBus().addOutboundInterceptor(ctx -> {
            if (ctx.body() instanceof WeightsMessage) {
                nanos.compareAndSet(Long.MIN_VALUE, System.nanoTime());
            }
            ctx.next();
        });
    }

    boolean seen() {
        return nanos.get() != Long.MIN_VALUE;
    }

    /** System.nanoTime() of the first weights message, or {@code otherwise} when none was sent yet. */
    long nanosOr(long otherwise) {
        long n = nanos.get();
        return n == Long.MIN_VALUE ? otherwise : n;
    }
}
