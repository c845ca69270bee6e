package recur.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import recur.io.AtomicFiles;
import recur.wire.WireCodecs;
import recur.wire.WireFormat;
import recur.wire.proto.Checkpoint;

/**
 * The run directory's {@code checkpoint.pb}: a {@link Checkpoint} message written atomically (a
 * temporary file in the same directory, fsync, rename over the old one, fsync of the directory), so
 * a crash while writing leaves the previous checkpoint valid.
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
}
