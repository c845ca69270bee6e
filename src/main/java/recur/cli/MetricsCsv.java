package recur.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import recur.train.StepStats;

/**
 * {@code metrics.csv} in the run directory: one row per optimizer step with the columns
 * step, loss, tokens, tokens_per_s, grad_norm, clip_ratio, skipped.
 */
final class MetricsCsv implements TrainingListener, AutoCloseable {
    static final String HEADER = "step,loss,tokens,tokens_per_s,grad_norm,clip_ratio,skipped";

    private final Path path;
    private final BufferedWriter writer;

    MetricsCsv(Path path) {
        this.path = path;
        try {
            writer = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
            writer.write(HEADER);
            writer.newLine();
        } catch (IOException e) {
            throw new UserError("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onStep(StepStats s) {
        try {
            writer.write(String.format(Locale.ROOT, "%d,%.6f,%d,%.1f,%.6g,%.6g,%b", s.step(), s.loss(), s.tokens(),
                    s.tokensPerSecond(), s.gradNorm(), s.clipRatio(), s.skipped()));
            writer.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot write: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot write: " + e.getMessage(), e);
        }
    }
}
