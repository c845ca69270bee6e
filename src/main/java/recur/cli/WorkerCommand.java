package recur.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
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

    @Mixin
    ClusterNodeOptions node;

    @Override
    public Integer call() throws Exception {
        NetworkProfile profile = node.check("worker");
        String name = node.name();
        main.context.out().println("worker: joining cluster " + name + " (pid " + ProcessHandle.current().pid()
                + ") and waiting up to " + node.waitSeconds + " s for its parameter server");
        NetworkEmulator[] net = new NetworkEmulator[1];
        try {
            ClusterWorker.run(node.options(), Duration.ofSeconds(node.waitSeconds),
                    vertx -> net[0] = NetworkEmulator.installPerNode(vertx, profile, node.networkSeed));
        } catch (TimeoutException e) {
            throw new UserError("no parameter server on cluster " + name + " took this worker within " + node.waitSeconds
                    + " s: start 'scripts/recur train --cluster --expect-workers N' with the same --cluster-name"
                    + " (and --cluster-config), or wait longer with --wait", e);
        }
        main.context.out().println("worker: training finished");
        // One line a launcher can read: what this worker's emulated link carried.
        main.context.out().printf(Locale.ROOT, "worker: network %s sent %d messages, %d bytes, dropped %d%n",
                profile.name(), net[0].messages(), net[0].bytes(), net[0].dropped());
        return 0;
    }
}
