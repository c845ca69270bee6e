package recur.dist;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * The run directory's {@code metrics.csv}, one row per version. The first columns are those of the
 * single-process trainer; then the distributed ones: staleness (mean versions behind of the applied
 * gradients), workers in the round, the worker-side norm and clip ratio (means), and the round time
 * split into compute (mean worker compute), waiting (mean time a worker's gradient waited for the
 * slowest of the round), apply (averaging and optimizer on the server) and communication (the rest:
 * serialisation, transport, queueing), and pushes rejected during the round.
 */
final class MetricsLog implements AutoCloseable {
    static final String HEADER = "step,loss,tokens,tokens_per_s,grad_norm,clip_ratio,skipped,staleness,workers,"
            + "worker_norm,worker_clip_ratio,round_ms,compute_ms,comm_ms,wait_ms,apply_ms,rejected";

    record Row(long step, double loss, long tokens, double tokensPerSecond, double gradNorm, double clipRatio,
               boolean skipped, double staleness, int workers, double workerNorm, double workerClipRatio,
               double roundMs, double computeMs, double commMs, double waitMs, double applyMs, long rejected) {
    }

    private final Path path;
    private final BufferedWriter out;

    /** Opens (appending when resuming and the file exists) and writes the header to a new file. */
    MetricsLog(Path path, boolean append) {
        this.path = path;
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            boolean header = !append || !Files.exists(path) || Files.size(path) == 0;
            out = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            if (header) {
                out.write(HEADER);
                out.newLine();
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot write: " + e, e);
        }
    }

    void append(Row r) {
        try {
            out.write(String.format(Locale.ROOT, "%d,%.6f,%d,%.1f,%.6g,%.6g,%b,%.3f,%d,%.6g,%.6g,%.3f,%.3f,%.3f,%.3f,%.3f,%d",
                    r.step(), r.loss(), r.tokens(), r.tokensPerSecond(), r.gradNorm(), r.clipRatio(), r.skipped(),
                    r.staleness(), r.workers(), r.workerNorm(), r.workerClipRatio(), r.roundMs(), r.computeMs(),
                    r.commMs(), r.waitMs(), r.applyMs(), r.rejected()));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot write: " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot close: " + e, e);
        }
    }
}
