package recur.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import recur.bench.TrainBench;
import recur.io.Json;
import recur.math.Kernels;
import recur.model.CellType;

/**
 * {@code recur bench}: training throughput on the shared benchmark (../shared/bench/README.md), one
 * line per configuration and cell, with the keys of the PyTorch peer's output so the two compare
 * line by line (scripts/compare-pytorch).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        showDefaultValues = true,
        description = "Measure training throughput (tokens/s) on the shared benchmark configurations.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  recur bench                                   all configurations and cells",
            "  recur bench --configs charlm --cells lstm --json",
            "  recur bench --configs charlm --workers 2          local mode, 2 worker verticles",
            "  scripts/compare-pytorch --configs charlm      side by side with PyTorch"})
final class BenchCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Option(names = "--configs", split = ",", paramLabel = "NAME", defaultValue = "charlm,small,large",
            description = "Configurations: charlm (H 256, B 32, T 64), small (H 128, B 1, T 50), large (H 1024, B 64, T 32).")
    List<String> configs;

    @Option(names = "--cells", split = ",", paramLabel = "CELL", defaultValue = "lstm,gru,rnn_tanh",
            description = "Cells: lstm, gru, rnn_tanh, rnn_relu.")
    List<String> cells;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "Threads per worker: each worker computes its step on one thread (use --workers for more cores).")
    int threads;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "0",
            description = "Measure local mode: N worker verticles (B streams each) and a parameter server in one JVM. "
                    + "0: one training step on this thread, no verticles.")
    int workers;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "5",
            description = "Untimed warm-up per line, so the JIT has compiled every kernel.")
    double warmup;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "20", description = "Timed steps (the median is reported).")
    int steps;

    @Option(names = "--json", description = "One JSON object per line (keys as torch_rnn_bench.py).")
    boolean json;

    @Option(names = "--debug", description = "Show the stack trace of an error.")
    boolean debug;

    @Override
    public Integer call() {
        if (threads != 1) {
            throw new UserError("--threads " + threads + ": a worker computes on one thread; use 'recur train "
                    + "--workers N' to use N cores");
        }
        if (workers < 0) {
            throw new UserError("--workers must be 0 (no verticles) or a number of worker verticles");
        }
        if (steps < 1 || warmup < 0) {
            throw new UserError("--steps must be at least 1 and --warmup not negative");
        }
        List<TrainBench.Config> cfgs = new ArrayList<>();
        for (String c : configs) {
            TrainBench.Config cfg = TrainBench.CONFIGS.get(c);
            if (cfg == null) {
                throw new UserError("unknown configuration '" + c + "' (expected one of "
                        + String.join(", ", TrainBench.CONFIGS.keySet()) + ")");
            }
            cfgs.add(cfg);
        }
        List<CellType> cellTypes = new ArrayList<>();
        for (String c : cells) {
            try {
                cellTypes.add(CellType.parse(c));
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
        }
        Kernels k = Kernels.get();
        String system = "recur-" + Version.number().replace(" ", "-") + "-" + k.name();
        if (!json) {
            main.context.out().printf(Locale.ROOT, "%-8s %-9s %12s %10s %9s %9s%n", "config", "cell", "tokens/s",
                    "step ms", "GFLOP/s", "done");
        }
        for (TrainBench.Config cfg : cfgs) {
            for (CellType cell : cellTypes) {
                TrainBench.Result r = workers == 0 ? TrainBench.run(cell, cfg, warmup, steps, k)
                        : runLocal(cell, cfg);
                if (json) {
                    main.context.out().println(Json.write(r.toMap(system)));
                } else {
                    main.context.out().printf(Locale.ROOT, "%-8s %-9s %12.0f %10.2f %9.1f %9.1f%n", cfg.name(),
                            cell.id, r.tokensPerSecond(), r.medianStepMs(), r.gflops(), r.gflopsPerformed());
                }
                main.context.out().flush();
            }
        }
        return 0;
    }

    private TrainBench.Result runLocal(CellType cell, TrainBench.Config cfg) {
        try {
            return TrainBench.runLocal(cell, cfg, workers, warmup, steps);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted");
        } catch (java.io.IOException e) {
            throw new UserError("cannot create a temporary run directory: " + e.getMessage());
        }
    }
}
