package recur.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import recur.dist.ClusterWorker;
import recur.dist.NetworkEmulator;
import recur.dist.NetworkProfile;
import recur.dist.TensorTransport;

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

    @Option(names = "--tensor-transport", paramLabel = "T", description = "How this worker's gradients and weights "
            + "travel: tcp (a connection of its own to the server, when the server offers one; default) or bus (the "
            + "event bus). With an emulated --network other than loopback the default is bus: the emulator sees only "
            + "the event bus.")
    String tensorTransport;

    @Override
    public Integer call() throws Exception {
        NetworkProfile profile = node.check("worker");
        TensorTransport transport = transport(profile);
        String name = node.name();
        main.context.out().println("worker: joining cluster " + name + " (pid " + ProcessHandle.current().pid()
                + ") and waiting up to " + node.waitSeconds + " s for its parameter server");
        NetworkEmulator[] net = new NetworkEmulator[1];
        try {
            ClusterWorker.run(node.options().withTensorTransport(transport), Duration.ofSeconds(node.waitSeconds),
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

    /** --tensor-transport, checked: tcp unless given, bus when a network is emulated (its emulator sees only the bus). */
    private TensorTransport transport(NetworkProfile profile) {
        boolean emulated = !profile.name().equals("loopback");
        if (tensorTransport == null) {
            return emulated ? TensorTransport.BUS : TensorTransport.TCP;
        }
        TensorTransport t;
        try {
            t = TensorTransport.parse(tensorTransport);
        } catch (IllegalArgumentException e) {
            throw new UserError("--tensor-transport must be tcp or bus, got '" + tensorTransport + "'");
        }
        if (t == TensorTransport.TCP && emulated) {
            throw new UserError("--tensor-transport tcp bypasses the emulated --network " + profile.name()
                    + " (it sees only the event bus): use --tensor-transport bus, or leave one of them out");
        }
        return t;
    }
}
