package recur.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import recur.dist.ClusterConfigs;
import recur.dist.ClusterOptions;
import recur.dist.NetworkProfile;

/**
 * The options every process that joins a cluster run at the server's call shares ({@code recur worker},
 * {@code recur ps-shard}): where the cluster is, how long to wait for the server, this process's
 * emulated link and the launcher it ends with.
 */
final class ClusterNodeOptions {
    @Option(names = "--cluster", required = true, description = "Join a cluster (the only way this command runs).")
    boolean cluster;

    @Option(names = "--cluster-config", paramLabel = "FILE", description = "Hazelcast configuration (default: built in, 127.0.0.1 only).")
    Path clusterConfig;

    @Option(names = "--cluster-name", paramLabel = "NAME", description = "Name shared with the server (default: recur).")
    String clusterName;

    @Option(names = "--cluster-host", paramLabel = "HOST", description = "Address of this process's event bus.")
    String clusterHost = "127.0.0.1";

    @Option(names = "--cluster-port", paramLabel = "PORT", description = "Event-bus port (0: any free port).")
    int clusterPort;

    @Option(names = "--wait", paramLabel = "SECONDS", description = "Give up when no server has taken this process after SECONDS.")
    int waitSeconds = 120;

    @Option(names = "--network", paramLabel = "PROFILE", description = {"Emulate this process's own link: loopback, "
            + "lan-10g, dc-25g, wan, or latency=..,jitter=..,bandwidth=..,loss=.. Its outgoing side, latency, jitter "
            + "and loss apply to what it sends, its incoming side to what it receives; the server's side of each "
            + "path is emulated only where the server runs an emulator too (recur experiment scaling --cluster)."})
    String network = "loopback";

    @Option(names = "--network-seed", paramLabel = "S", description = "Seed of this process's emulated jitter and losses "
            + "(give each process its own).")
    long networkSeed = 1;

    @Option(names = "--parent", paramLabel = "PID", description = "End when process PID ends (for a launcher that "
            + "starts these processes, such as 'recur experiment scaling --cluster').")
    Long parentPid;

    @Option(names = "--until-stdin-closes", description = "End when standard input closes (for a launcher on another "
            + "machine, such as 'recur experiment scaling --cluster --hosts' over ssh: it holds the pipe open while "
            + "it needs this process, and ssh closes it when the launcher or the connection ends).")
    boolean untilStdinCloses;

    @Option(names = "--debug", description = "Show the stack trace of an error.")
    boolean debug;

    /** Checks the options, starts watching the parent, and returns the emulated network profile. */
    NetworkProfile check(String who) {
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
            endWithParent(parentPid, who);
        }
        if (untilStdinCloses) {
            endWithStdin(who);
        }
        return profile;
    }

    ClusterOptions options() {
        return new ClusterOptions(clusterConfig, clusterName, clusterHost, clusterPort, null);
    }

    String name() {
        return clusterName != null ? clusterName : ClusterConfigs.DEFAULT_NAME;
    }

    /** Reads standard input to its end on a daemon thread, then halts: the launcher is gone or done with us. */
    private static void endWithStdin(String who) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[256];
            try {
                while (System.in.read(buffer) >= 0) {
                    // What the launcher writes means nothing; only the end of the stream does.
                }
            } catch (java.io.IOException e) {
                // A broken pipe ends the launcher's hold as surely as an end of stream.
            }
            System.err.println(who + ": standard input closed (the launcher ended or is done); stopping");
            Runtime.getRuntime().halt(3);
        }, "recur-until-stdin-closes");
        t.setDaemon(true);
        t.start();
    }

    /** A process started by a launcher must not outlive it (the launcher may be killed before it can clean up). */
    private static void endWithParent(long pid, String who) {
        var parent = ProcessHandle.of(pid);
        if (parent.isEmpty() || !parent.get().isAlive()) {
            throw new UserError("--parent " + pid + ": no such process");
        }
        parent.get().onExit().thenRun(() -> {
            System.err.println(who + ": process " + pid + " ended; stopping");
            Runtime.getRuntime().halt(3);
        });
    }
}
