package recur.scaling;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import recur.dist.NetworkProfile;

/**
 * The worker JVMs of one cluster-mode run: N child processes, each
 * {@code recur.cli.Main worker --cluster} with this JVM's java binary, class path and the JVM flags
 * that matter (Vector API module, inlining, GC), its own heap, and its output (stdout and stderr) in
 * {@code worker-i.log} of the run directory; with a sharded server also K-1 parameter shard JVMs
 * ({@code recur.cli.Main ps-shard --cluster}, {@code ps-shard-k.log}). {@link #died()} fails as soon
 * as one exits before
 * training has ended; {@link #close()} lets them exit on their own for a grace period after training
 * ends, then stops them (SIGTERM, then SIGKILL). A shutdown hook kills them if this JVM ends first,
 * and each child ends with this JVM ({@code --parent}) even if it is killed with SIGKILL. A
 * {@link ClusterPlacement} may start each child through a {@link LaunchTemplate} (a wrapper, or ssh
 * to one of its hosts); a child on a host ends when its standard input closes, which {@link #kill()}
 * and the end of this JVM both do.
 */
final class WorkerJvms implements AutoCloseable {
    static final String HEAP = "-Xmx1g";
    private static final long GRACE_MILLIS = 10_000;
    private static final long KILL_GRACE_MILLIS = 2_000;
    private static final Pattern DROPPED = Pattern.compile("^(?:worker|ps-shard): network .* dropped (\\d+)$",
            Pattern.MULTILINE);
    private static final Pattern SHARD_BYTES = Pattern.compile(
            "^ps-shard: network .* (\\d+) bytes, received (\\d+) bytes from workers, dropped \\d+$", Pattern.MULTILINE);

    private final List<Process> processes = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();
    private final List<String> names = new ArrayList<>();  // "worker JVM i", "parameter shard JVM k"
    private final Promise<Void> died = Promise.promise();
    private final Thread killOnExit = new Thread(this::kill, "recur-kill-workers");
    private volatile boolean ended;
    private volatile boolean closing;

    private WorkerJvms() {}

    /**
     * Starts {@code n} workers of cluster {@code clusterName}, worker i with network seed
     * {@code seed + 1 + i} (the server uses {@code seed}); each gives up after {@code waitSeconds}
     * without a server.
     */
    static WorkerJvms start(int n, String clusterName, NetworkProfile network, long seed, Path dir, int waitSeconds)
            throws IOException {
        return start(n, 0, clusterName, network, seed, dir, waitSeconds);
    }

    /**
     * As {@link #start(int, String, NetworkProfile, long, Path, int)}, plus {@code shardNodes}
     * parameter shard JVMs (k = 1..shardNodes, network seed {@code seed + n + k}).
     */
    static WorkerJvms start(int n, int shardNodes, String clusterName, NetworkProfile network, long seed, Path dir,
                            int waitSeconds) throws IOException {
        return start(n, shardNodes, ClusterPlacement.LOCAL, clusterName, network, seed, dir, waitSeconds);
    }

