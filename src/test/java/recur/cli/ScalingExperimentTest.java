package recur.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code recur experiment scaling} with {@code --cluster} (one JVM per worker on this machine) and
 * with a sharded parameter server, on a tiny model and token budget.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ScalingExperimentTest {
    @TempDir
    static Path dir;
    static Path text;

    @BeforeAll
    static void data() throws IOException {
        text = TinyGrids.text(dir);
    }

    private static CliRun scaling(Path out, String... more) {
        return TinyGrids.scaling(text, out, more);
    }

    /** scaling.csv as one map (column to value) per row. */
    static List<Map<String, String>> rows(Path out) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("scaling.csv"));
        String[] header = lines.getFirst().split(",");
        return lines.stream().skip(1).map(l -> l.split(",")).map(v -> IntStream.range(0, header.length).boxed()
                .collect(Collectors.toMap(i -> header[i], i -> v[i]))).toList();
    }

    @Test
    void clusterGridRunsOneJvmPerWorkerAndLeavesNoneBehind() throws Exception {
        Path out = dir.resolve("cluster");
        CliRun r = scaling(out, "--cluster", "--workers", "1,2", "--modes", "sync", "--network", "latency=1ms");
        assertEquals(0, r.code(), r.toString());
        List<Map<String, String>> rows = rows(out);
        assertEquals(List.of("1", "2"), rows.stream().map(x -> x.get("workers")).toList());
        for (Map<String, String> row : rows) {
            assertEquals("cluster", row.get("deployment"));
            assertEquals("1", row.get("ps_shards"));
            assertTrue(Long.parseLong(row.get("tokens")) > 0, row.toString());
            assertTrue(Double.isFinite(Double.parseDouble(row.get("final_val_loss"))), row.toString());
            assertTrue(Double.parseDouble(row.get("bytes_per_round")) > 0, "the emulated network carried the run");
        }
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("Deployment: cluster") && report.contains("share this machine's"), report);
        for (String log : List.of("lstm-base-sync-w1/worker-0.log", "lstm-base-sync-w2/worker-0.log",
                "lstm-base-sync-w2/worker-1.log")) {
            TinyGrids.finishedAndGone(out.resolve("runs").resolve(log), "worker");
        }
    }

    @Test
    void shardedParameterServerRunsInTheGrid() throws Exception {
        Path out = dir.resolve("shards");
        CliRun r = scaling(out, "--ps-shards", "2", "--workers", "1,2", "--modes", "sync");
        assertEquals(0, r.code(), r.toString());
        List<Map<String, String>> rows = rows(out);
        assertEquals(2, rows.size());
        for (Map<String, String> row : rows) {
            assertEquals("2", row.get("ps_shards"));
            assertEquals("local", row.get("deployment"));
            assertTrue(Double.isFinite(Double.parseDouble(row.get("final_val_loss"))), row.toString());
        }
        String config = Files.readString(out.resolve("runs/lstm-base-sync-w2/config.json"));
        assertTrue(config.replace(" ", "").contains("\"ps_shards\":2"), config);
        assertTrue(Files.readString(out.resolve("report.md")).contains("Parameter server: 2 shards"));
    }

    @Test
    void clusterGridWithShardsRunsAShardJvmAndLeavesNoneBehind() throws Exception {
        Path out = dir.resolve("cluster-shards");
        CliRun r = scaling(out, "--cluster", "--ps-shards", "2", "--workers", "1", "--modes", "sync");
        assertEquals(0, r.code(), r.toString());
        Map<String, String> row = rows(out).getFirst();
        assertEquals("cluster+shard-jvms", row.get("deployment"));
        assertEquals("2", row.get("ps_shards"));
        assertTrue(Double.isFinite(Double.parseDouble(row.get("final_val_loss"))), row.toString());
        TinyGrids.finishedAndGone(out.resolve("runs/lstm-base-sync-w1/ps-shard-1.log"), "ps-shard");
        assertTrue(Files.readString(out.resolve("report.md")).contains("one JVM for each of parameter shards 1..1"));
    }

    @Test
    void shardsWithAsyncAreRefusedInOneLine() {
        BadInputTest.expectUserError(scaling(dir.resolve("refused"), "--ps-shards", "2", "--modes", "sync,async"),
                "--ps-shards 2", "sync mode only");
        assertFalse(Files.exists(dir.resolve("refused").resolve("scaling.csv")));
    }

    @Test
    void tooFewParametersForTheShardsAreRefusedInOneLine() {
        BadInputTest.expectUserError(scaling(dir.resolve("small"), "--ps-shards", "4", "--modes", "sync",
                "--hidden", "4"), "--ps-shards 4", "parameters");
    }
}
