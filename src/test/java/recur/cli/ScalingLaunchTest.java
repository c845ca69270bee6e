package recur.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code recur experiment scaling --cluster} with --launch (how each child JVM is started) and
 * --hosts (where): real grids with local templates (this machine is the only host there is), and the
 * one-line refusals of bad placements.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ScalingLaunchTest {
    @TempDir
    static Path dir;
    static Path text;

    @BeforeAll
    static void data() throws IOException {
        text = TinyGrids.text(dir);
    }

    /** The tiny grid of ScalingExperimentTest, in cluster mode, sync only. */
    private static CliRun scaling(Path out, String... more) {
        return TinyGrids.scaling(text, out, TrainEvalSampleTest.concat(new String[] {"--cluster", "--modes", "sync"},
                more));
    }

    /** A wrapper script in the template starts every child (it records its {i}, then runs {recur}). */
    @Test
    void everyChildIsStartedThroughTheTemplate() throws Exception {
        Path marks = dir.resolve("marks.txt");
        Path wrapper = dir.resolve("wrap.sh");
        Files.writeString(wrapper, "#!/bin/sh\necho \"child $1\" >> '" + marks + "'\nshift\nexec \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        Path out = dir.resolve("wrapped");
        CliRun r = scaling(out, "--workers", "2", "--launch", "'" + wrapper + "' {i} {recur}");
        assertEquals(0, r.code(), r.toString());
        assertEquals(List.of("child 0", "child 1"), Files.readAllLines(marks).stream().sorted().toList());
        Map<String, String> row = ScalingExperimentTest.rows(out).getFirst();
        assertEquals("2", row.get("workers"));
        assertTrue(Double.isFinite(Double.parseDouble(row.get("final_val_loss"))), row.toString());
        for (int i = 0; i < 2; i++) {
            TinyGrids.finishedAndGone(out.resolve("runs/lstm-base-sync-w2/worker-" + i + ".log"), "worker");
        }
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("--launch ''\\''" + wrapper + "'\\'' {i} {recur}'"), report);
    }

    /**
     * The path a grid on other hosts takes, with 127.0.0.1 as the one host: the server binds where
     * --cluster-host says, children get the --cluster-config and their host as event-bus address,
     * and they end with their input (no --parent); a worker and a shard JVM both run and are gone.
     */
    @Test
    void childrenOnHostsJoinWithTheConfigAndEndWithTheRun() throws Exception {
        Path out = dir.resolve("hosts");
        CliRun r = scaling(out, "--workers", "1", "--ps-shards", "2", "--cluster-host", "127.0.0.1",
                "--cluster-config", "cluster-config/default.xml", "--hosts", "127.0.0.1",
                "--launch", "env RECUR_HOST={host} {recur}");
        assertEquals(0, r.code(), r.toString());
        Map<String, String> row = ScalingExperimentTest.rows(out).getFirst();
        assertEquals("cluster-hosts+shard-jvms", row.get("deployment"));
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("started on the hosts of --hosts") && !report.contains("oversubscribed ("), report);
        assertTrue(Double.isFinite(Double.parseDouble(row.get("final_val_loss"))), row.toString());
        TinyGrids.finishedAndGone(out.resolve("runs/lstm-base-sync-w1/worker-0.log"), "worker");
        TinyGrids.finishedAndGone(out.resolve("runs/lstm-base-sync-w1/ps-shard-1.log"), "ps-shard");
    }

    @Test
    void badPlacementsAreRefusedInOneLine() {
        Path out = dir.resolve("refused");
        BadInputTest.expectUserError(scaling(out, "--launch", "ssh {hots} recur"), "--launch", "unknown placeholder");
        BadInputTest.expectUserError(scaling(out, "--launch", " "), "--launch", "empty");
        BadInputTest.expectUserError(scaling(out, "--launch", "'{recur}"), "--launch", "unclosed");
        BadInputTest.expectUserError(scaling(out, "--launch", "nice {recur}", "--hosts", "h1"), "--hosts", "{host}");
        BadInputTest.expectUserError(scaling(out, "--launch", "ssh {host} recur"), "--launch uses {host}", "--hosts");
        BadInputTest.expectUserError(scaling(out, "--launch", "ssh {host} recur", "--hosts", "h1"),
                "--hosts needs --cluster-config");
        BadInputTest.expectUserError(scaling(out, "--launch", "ssh {host} recur", "--hosts", "h1,h2",
                "--cluster-config", "cluster-config/default.xml"), "--hosts h1,h2", "--cluster-host");
        BadInputTest.expectUserError(scaling(out, "--cluster-port", "70000"), "--cluster-port");
        BadInputTest.expectUserError(CliRun.of("experiment", "scaling", "--launch", "{recur}"), "--launch",
                "add --cluster");
        assertFalse(Files.exists(out.resolve("scaling.csv")));
    }
}
