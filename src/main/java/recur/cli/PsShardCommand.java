package recur.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import recur.dist.ClusterShardNode;
import recur.dist.NetworkEmulator;
import recur.dist.NetworkProfile;

/**
 * {@code recur ps-shard --cluster}: one parameter-server shard of a cluster run on a node of its own.
 * Like a worker it needs no run options: the server ({@code recur train --cluster --ps-shards K
 * --ps-shard-nodes}) sends its slice of the parameters and the optimizer settings. It returns when
 * the server ends training; it fails with one line when the server fails, leaves, or needs no shard.
 */
@Command(name = "ps-shard", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        usageHelpAutoWidth = true, showDefaultValues = true,
        description = {"Hold one parameter-server shard for a cluster run started with",
            "'recur train --cluster --ps-shards K --ps-shard-nodes' (start K-1 of these).",
            "The server sends the slice of the parameters and the optimizer settings; the shard ends when training "
                + "ends."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  recur ps-shard --cluster                        on the server's machine (127.0.0.1)",
            "  recur ps-shard --cluster --cluster-config hosts.xml --cluster-name run1 --cluster-host 10.0.0.3",
            "",
            "Use the same --cluster-name (and a --cluster-config listing the same",
            "machines) as the server."})
final class PsShardCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Mixin
    ClusterNodeOptions node;

    @Override
    public Integer call() throws Exception {
        NetworkProfile profile = node.check("ps-shard");
        String name = node.name();
        main.context.out().println("ps-shard: joining cluster " + name + " (pid " + ProcessHandle.current().pid()
                + ") and waiting up to " + node.waitSeconds + " s for a parameter server to give it a slice");
        NetworkEmulator[] net = new NetworkEmulator[1];
        try {
            ClusterShardNode.run(node.options(), Duration.ofSeconds(node.waitSeconds),
                    vertx -> net[0] = NetworkEmulator.installPerNode(vertx, profile, node.networkSeed));
        } catch (TimeoutException e) {
            throw new UserError("no parameter server on cluster " + name + " gave this shard a slice within "
                    + node.waitSeconds + " s: start 'scripts/recur train --cluster --ps-shards K --ps-shard-nodes' "
                    + "with the same --cluster-name (and --cluster-config), or wait longer with --wait", e);
        } catch (IllegalStateException e) {
            throw new UserError("ps-shard: " + e.getMessage(), e);
        }
        main.context.out().println("ps-shard: training finished");
        // One line a launcher can read: what this shard's emulated link carried (sent, and received from workers).
        main.context.out().printf(Locale.ROOT,
                "ps-shard: network %s sent %d messages, %d bytes, received %d bytes from workers, dropped %d%n",
                profile.name(), net[0].messages(), net[0].bytes(), net[0].bytesFromWorkers(), net[0].dropped());
        return 0;
    }
}
