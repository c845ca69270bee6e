package recur.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ComputeLaneTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    /** Runs {@code body} on a fresh event-loop context and returns that context. */
    private Context onContext(java.util.function.Consumer<Context> body) throws Exception {
        Context ctx = vertx.getOrCreateContext();
        CompletableFuture<Void> ran = new CompletableFuture<>();
        ctx.runOnContext(v -> {
            body.accept(ctx);
            ran.complete(null);
        });
        ran.get(10, TimeUnit.SECONDS);
        return ctx;
    }

    @Test
    void tasksRunInOrderOffTheContextAndCompleteOnIt() throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> last = new CompletableFuture<>();
        Context[] ctx = new Context[1];
        ComputeLane[] lane = new ComputeLane[1];
        ctx[0] = onContext(c -> {
            lane[0] = new ComputeLane(c, "test-lane");
            for (int i = 0; i < 5; i++) {
                int n = i;
                lane[0].submit(new ComputeLane.Task() {
                    @Override
                    public void run() {
                        assertFalse(Context.isOnVertxThread(), "a task runs on the lane's own thread");
                        log.add("run " + n);
                    }

                    @Override
                    public void done(Throwable failure) {
                        assertSame(c, Vertx.currentContext(), "completions run on the verticle's context");
                        log.add("done " + n);
                        if (n == 4) {
                            last.complete(null);
                        }
                    }
                });
            }
        });
        last.get(10, TimeUnit.SECONDS);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) { // each completion is delivered before the next task starts
            expected.add("run " + i);
            expected.add("done " + i);
        }
        assertEquals(expected, log);
        lane[0].close();
    }

    @Test
    void aFailureIsHandedToTheCompletionAndTheLaneGoesOn() throws Exception {
        ComputeLane[] lane = new ComputeLane[1];
        onContext(c -> lane[0] = new ComputeLane(c, "test-lane"));
        Future<Integer> failed = lane[0].execute(() -> {
            throw new IllegalStateException("boom");
        });
        Future<Integer> next = lane[0].execute(() -> 42);
        Throwable t = assertThrows(Exception.class, () -> failed.await(10, TimeUnit.SECONDS));
        assertTrue(t.getMessage().contains("boom"), t.toString());
        assertEquals(42, next.await(10, TimeUnit.SECONDS));
        lane[0].close();
        assertThrows(IllegalStateException.class, () -> lane[0].execute(() -> 1), "a closed lane takes no work");
    }
}
