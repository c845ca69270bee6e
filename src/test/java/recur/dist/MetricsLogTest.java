package recur.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metrics log writes on a thread of its own: every row, in order, in the format it always had. */
class MetricsLogTest {

    @TempDir
    Path dir;

    private static MetricsLog.Row row(long step, SplittableRandom r) {
        return new MetricsLog.Row(step, r.nextDouble() * 4, step * 96, r.nextDouble() * 1e6, r.nextDouble(),
                r.nextDouble(), r.nextInt(10) == 0, r.nextDouble() * 3, 1 + r.nextInt(8), r.nextDouble() * 1e-7,
                r.nextDouble(), r.nextDouble() * 100, r.nextDouble() * 50, r.nextDouble() * 10, r.nextDouble(),
                r.nextDouble(), r.nextInt(3));
    }

    @Test
    void everyRowInOrderInTheFormatItHad() throws IOException {
        Path csv = dir.resolve("metrics.csv");
        int n = 3000; // more than the queue holds: append waits rather than drops
        try (MetricsLog log = new MetricsLog(csv, false)) {
            log.append(new MetricsLog.Row(7, 1.5, 1234, 5678.25, 0.123456789, 1.0, false, 0.5, 2, 3.25e-7, 0.75,
                    12.3456, 1.0, 2.0, 3.0, 4.0, 0));
            SplittableRandom r = new SplittableRandom(3);
            for (int i = 0; i < n; i++) {
                log.append(row(8 + i, r));
            }
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals(n + 2, lines.size());
        assertEquals(MetricsLog.HEADER, lines.get(0));
        // the line String.format wrote before the writer thread, kept byte for byte
        assertEquals("7,1.500000,1234,5678.3,0.123457,1.00000,false,0.500,2,3.25000e-07,0.750000,12.346,1.000,"
                + "2.000,3.000,4.000,0", lines.get(1));
        for (int i = 0; i < n; i++) {
            assertTrue(lines.get(2 + i).startsWith((8 + i) + ","), lines.get(2 + i));
            assertEquals(17, lines.get(2 + i).split(",", -1).length);
        }
        assertTrue(Files.readString(csv).endsWith(System.lineSeparator()));
    }

    @Test
    void flushPutsEveryRowInTheFileAndResumeAppends() throws IOException {
        Path csv = dir.resolve("metrics.csv");
        SplittableRandom r = new SplittableRandom(5);
        try (MetricsLog log = new MetricsLog(csv, false)) {
            for (int i = 1; i <= 5; i++) {
                log.append(row(i, r));
            }
            log.flush();
            assertEquals(6, Files.readAllLines(csv).size(), "visible before close");
        }
        try (MetricsLog log = new MetricsLog(csv, true)) {
            log.append(row(6, r));
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals(7, lines.size());
        assertEquals(MetricsLog.HEADER, lines.get(0));
        assertTrue(lines.get(6).startsWith("6,"));
    }

    @Test
    void aWriteErrorIsThrownByTheNextCall() {
        Path csv = dir.resolve("metrics.csv");
        SplittableRandom r = new SplittableRandom(7);
        MetricsLog log = new MetricsLog(csv, new BufferedWriter(new FailingWriter()));
        log.append(row(1, r));
        var e = assertThrows(UncheckedIOException.class, log::flush);
        assertTrue(e.getMessage().startsWith(csv + ": cannot write: "), e.getMessage());
        assertThrows(UncheckedIOException.class, () -> log.append(row(2, r)));
        log.close(); // already reported

        MetricsLog quiet = new MetricsLog(csv, new BufferedWriter(new FailingWriter()));
        quiet.append(row(1, r));
        var c = assertThrows(UncheckedIOException.class, quiet::close); // not lost when no append follows
        // the row's flush or (when close's marker was already queued) the close's: both say so
        assertTrue(c.getMessage().startsWith(csv + ": cannot "), c.getMessage());
    }

    /** A disk that is full. */
    private static final class FailingWriter extends Writer {
        @Override
        public void write(char[] buf, int off, int len) throws IOException {
            throw new IOException("No space left on device");
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
