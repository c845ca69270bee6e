package recur.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import recur.train.TrainConfig;
import recur.wire.proto.Checkpoint;

/** Checkpoints hold everything needed to continue exactly; resumed sync runs end with the same bits. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CheckpointResumeTest {
    private static final String TEXT = DistFixtures.text(8_000);

    @TempDir
    Path tmp;

    private static TrainConfig config(Path out) {
        TrainConfig c = DistFixtures.config(2, 3, 12, out);
        c.checkpointEvery = 4;
        c.clipNorm = 1.0;
        return c;
    }

    private float[] uninterrupted() throws Exception {
        return LocalCluster.train(DistFixtures.job(config(tmp.resolve("straight")), TEXT), s -> { }, () -> false).params();
    }

    @Test
    void aStoppedAndResumedSyncRunEndsWithTheSameWeights() throws Exception {
        Path dir = tmp.resolve("stopped");
        AtomicLong seen = new AtomicLong();
        DistResult first = LocalCluster.train(DistFixtures.job(config(dir), TEXT), s -> seen.set(s.step()),
                () -> seen.get() >= 5);
        assertTrue(first.stopped());
        assertEquals(5, first.version());
        assertEquals(5, Checkpoints.read(dir).getVersion());

        TrainConfig again = config(dir);
        again.resume = dir;
        DistResult resumed = LocalCluster.train(DistFixtures.job(again, TEXT), s -> { }, () -> false);
        assertEquals(12, resumed.version());
        SameWeights.assertSame(uninterrupted(), resumed.params());
        List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
        assertEquals(13, csv.size(), "one header and one row per version across both runs");
    }

    @Test
    void aCrashedRunResumesFromItsLastPeriodicCheckpoint() throws Exception {
        Path dir = tmp.resolve("crashed");
        RuntimeException crash = new IllegalStateException("simulated crash");
        Exception e = assertThrows(Exception.class, () -> LocalCluster.train(DistFixtures.job(config(dir), TEXT), s -> {
            if (s.step() == 6) {
                throw crash;
            }
        }, () -> false));
        assertTrue(String.valueOf(e.getMessage()).contains("simulated crash"), e.toString());
        Checkpoint c = Checkpoints.read(dir);
        assertEquals(4, c.getVersion());
        assertEquals(2, c.getShardsCount());
        assertTrue(c.getShards(0).getPosition() > 0, "stream positions are saved");

        TrainConfig again = config(dir);
        again.resume = dir;
        SameWeights.assertSame(uninterrupted(), LocalCluster.train(DistFixtures.job(again, TEXT), s -> { }, () -> false).params());
    }

    @Test
    void resumingAnIncompatibleRunIsAClearError() throws Exception {
        Path dir = tmp.resolve("small");
        LocalCluster.train(DistFixtures.job(config(dir), TEXT), s -> { }, () -> false);
        TrainConfig other = config(tmp.resolve("other"));
        other.batch = 4;
        other.resume = dir;
        Exception e = assertThrows(Exception.class, () -> LocalCluster.train(DistFixtures.job(other, TEXT), s -> { },
                () -> false));
        assertTrue(String.valueOf(e.getMessage()).contains("expected 4 streams per worker, found 3"), e.toString());
    }

    @Test
    void aWriteThatNeverFinishesLeavesThePreviousCheckpoint() throws Exception {
        Path dir = tmp.resolve("atomic");
        Files.createDirectories(dir);
        Checkpoint good = Checkpoint.newBuilder().setFormat(1).setVersion(3).build();
        Checkpoints.write(dir, good);
        // A crash mid-write leaves only a temporary file beside the checkpoint; it is never read.
        Files.write(dir.resolve("." + Checkpoints.FILE + ".123.tmp"), new byte[] {1, 2, 3});
        assertEquals(3, Checkpoints.read(dir).getVersion());
        Checkpoints.write(dir, good.toBuilder().setVersion(4).build());
        assertEquals(4, Checkpoints.read(dir).getVersion());
    }
}
