package recur.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import recur.io.AtomicFiles;
import recur.io.ModelFile;
import recur.model.ModelSpec;
import recur.train.TrainConfig;
import recur.wire.WireCodecs;
import recur.wire.WireFormat;
import recur.wire.proto.Checkpoint;

/**
 * The run directory's {@code checkpoint.pb}: a {@link Checkpoint} message written atomically (a
 * temporary file in the same directory, fsync, rename over the old one, fsync of the directory), so
 * a crash while writing leaves the previous checkpoint valid. Also the parameter server's helpers
 * that build a checkpoint's run part and check one before resuming from it.
 */
public final class Checkpoints {
    public static final String FILE = "checkpoint.pb";

    private Checkpoints() {}

    public static Path path(Path runDir) {
        return runDir.resolve(FILE);
    }

    public static void write(Path runDir, Checkpoint c) {
        Path target = path(runDir).toAbsolutePath();
        try {
            AtomicFiles.replace(target, ch -> {
                ByteBuffer bytes = ByteBuffer.wrap(c.toByteArray());
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot write the checkpoint: " + e, e);
        }
    }

    /** Reads {@code DIR/checkpoint.pb}; a missing file or a damaged one is an error naming the file. */
    public static Checkpoint read(Path runDir) {
        Path p = path(runDir);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(runDir + " has no " + FILE + " to resume from");
        } catch (IOException e) {
            throw new UncheckedIOException(p + ": cannot read: " + e, e);
        }
        Checkpoint c = WireCodecs.parse(bytes, p.toString(), Checkpoint::parseFrom);
        WireFormat.check(c.getFormat(), p.toString());
        return c;
    }

    /**
     * The event-loop-owned part of a checkpoint (run settings, shard states); the model part is added
     * on the lane ({@code ServerModel.save}).
     */
    static Checkpoint.Builder base(TrainConfig cfg, ModelSpec spec, ShardTable table) {
        Checkpoint.Builder c = Checkpoint.newBuilder().setFormat(WireFormat.VERSION)
                .putAllModel(ModelFile.metadata(spec, Map.of())).setSeed(cfg.seed)
                .setTotalStreams(table.totalStreams()).setStreamsPerShard(cfg.batch).setWindow(cfg.window)
                .setMode(cfg.mode);
        table.save(c);
        return c;
    }

    /** Fails, naming every difference, when {@code c} (read from {@code resumeFrom}) does not fit this run. */
    static void checkCompatible(Checkpoint c, Path resumeFrom, TrainConfig cfg, ModelSpec spec, ShardTable table) {
        List<String> problems = new ArrayList<>();
        if (c.getTotalStreams() != table.totalStreams()) {
            problems.add("expected " + table.totalStreams() + " streams, found " + c.getTotalStreams());
        }
        if (c.getStreamsPerShard() != cfg.batch) {
            problems.add("expected " + cfg.batch + " streams per worker, found " + c.getStreamsPerShard());
        }
        if (c.getWindow() != cfg.window) {
            problems.add("expected window " + cfg.window + ", found " + c.getWindow());
        }
        if (!c.getModelMap().equals(ModelFile.metadata(spec, Map.of()))) {
            problems.add("the model differs from the checkpoint's");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot resume from " + path(resumeFrom) + ": "
                    + String.join("; ", problems));
        }
    }
}
