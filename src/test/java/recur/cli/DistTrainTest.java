package recur.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import recur.data.SyntheticText;
import recur.io.Json;
import recur.io.ModelFile;

/** {@code recur train} through the verticles (local and cluster mode), resuming, and {@code recur worker}. */
class DistTrainTest {
    @TempDir
    static Path dir;
    static Path text;

    /** A small model: 6,000 characters cut into 2 workers x 4 streams x windows of 16. */
    static final String[] SMALL = {"--hidden", "16", "--embedding", "8", "--window", "16", "--batch", "4",
        "--lr", "0.01", "--seed", "5"};

    @BeforeAll
    static void data() throws IOException {
        text = dir.resolve("text.txt");
        Files.writeString(text, SyntheticText.generate(21, 6000));
    }

    static CliRun train(Path run, String... more) {
        String[] args = TrainEvalSampleTest.concat(new String[] {"train", "--text", text.toString(), "--out",
            run.toString(), "--quiet"}, SMALL);
        return CliRun.of(TrainEvalSampleTest.concat(args, more));
    }

    static List<String[]> rows(Path run) {
        try {
            return Files.readAllLines(run.resolve("metrics.csv")).stream().map(l -> l.split(",", -1)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Long> steps(Path run) {
        return rows(run).stream().skip(1).map(r -> Long.parseLong(r[0])).toList();
    }

    @Test
    void twoLocalWorkersWriteTheRunDirectoryAndTheLossFalls() throws IOException {
        Path run = dir.resolve("local");
        CliRun r = train(run, "--workers", "2", "--steps", "80");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("(2 workers, sync)"), r.out());
        List<String[]> rows = rows(run);
        List<String> header = List.of(rows.getFirst());
        assertTrue(String.join(",", header).startsWith(MetricsCsv.HEADER), header.toString());
        for (String column : List.of("staleness", "workers", "round_ms", "compute_ms", "comm_ms", "wait_ms", "apply_ms")) {
            assertTrue(header.contains(column), column + " in " + header);
        }
        assertEquals(81, rows.size(), "header and one row per version");
        int loss = header.indexOf("loss");
        int workers = header.indexOf("workers");
        assertEquals("2", rows.get(1)[workers]);
        double first = rows.subList(1, 6).stream().mapToDouble(x -> Double.parseDouble(x[loss])).average().orElseThrow();
        double last = rows.subList(76, 81).stream().mapToDouble(x -> Double.parseDouble(x[loss])).average().orElseThrow();
        assertTrue(last < first - 0.5, "loss falls: " + first + " -> " + last);

        Map<String, Object> config = Json.parseObject(Files.readString(run.resolve("config.json")));
        assertEquals(2L, config.get("workers"));
        assertEquals(8L, config.get("total_streams"));
        assertEquals(text.toAbsolutePath().toString(), config.get("text"), "the command's notes reach config.json");
        assertTrue(config.containsKey("data"));
        ModelFile.LoadedModel m = ModelFile.load(run.resolve("model.safetensors"));
        assertEquals("80", m.metadata().get("trained_steps"));
        assertEquals(64, m.metadata().get("data_sha256").length(), "the command's metadata reaches the model");
        assertTrue(Files.exists(run.resolve("checkpoint.pb")));
    }

    @Test
    void aStopSavesACheckpointAndResumeGoesOn() throws IOException {
        Path run = dir.resolve("stop-resume");
        StopSignal stop = new StopSignal() {
            @Override
            boolean requested() { // as if Ctrl-C came once three versions are in metrics.csv
                Path metrics = run.resolve("metrics.csv");
                try {
                    return Files.exists(metrics) && Files.readAllLines(metrics).size() > 3;
                } catch (IOException e) {
                    return false;
                }
            }
        };
        String[] args = TrainEvalSampleTest.concat(new String[] {"train", "--text", text.toString(), "--out",
            run.toString(), "--workers", "2", "--steps", "200", "--checkpoint-every", "2"}, SMALL);
        CliRun stopped = CliRun.with(stop, args);
        assertEquals(0, stopped.code(), stopped.toString());
        long at = steps(run).getLast();
        assertTrue(at >= 3 && at < 200, "stopped at " + at);
        assertTrue(stopped.out().contains("stopped at step " + at + " of 200"), stopped.out());
        assertTrue(stopped.out().contains("continue with: scripts/recur train --resume " + run), stopped.out());
        assertEquals(Long.toString(at), ModelFile.load(run.resolve("model.safetensors")).metadata().get("trained_steps"));

        // The run's own settings come back from its config.json; only --steps changes.
        CliRun resumed = CliRun.of("train", "--resume", run.toString(), "--steps", Long.toString(at + 5), "--quiet");
        assertEquals(0, resumed.code(), resumed.toString());
        List<Long> steps = steps(run);
        assertEquals(at + 5, steps.size(), "metrics.csv goes on: " + steps);
        for (int i = 0; i < steps.size(); i++) {
            assertEquals(i + 1, steps.get(i));
        }
        assertEquals(Long.toString(at + 5),
                ModelFile.load(run.resolve("model.safetensors")).metadata().get("trained_steps"));
        Map<String, Object> config = Json.parseObject(Files.readString(run.resolve("config.json")));
        assertEquals(run.toAbsolutePath().normalize().toString(), config.get("resumed_from"));

        CliRun done = CliRun.of("train", "--resume", run.toString());
        assertEquals(2, done.code(), done.toString());
        assertTrue(done.err().contains("already at step " + (at + 5)), done.err());
        TrainEvalSampleTest.assertOneLine(done);
    }

    static Stream<List<String>> badOptions() throws IOException {
        Path notHazelcast = Files.writeString(dir.resolve("not-hazelcast.xml"), "<html><body>hello</body></html>");
        return Stream.of(
                List.of("train", "--workers", "0"),
                List.of("train", "--text", text.toString(), "--window", "16", "--batch", "4", "--workers", "1000"),
                List.of("train", "--staleness", "2"),
                List.of("train", "--mode", "asynch"),
                List.of("train", "--wire", "fp8"),
                List.of("train", "--cluster"),
                List.of("train", "--expect-workers", "2"),
                List.of("train", "--cluster", "--expect-workers", "1", "--workers", "3"),
                List.of("train", "--cluster", "--expect-workers", "1", "--cluster-config", dir.resolve("nope.xml").toString()),
                List.of("train", "--cluster", "--expect-workers", "1", "--cluster-config", notHazelcast.toString()),
                List.of("train", "--resume", dir.resolve("no-such-run").toString()),
                List.of("worker", "--cluster", "--cluster-config", dir.resolve("nope.xml").toString()),
                List.of("worker", "--cluster", "--cluster-port", "70000"),
                List.of("worker"),
                List.of("train", "--ps-shards", "2", "--ps-shard-nodes"),
                List.of("train", "--cluster", "--expect-workers", "1", "--ps-shard-nodes"),
                List.of("train", "--cluster", "--expect-workers", "1", "--ps-shards", "2", "--ps-shard-nodes",
                        "--ps-shard-wait", "0"),
                List.of("train", "--tensor-transport", "tcp"),
                List.of("train", "--cluster", "--expect-workers", "1", "--tensor-transport", "udp"),
                List.of("train", "--cluster", "--expect-workers", "1", "--tensor-port", "70000"),
                List.of("train", "--cluster", "--expect-workers", "1", "--tensor-transport", "bus", "--tensor-port", "5000"),
                List.of("train", "--cluster", "--expect-workers", "1", "--ps-shards", "2", "--tensor-transport", "tcp"),
                List.of("worker", "--cluster", "--tensor-transport", "udp"),
                List.of("worker", "--cluster", "--network", "lan-10g", "--tensor-transport", "tcp"),
                List.of("ps-shard", "--cluster", "--wait", "0"),
                List.of("ps-shard"));
    }

    @ParameterizedTest
    @MethodSource("badOptions")
    void badDistributedOptionsAreOneLine(List<String> args) {
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(2, r.code(), r.toString());
        TrainEvalSampleTest.assertOneLine(r);
    }

    @Test
    void bf16OnTheWireTrainsAndIsRecorded() throws IOException {
        Path run = dir.resolve("bf16");
        CliRun r = train(run, "--workers", "2", "--steps", "40", "--wire", "bf16");
        assertEquals(0, r.code(), r.toString());
        assertEquals("bf16", Json.parseObject(Files.readString(run.resolve("config.json"))).get("wire"));
        List<String[]> rows = rows(run);
        int loss = List.of(rows.getFirst()).indexOf("loss");
        double first = Double.parseDouble(rows.get(1)[loss]);
        double last = Double.parseDouble(rows.getLast()[loss]);
        assertTrue(last < first - 0.3, "loss falls with bf16 weights and gradients: " + first + " -> " + last);
    }

    @Test
    void aWorkerWithoutAServerGivesUp() {
        CliRun r = CliRun.of("worker", "--cluster", "--cluster-name", "recur-test-" + UUID.randomUUID(), "--wait", "1");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("no parameter server"), r.err());
        TrainEvalSampleTest.assertOneLine(r);
    }

    @Test
    void aShardNodeWithoutAServerGivesUp() {
        CliRun r = CliRun.of("ps-shard", "--cluster", "--cluster-name", "recur-test-" + UUID.randomUUID(), "--wait", "1");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("no parameter server") && r.err().contains("ps-shard-nodes"), r.err());
        TrainEvalSampleTest.assertOneLine(r);
    }

