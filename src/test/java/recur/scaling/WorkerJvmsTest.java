package recur.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import recur.dist.NetworkProfile;

/** The worker JVMs of a cluster-mode run: their flags, a clear failure when one dies, none left behind. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerJvmsTest {
    @TempDir
    Path dir;

    @Test
    void childrenGetTheFlagsThatMatterAndNotTheRest() {
        List<String> flags = WorkerJvms.jvmFlags(List.of("--add-modules=jdk.incubator.vector", "-Xmx3g",
                "-XX:CompileCommand=inline,recur.math.VectorMath::*", "-agentlib:jdwp=transport=dt_socket,address=5005",
                "-Dfoo=bar", "-XX:+UseG1GC", "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-javaagent:x.jar",
                "--sun-misc-unsafe-memory-access=allow"));
        assertEquals(List.of("--add-modules=jdk.incubator.vector", "-XX:CompileCommand=inline,recur.math.VectorMath::*",
                "-XX:+UseG1GC", "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"),
                flags);
        List<String> cmd = WorkerJvms.command("c1", NetworkProfile.parse("lan-10g"), 7, 30);
        assertTrue(cmd.contains(WorkerJvms.HEAP), cmd.toString());
        assertEquals("lan-10g", cmd.get(cmd.indexOf("--network") + 1));
        assertEquals("7", cmd.get(cmd.indexOf("--network-seed") + 1));
        assertEquals(Long.toString(ProcessHandle.current().pid()), cmd.get(cmd.indexOf("--parent") + 1));
        List<String> shard = WorkerJvms.command("ps-shard", "c1", NetworkProfile.parse("lan-10g"), 9, 30);
        assertEquals("--cluster", shard.get(shard.indexOf("ps-shard") + 1));
        assertEquals("9", shard.get(shard.indexOf("--network-seed") + 1));
    }

    /** A shard JVM that finds no server gives up (--wait 1 s): the run fails with one line naming its log. */
    @Test
    void aShardJvmThatDiesFailsTheRunInOneLine() throws Exception {
        WorkerJvms jvms = WorkerJvms.start(0, 1, "recur-test-" + UUID.randomUUID(), NetworkProfile.LOOPBACK, 1, dir, 1);
        ProcessHandle child = jvms.handles().getFirst();
        try {
            Exception e = assertThrows(Exception.class, () -> jvms.died().await(50, TimeUnit.SECONDS));
            String message = e.getMessage();
            assertTrue(message.contains("parameter shard JVM 1") && message.contains("exited with code 2")
                    && message.contains("ps-shard-1.log"), message);
            assertEquals(1, message.lines().count(), message);
        } finally {
            jvms.close();
        }
        assertFalse(child.isAlive());
        assertTrue(Files.readString(dir.resolve("ps-shard-1.log")).contains("no parameter server"));
    }

    /** A worker that finds no server gives up (--wait 1 s): the run fails with one line that names its log. */
    @Test
    void aWorkerThatDiesFailsTheRunInOneLineAndIsGone() throws Exception {
        WorkerJvms jvms = WorkerJvms.start(1, "recur-test-" + UUID.randomUUID(), NetworkProfile.LOOPBACK, 1, dir, 1);
        ProcessHandle child = jvms.handles().getFirst();
        try {
            Exception e = assertThrows(Exception.class, () -> jvms.died().await(50, TimeUnit.SECONDS));
            String message = e.getMessage();
            assertTrue(message.contains("worker JVM 0") && message.contains("exited with code 2")
                    && message.contains("worker-0.log"), message);
            assertEquals(1, message.lines().count(), message);
        } finally {
            jvms.close();
        }
        assertFalse(child.isAlive());
        assertTrue(Files.readString(dir.resolve("worker-0.log")).contains("no parameter server"));
    }

    /**
     * A child on a host has no parent pid to watch: it ends when its standard input closes (what ssh
     * passes on when the launcher closes the pipe, exits or is killed), here before any server came.
     */
    @Test
    void aChildOnAHostEndsWhenItsInputCloses() throws Exception {
        ClusterPlacement onHost = new ClusterPlacement(Path.of("cluster-config/default.xml"), null, 0,
                LaunchTemplate.parse("env RECUR_HOST={host} {recur}"), List.of("127.0.0.1"));
        List<String> cmd = WorkerJvms.command("worker", 0, onHost, "recur-test-" + UUID.randomUUID(),
                NetworkProfile.LOOPBACK, 1, 50);
        assertFalse(cmd.contains("--parent"), cmd.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith("worker: joining cluster"));
            assertTrue(line != null, "the worker started and said so");
            p.getOutputStream().close();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the worker ended once its input closed");
            assertEquals(3, p.exitValue());
            String rest = String.join("\n", out.lines().toList());
            assertTrue(rest.contains("worker: standard input closed"), rest);
        } finally {
            p.destroyForcibly();
        }
    }
}
