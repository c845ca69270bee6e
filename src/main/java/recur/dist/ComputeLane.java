package recur.dist;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;

/**
 * A thread of a verticle's own that runs its blocking work (a window's compute, an optimizer step,
 * file writes) one task at a time, in submission order, and hands each task's completion back to the
 * verticle's context before starting the next. It does what an ordered {@code executeBlocking} does,
 * without the garbage: {@code executeBlocking} makes a promise, a task, queue nodes and listeners for
 * each call (~200-300 bytes), which was a quarter of a training round's allocation
 * (docs/performance.md). A round's task is a {@link Task} made once and submitted again each round,
 * exchanging its data through the verticle's fields; the lane's thread waits on a monitor, and the
 * completion goes back through the context's own task queue. {@link #execute} wraps one-off work
 * (start-up, joins, the end of training) in a future.
 */
final class ComputeLane {
    /** Work for the lane: {@link #run} on the lane's thread, then {@link #done} on the context. */
    interface Task {
        void run() throws Exception;

        /** @param failure what {@link #run} threw, or null */
        void done(Throwable failure);
    }

    private final Context context;
    private final Thread thread;
    private final ArrayDeque<Task> queue = new ArrayDeque<>(); // guarded by this
    private Task current;           // run or running, completion not yet delivered; guarded by this
    private Throwable failure;      // guarded by this
    private boolean closed;         // guarded by this
    private final Handler<Void> deliver = v -> delivered();

    /** A lane whose completions run on {@code context}; its thread is a daemon named {@code name}. */
    ComputeLane(Context context, String name) {
        this.context = context;
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::loop);
        thread.start();
    }

    /** Queues {@code task}; any thread. */
    synchronized void submit(Task task) {
        if (closed) {
            throw new IllegalStateException("the compute lane " + thread.getName() + " is closed");
        }
        queue.add(task);
        notifyAll();
    }

    /** Runs {@code work} on the lane, after everything submitted before it; completes on the context. */
    <T> Future<T> execute(Callable<T> work) {
        Promise<T> promise = Promise.promise();
        submit(new Task() {
            private T result;

            @Override
            public void run() throws Exception {
                result = work.call();
            }

            @Override
            public void done(Throwable failure) {
                if (failure == null) {
                    promise.complete(result);
                } else {
                    promise.fail(failure);
                }
            }
        });
        return promise.future();
    }

    /** Stops the thread once the task it runs (if any) is done; tasks still queued are dropped. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    private void loop() {
        while (true) {
            Task task;
            synchronized (this) {
                while (!closed && (current != null || queue.isEmpty())) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                task = current = queue.poll();
            }
            Throwable thrown = null;
            try {
                task.run();
            } catch (Throwable t) {
                thrown = t;
            }
            synchronized (this) {
                failure = thrown;
            }
            context.runOnContext(deliver);
        }
    }

    /** On the context: the finished task's completion; only then may the lane start the next one. */
    private void delivered() {
        Task task;
        Throwable thrown;
        synchronized (this) {
            task = current;
            thrown = failure;
        }
        try {
            task.done(thrown);
        } finally {
            synchronized (this) {
                current = null;
                failure = null;
                notifyAll();
            }
        }
    }
}