    /** A server, one parameter shard node and one worker, each started as the user would: same weights as one server. */
    @Test
    void aClusterRunWithAShardNodeFromTheCommandLine() throws Exception {
        String name = "recur-test-" + UUID.randomUUID();
        Path run = dir.resolve("cluster-shard-node");
        CliRun s;
        CliRun p;
        CliRun w;
        ExecutorService threads = Executors.newFixedThreadPool(3); // all block: one thread each
        try {
            Future<CliRun> server = threads.submit(() -> train(run, "--cluster", "--expect-workers", "1",
                    "--cluster-name", name, "--steps", "6", "--ps-shards", "2", "--ps-shard-nodes"));
            Future<CliRun> shard = threads.submit(() -> CliRun.of("ps-shard", "--cluster", "--cluster-name", name,
                    "--wait", "60"));
            Future<CliRun> worker = threads.submit(() -> CliRun.of("worker", "--cluster", "--cluster-name", name,
                    "--wait", "60"));
            s = server.get(120, TimeUnit.SECONDS);
            p = shard.get(30, TimeUnit.SECONDS);
            w = worker.get(30, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }
        assertEquals(0, s.code(), s.toString());
        assertEquals(0, p.code(), p.toString());
        assertEquals(0, w.code(), w.toString());
        assertTrue(p.out().contains("ps-shard: training finished"), p.out());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps(run));
        Path one = dir.resolve("one-server");
        assertEquals(0, train(one, "--workers", "1", "--steps", "6").code());
        org.junit.jupiter.api.Assertions.assertArrayEquals(ModelFile.load(one.resolve("model.safetensors")).params(),
                ModelFile.load(run.resolve("model.safetensors")).params(), "the same weights as one unsharded server");
    }

    @Test
    void aClusterRunFromTheCommandLine() throws Exception {
        String name = "recur-test-" + UUID.randomUUID();
        Path run = dir.resolve("cluster");
        CliRun s;
        CliRun w;
        ExecutorService threads = Executors.newFixedThreadPool(2); // both block: one thread each
        try {
            Future<CliRun> server = threads.submit(() -> train(run, "--cluster", "--expect-workers", "1",
                    "--cluster-name", name, "--steps", "6"));
            Future<CliRun> worker = threads.submit(() -> CliRun.of("worker", "--cluster", "--cluster-name", name,
                    "--wait", "60"));
            s = server.get(90, TimeUnit.SECONDS);
            w = worker.get(30, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }
        assertEquals(0, s.code(), s.toString());
        assertEquals(0, w.code(), w.toString());
        assertTrue(s.out().contains("(cluster of 1 worker, sync)"), s.out());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps(run));
        assertEquals("6", ModelFile.load(run.resolve("model.safetensors")).metadata().get("trained_steps"));
        assertEquals(true, Json.parseObject(Files.readString(run.resolve("config.json"))).get("cluster"));
    }
}
