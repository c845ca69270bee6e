package recur.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempFile(target.getParent(), "." + FILE + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(c.toByteArray());
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system cannot rename atomically in " + target.getParent(), e);
            }
            tmp = null;
            try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException | UnsupportedOperationException ignored) {
                // Directories cannot be opened for fsync on every platform; the rename is still atomic.
            }
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot write the checkpoint: " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // Best effort: a stray temporary file never replaces the checkpoint.
                }
            }
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
