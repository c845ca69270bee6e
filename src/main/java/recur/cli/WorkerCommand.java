package recur.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import recur.dist.ClusterConfigs;
import recur.dist.ClusterOptions;
import recur.dist.ClusterWorker;
import recur.dist.NetworkEmulator;
import recur.dist.NetworkProfile;

/**
 * {@code recur worker --cluster}: one worker of a cluster run. It needs neither data nor model
 * options: the parameter server ({@code recur train --cluster}) sends the model, the settings and a
 * shard of the data. It returns when the server ends training.
 */
@Command(name = "worker", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        usageHelpAutoWidth = true, showDefaultValues = true,
        description = {"Work for a cluster run started with 'recur train --cluster --expect-workers N'.",
            "The server sends the model, the settings and this worker's shard of the data; the worker ends when "
                + "training ends."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  recur worker --cluster                          on the server's machine (127.0.0.1)",
            "  recur worker --cluster --cluster-config hosts.xml --cluster-name run1 --cluster-host 10.0.0.2",
            "  recur worker --cluster --network lan-10g --network-seed 2   emulate this worker's link",
            "",
            "Use the same --cluster-name (and a --cluster-config listing the same",
            "machines) as the server."})
final class WorkerCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--cluster", required = true, description = "Join a cluster (the only way a worker runs).")
    boolean cluster;

    @Option(names = "--cluster-config", paramLabel = "FILE", description = "Hazelcast configuration (default: built in, 127.0.0.1 only).")
    Path clusterConfig;

    @Option(names = "--cluster-name", paramLabel = "NAME", description = "Name shared with the server (default: recur).")
    String clusterName;

    @Option(names = "--cluster-host", paramLabel = "HOST", description = "Address of this worker's event bus.")
    String clusterHost = "127.0.0.1";

    @Option(names = "--cluster-port", paramLabel = "PORT", description = "Event-bus port (0: any free port).")
    int clusterPort;

    @Option(names = "--wait", paramLabel = "SECONDS", description = "Give up when no server has taken this worker after SECONDS.")
    int waitSeconds = 120;

    @Option(names = "--network", paramLabel = "PROFILE", description = {"Emulate this worker's own link: loopback, "
            + "lan-10g, dc-25g, wan, or latency=..,jitter=..,bandwidth=..,loss=.. Its outgoing side, latency, jitter "
            + "and loss apply to what it sends, its incoming side to what it receives; the server's side of each "
            + "path is emulated only where the server runs an emulator too (recur experiment scaling --cluster)."})
    String network = "loopback";

    @Option(names = "--network-seed", paramLabel = "S", description = "Seed of this worker's emulated jitter and losses "
            + "(give each worker its own).")
    long networkSeed = 1;

    @Option(names = "--parent", paramLabel = "PID", description = "End when process PID ends (for a launcher that "
            + "starts workers, such as 'recur experiment scaling --cluster').")
    Long parentPid;

    @Option(names = "--debug", description = "Show the stack trace of an error.")
    boolean debug;

    @Override
    public Integer call() throws Exception {
        if (clusterPort < 0 || clusterPort > 65535) {
            throw new UserError("--cluster-port must be between 0 (any free port) and 65535, got " + clusterPort);
        }
        if (waitSeconds < 1) {
            throw new UserError("--wait must be at least 1 second, got " + waitSeconds);
        }
        DistEngine.checkClusterConfig(clusterConfig, "--cluster-config");
        NetworkProfile profile;
        try {
            profile = NetworkProfile.parse(network);
        } catch (IllegalArgumentException e) {
            throw new UserError("--network: " + e.getMessage());
        }
        if (parentPid != null) {
            endWithParent(parentPid);
        }
        String name = clusterName != null ? clusterName : ClusterConfigs.DEFAULT_NAME;
        main.context.out().println("worker: joining cluster " + name + " (pid " + ProcessHandle.current().pid()
                + ") and waiting up to " + waitSeconds + " s for its parameter server");
        NetworkEmulator[] net = new NetworkEmulator[1];
        try {
            ClusterWorker.run(new ClusterOptions(clusterConfig, clusterName, clusterHost, clusterPort, null),
                    Duration.ofSeconds(waitSeconds),
                    vertx -> net[0] = NetworkEmulator.installPerNode(vertx, profile, networkSeed));
        } catch (TimeoutException e) {
            throw new UserError("no parameter server on cluster " + name + " took this worker within " + waitSeconds
                    + " s: start 'scripts/recur train --cluster --expect-workers N' with the same --cluster-name"
                    + " (and --cluster-config), or wait longer with --wait", e);
        }
        main.context.out().println("worker: training finished");
        // One line a launcher can read: what this worker's emulated link carried.
        main.context.out().printf(Locale.ROOT, "worker: network %s sent %d messages, %d bytes, dropped %d%n",
                profile.name(), net[0].messages(), net[0].bytes(), net[0].dropped());
        return 0;
    }

    /** A worker started by a launcher must not outlive it (the launcher may be killed before it can clean up). */
    private void endWithParent(long pid) {
        var parent = ProcessHandle.of(pid);
        if (parent.isEmpty() || !parent.get().isAlive()) {
            throw new UserError("--parent " + pid + ": no such process");
        }
        parent.get().onExit().thenRun(() -> {
            System.err.println("worker: process " + pid + " ended; stopping");
            Runtime.getRuntime().halt(3);
        });
    }
}