    /**
     * As {@link #start(int, int, String, NetworkProfile, long, Path, int)}, each child started and
     * placed as {@code placement} says (worker i is child i, shard JVM k child n + k - 1).
     */
    static WorkerJvms start(int n, int shardNodes, ClusterPlacement placement, String clusterName,
                            NetworkProfile network, long seed, Path dir, int waitSeconds) throws IOException {
        Files.createDirectories(dir);
        WorkerJvms w = new WorkerJvms();
        Runtime.getRuntime().addShutdownHook(w.killOnExit);
        try {
            for (int k = 1; k <= shardNodes; k++) {
                w.launch("parameter shard JVM " + k, dir.resolve("ps-shard-" + k + ".log"), command("ps-shard",
                        n + k - 1, placement, clusterName, network, seed + n + k, waitSeconds));
            }
            for (int i = 0; i < n; i++) {
                w.launch("worker JVM " + i, dir.resolve("worker-" + i + ".log"),
                        command("worker", i, placement, clusterName, network, seed + 1 + i, waitSeconds));
            }
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
        return w;
    }

    private void launch(String name, Path log, List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int id = processes.size();
        processes.add(p);
        logs.add(log);
        names.add(name);
        p.onExit().thenAccept(x -> exited(id, x));
    }

    /** A worker's command line: same java, class path and relevant flags as this JVM. */
    static List<String> command(String clusterName, NetworkProfile network, long seed, int waitSeconds) {
        return command("worker", clusterName, network, seed, waitSeconds);
    }

    /** The command line of a child running {@code recur <role> --cluster} (worker or ps-shard) on this machine. */
    static List<String> command(String role, String clusterName, NetworkProfile network, long seed, int waitSeconds) {
        return command(role, 0, ClusterPlacement.LOCAL, clusterName, network, seed, waitSeconds);
    }

    /**
     * The command line of child {@code index}: the launch template (default {@code {recur}}) with the
     * role arguments after it. A child on this machine ends with this JVM ({@code --parent}); one on
     * a host cannot see this JVM's pid, so it binds its event bus to its host's address and ends when
     * the launcher's pipe to its standard input closes (ssh passes that on).
     */
    static List<String> command(String role, int index, ClusterPlacement placement, String clusterName,
                                NetworkProfile network, long seed, int waitSeconds) {
        List<String> recur = new ArrayList<>();
        recur.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        recur.addAll(jvmFlags(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        recur.addAll(List.of(HEAP, "-cp", System.getProperty("java.class.path"), "recur.cli.Main"));
        List<String> args = new ArrayList<>(List.of(role, "--cluster", "--cluster-name", clusterName, "--network",
                network.name(), "--network-seed", Long.toString(seed), "--wait", Integer.toString(waitSeconds)));
        if (placement.clusterConfig() != null) {
            args.addAll(List.of("--cluster-config", placement.clusterConfig().toString()));
        }
        String host = placement.hostOf(index);
        if (host != null) {
            args.addAll(List.of("--cluster-host", host, "--until-stdin-closes"));
        } else {
            args.addAll(List.of("--parent", Long.toString(ProcessHandle.current().pid())));
        }
        if (placement.launch() == null) {
            recur.addAll(args);
            return recur;
        }
        return placement.launch().expand(index, host, recur, args);
    }

    /**
     * The flags a worker needs to run like this JVM: modules, native access, opens and exports,
     * -XX options (inlining, GC); not the heap size, agents (a debugger port would clash) or system
     * properties.
     */
    static List<String> jvmFlags(List<String> args) {
        List<String> keep = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            boolean separateValue = a.equals("--add-modules") || a.equals("--add-opens") || a.equals("--add-exports")
                    || a.equals("--enable-native-access");
            if (separateValue && i + 1 < args.size()) {
                keep.add(a);
                keep.add(args.get(++i));
            } else if (a.startsWith("--add-modules=") || a.startsWith("--enable-native-access=")
                    || a.startsWith("--add-opens=") || a.startsWith("--add-exports=") || a.equals("--enable-preview")
                    || a.startsWith("--sun-misc-unsafe-memory-access=")
                    || (a.startsWith("-XX:") && !a.startsWith("-XX:MaxHeapSize") && !a.startsWith("-XX:InitialHeapSize")
                    && !a.contains("HeapDump") && !a.contains("ErrorFile") && !a.contains("Flags="))) {
                keep.add(a);
            }
        }
        return keep;
    }

    /** Fails with a one-line message when a worker exits before {@link #trainingEnded()}. */
    Future<Void> died() {
        return died.future();
    }

    /** Training has ended: workers exit now, and that is expected; {@link #close()} gives them time to. */
    void trainingEnded() {
        ended = true;
    }

    List<ProcessHandle> handles() {
        return processes.stream().map(Process::toHandle).toList();
    }

    /**
     * Bytes the parameter shard JVMs' emulated links carried: what they sent and what workers sent
     * them, from the last line each printed (the server's JVM counts neither).
     */
    long bytesOfShards() throws IOException {
        long sum = 0;
        for (Path log : logs) {
            Matcher m = SHARD_BYTES.matcher(Files.readString(log));
            while (m.find()) {
                sum += Long.parseLong(m.group(1)) + Long.parseLong(m.group(2));
            }
        }
        return sum;
    }

    /** Messages the workers' and shards' emulated links dropped, from the last line each printed (0 if none). */
    long droppedByWorkers() throws IOException {
        long sum = 0;
        for (Path log : logs) {
            Matcher m = DROPPED.matcher(Files.readString(log));
            while (m.find()) {
                sum += Long.parseLong(m.group(1));
            }
        }
        return sum;
    }

    private void exited(int id, Process p) {
        // Exit code 0: the worker saw the server end training (it may exit before the server's result is in).
        if (!ended && !closing && p.exitValue() != 0) {
            died.tryFail(new IllegalStateException(String.format("%s (pid %d) exited with code %d before "
                    + "training ended; see %s", names.get(id), p.pid(), p.exitValue(), logs.get(id))));
        }
    }

    /**
     * After training ended: waits up to a grace period for the workers to exit on their own. Then (at
     * once after a failure) asks what is left to stop, and kills it after a short grace.
     */
    @Override
    public void close() {
        closing = true;
        if (ended) {
            waitForAll(GRACE_MILLIS);
        }
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // The JVM is shutting down; the hook is running or has run.
        }
    }

    private void kill() {
        closing = true;
        processes.forEach(WorkerJvms::closeInput);  // a child on a host (--until-stdin-closes) stops on this
        processes.forEach(Process::destroy);
        waitForAll(KILL_GRACE_MILLIS);
        processes.forEach(Process::destroyForcibly);
        waitForAll(KILL_GRACE_MILLIS);
    }

    private static void closeInput(Process p) {
        try {
            p.getOutputStream().close();
        } catch (IOException e) {
            // Already closed, or the child is gone: nothing to tell it.
        }
    }

    private void waitForAll(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (Process p : processes) {
            try {
                p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
