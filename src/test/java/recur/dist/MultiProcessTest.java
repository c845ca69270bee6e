package recur.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import recur.train.StepStats;
import recur.train.TrainConfig;

/**
 * Separate JVMs on 127.0.0.1: a worker killed with SIGKILL mid-run is replaced by a new one and
 * training goes on; a parameter server killed with SIGKILL is restarted from its checkpoint and the
 * surviving workers re-join it, ending with the weights of an uninterrupted run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MultiProcessTest {
    static final String TEXT = DistFixtures.text(20_000);

    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();
    private final List<Nodes.Clustered> nodes = new ArrayList<>();

    static TrainConfig config(Path out, long steps) {
        TrainConfig c = DistFixtures.config(2, 4, steps, out);
        c.expectWorkers = 2;
        return c;
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        for (Nodes.Clustered n : nodes) {
            n.vertx().close().await(20, TimeUnit.SECONDS);
        }
    }

    /** A child JVM on the test classpath; {@code watch} completes when a line of its output matches. */
    private Process spawn(Predicate<String> match, CompletableFuture<String> watch, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xmx512m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), ClusterProcess.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (watch != null && match.test(line)) {
                        watch.complete(line);
                    }
                }
            } catch (IOException ignored) {
                // The process was killed.
            }
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    @Test
    void aKilledWorkerIsReplacedAndTrainingFinishes() throws Exception {
        String cluster = "recur-mp-" + UUID.randomUUID();
        Process a = spawn(l -> false, null, "worker", cluster);
        Process b = spawn(l -> false, null, "worker", cluster);
        CompletableFuture<String> lateJoined = new CompletableFuture<>();
        AtomicLong joinedAt = new AtomicLong(-1);
        AtomicLong version = new AtomicLong();
        List<StepStats> steps = new ArrayList<>();
        TrainConfig c = config(tmp.resolve("run"), 1_000_000);
        ClusterOptions o = new ClusterOptions(null, cluster, "127.0.0.1", 0, ClusterProcess.TIMING);
        DistResult r = ClusterCoordinator.train(DistFixtures.job(c, TEXT), o, s -> {
            steps.add(s);
            version.set(s.step());
            if (s.step() == 20) {
                a.destroyForcibly(); // SIGKILL
                try {
                    spawn(l -> l.contains("joined as worker"), lateJoined, "worker", cluster);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            if (lateJoined.isDone() && joinedAt.get() < 0) {
                joinedAt.set(s.step());
            }
        }, () -> joinedAt.get() >= 0 && version.get() >= joinedAt.get() + 40);
        assertTrue(r.stopped());
        assertEquals(137, a.waitFor(), "worker A was killed with SIGKILL");
        assertTrue(b.waitFor(30, TimeUnit.SECONDS), "worker B exits when training ends");
        assertEquals(0, b.exitValue());
        Process late = processes.getLast();
        assertTrue(late.waitFor(30, TimeUnit.SECONDS), "the new worker exits when training ends");
        assertEquals(0, late.exitValue());

        int col = List.of(MetricsLog.HEADER.split(",")).indexOf("workers");
        List<String> rows = Files.readAllLines(c.out.resolve("metrics.csv"));
        assertTrue(rows.stream().skip(1).anyMatch(l -> l.split(",")[col].equals("1")), "rounds ran without worker A");
        assertEquals("2", rows.getLast().split(",")[col], "the new worker took a shard");
        double first = steps.subList(0, 5).stream().mapToDouble(StepStats::loss).average().orElseThrow();
        double last = steps.subList(steps.size() - 5, steps.size()).stream().mapToDouble(StepStats::loss).average()
                .orElseThrow();
        assertTrue(last < first - 0.5, "loss fell from " + first + " to " + last);
    }

    @Test
    void aKilledServerResumesFromItsCheckpointWithTheSameResult() throws Exception {
        String cluster = "recur-mp-" + UUID.randomUUID();
        ClusterOptions o = new ClusterOptions(null, cluster, "127.0.0.1", 0, ClusterProcess.TIMING);
        Path dir = tmp.resolve("run");
        long steps = 40;
        CompletableFuture<String> reached = new CompletableFuture<>();
        Process server = spawn(l -> l.equals("VERSION 13"), reached, "server", cluster, dir.toString(),
                Long.toString(steps), "5");
        for (int i = 0; i < 2; i++) {
            Nodes.Clustered node = Nodes.clustered(o.vertxOptions(), ClusterConfigs.load(null, cluster))
                    .await(60, TimeUnit.SECONDS);
            nodes.add(node);
            node.vertx().deployVerticle(new WorkerVerticle(new WorkerVerticle.Setup(o.addresses(), o.timing(),
                    node.nodeId(), "surviving worker " + i))).await(30, TimeUnit.SECONDS);
        }
        reached.get(90, TimeUnit.SECONDS);
        server.destroyForcibly();
        assertEquals(137, server.waitFor());
        long saved = Checkpoints.read(dir).getVersion();
        assertTrue(saved >= 10 && saved % 5 == 0, "periodic checkpoint at version " + saved);

        TrainConfig again = config(dir, steps);
        again.checkpointEvery = 5;
        again.resume = dir;
        DistResult resumed = ClusterCoordinator.train(DistFixtures.job(again, TEXT), o, s -> { }, () -> false);
        assertEquals(steps, resumed.version());

        DistResult straight = LocalCluster.train(DistFixtures.job(config(tmp.resolve("straight"), steps), TEXT),
                s -> { }, () -> false);
        SameWeights.assertSame(straight.params(), resumed.params());
    }
}
