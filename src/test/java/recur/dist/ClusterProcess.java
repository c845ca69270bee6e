package recur.dist;

import java.nio.file.Path;
import recur.train.TrainConfig;

/**
 * Entry point of the child JVMs of {@link MultiProcessTest}: {@code worker CLUSTER} runs a cluster
 * worker; {@code server CLUSTER OUT STEPS CHECKPOINT_EVERY} runs a parameter server for two workers
 * on the test job, printing {@code VERSION n} after each version.
 */
public final class ClusterProcess {
    static final DistTiming TIMING = DistTiming.of(200, 2_000);

    public static void main(String[] args) throws Exception {
        ClusterOptions options = new ClusterOptions(null, args[1], "127.0.0.1", 0, TIMING);
        switch (args[0]) {
            case "worker" -> ClusterWorker.run(options);
            case "server" -> {
                TrainConfig c = MultiProcessTest.config(Path.of(args[2]), Long.parseLong(args[3]));
                c.checkpointEvery = Integer.parseInt(args[4]);
                ClusterCoordinator.train(DistFixtures.job(c, MultiProcessTest.TEXT), options, s -> {
                    System.out.println("VERSION " + s.step());
                    System.out.flush();
                }, () -> false);
            }
            default -> throw new IllegalArgumentException("expected worker or server, got " + args[0]);
        }
        System.exit(0);
    }
}
