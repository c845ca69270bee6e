package recur.dist;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import recur.io.Decimals;

/**
 * The run directory's {@code metrics.csv}, one row per version. The first columns are those of the
 * single-process trainer; then the distributed ones: staleness (mean versions behind of the applied
 * gradients), workers in the round, the worker-side norm and clip ratio (means), and the round time
 * split into compute (mean worker compute), waiting (mean time a worker's gradient waited for the
 * slowest of the round), apply (averaging and optimizer on the server) and communication (the rest:
 * serialisation, transport, queueing), and pushes rejected during the round.
 *
 * <p>Rows are formatted, written and flushed by a daemon thread of the log's own, so that
 * {@link #append} costs the server's update (on its compute lane) a queue insertion, not the
 * formatting and a flush. The numbers are written by {@link Decimals}, not String.format, which took up
 * to a quarter of a millisecond of the writer's CPU a row before the JIT got to it, just as the round's
 * weights went out. The writer flushes whenever it has caught up, so a reader of the file during a run
 * lags by at most the rows in the queue; {@link #flush} waits for it, {@link #close} drains it. A write
 * error is not lost: it is thrown (with the path) by the next append, flush or close. One caller at a
 * time.
 */
final class MetricsLog implements AutoCloseable {
    static final String HEADER = "step,loss,tokens,tokens_per_s,grad_norm,clip_ratio,skipped,staleness,workers,"
            + "worker_norm,worker_clip_ratio,round_ms,compute_ms,comm_ms,wait_ms,apply_ms,rejected";

    record Row(long step, double loss, long tokens, double tokensPerSecond, double gradNorm, double clipRatio,
               boolean skipped, double staleness, int workers, double workerNorm, double workerClipRatio,
               double roundMs, double computeMs, double commMs, double waitMs, double applyMs, long rejected) {
    }

    /** Rows the writer may fall behind by before {@link #append} waits (back-pressure: no row is dropped). */
    private static final int QUEUE = 1024;
    /** Put by {@link #close} after the last row: the writer closes the file and ends. */
    private static final Row END = new Row(-1, 0, 0, 0, 0, 0, false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private final Path path;
    private final BufferedWriter out; // the writer thread's once it has started
    // An array-backed queue: no node per row (the compute lane's allocation is measured).
    private final ArrayBlockingQueue<Row> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread writer;
    private final Object progress = new Object(); // guards written; notified when it advances
    private final StringBuilder line = new StringBuilder(192); // the writer thread's row text
    private long written;                           // rows written and flushed (by the writer)
    private volatile RuntimeException failure;      // the writer's first error
    private long appended;                          // the caller's
    private boolean reported;
    private boolean closed;

    /** Opens (appending when resuming and the file exists) and writes the header to a new file. */
    MetricsLog(Path path, boolean append) {
        this(path, open(path, append));
    }

    /** Logs to {@code out}, which has its header; errors name {@code path}. */
    MetricsLog(Path path, BufferedWriter out) {
        this.path = path;
        this.out = out;
        writer = new Thread(this::write, "recur-metrics " + path.getFileName());
        writer.setDaemon(true);
        writer.start();
    }

    private static BufferedWriter open(Path path, boolean append) {
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            boolean header = !append || !Files.exists(path) || Files.size(path) == 0;
            BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            if (header) {
                out.write(HEADER);
                out.newLine();
                out.flush();
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot write: " + e, e);
        }
    }

    /** Queues {@code r} for the writer; waits only when it is {@link #QUEUE} rows behind. */
    void append(Row r) {
        throwFailure();
        if (closed) {
            throw new UncheckedIOException(path + ": cannot write: closed", new IOException("closed"));
        }
        putUninterruptibly(r);
        appended++;
    }

    /** Waits until every row appended so far is in the file (written and flushed). */
    void flush() {
        long target = appended;
        boolean interrupted = false;
        synchronized (progress) {
            while (written < target) {
                try {
                    progress.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        throwFailure();
    }

    /** Writes every queued row, closes the file and ends the writer; throws a write error not yet thrown. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            putUninterruptibly(END);
            boolean interrupted = false;
            while (writer.isAlive()) {
                try {
                    writer.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (!reported) {
            throwFailure();
        }
    }

    private void throwFailure() {
        RuntimeException f = failure;
        if (f != null) {
            reported = true;
            throw f;
        }
    }

    private void putUninterruptibly(Row r) {
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(r);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The writer thread: rows in order, a flush whenever the queue is empty; after an error rows are dropped. */
    private void write() {
        long n = 0;
        while (true) {
            Row r;
            try {
                r = queue.take();
            } catch (InterruptedException e) {
                continue; // only close ends the writer
            }
            if (r == END) {
                break;
            }
            boolean caughtUp = queue.isEmpty();
            if (failure == null) {
                try {
                    out.append(format(line, r));
                    out.newLine();
                    if (caughtUp) {
                        out.flush();
                    }
                } catch (IOException e) {
                    failure = new UncheckedIOException(path + ": cannot write: " + e, e);
                } catch (RuntimeException e) {
                    failure = new IllegalStateException(path + ": cannot write: " + e, e);
                }
            }
            n++;
            if (caughtUp) {
                published(n);
            }
        }
        try {
            out.close();
        } catch (IOException e) {
            if (failure == null) {
                failure = new UncheckedIOException(path + ": cannot close: " + e, e);
            }
        }
        published(n);
    }

    private void published(long n) {
        synchronized (progress) {
            written = n;
            progress.notifyAll();
        }
    }

    /** The row as String.format wrote it ({@code %d,%.6f,%d,%.1f,%.6g,%.6g,%b,%.3f,%d,%.6g,%.6g,%.3f x5,%d}). */
    static StringBuilder format(StringBuilder line, Row r) {
        line.setLength(0);
        line.append(r.step()).append(',');
        Decimals.fixed(line, r.loss(), 6).append(',').append(r.tokens()).append(',');
        Decimals.fixed(line, r.tokensPerSecond(), 1).append(',');
        Decimals.general6(line, r.gradNorm()).append(',');
        Decimals.general6(line, r.clipRatio()).append(',').append(r.skipped()).append(',');
        Decimals.fixed(line, r.staleness(), 3).append(',').append(r.workers()).append(',');
        Decimals.general6(line, r.workerNorm()).append(',');
        Decimals.general6(line, r.workerClipRatio()).append(',');
        Decimals.fixed(line, r.roundMs(), 3).append(',');
        Decimals.fixed(line, r.computeMs(), 3).append(',');
        Decimals.fixed(line, r.commMs(), 3).append(',');
        Decimals.fixed(line, r.waitMs(), 3).append(',');
        Decimals.fixed(line, r.applyMs(), 3).append(',');
        return line.append(r.rejected());
    }
}
