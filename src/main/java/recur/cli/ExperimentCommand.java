package recur.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import recur.experiment.ClippingExperiment;
import recur.experiment.MemoryExperiment;
import recur.model.CellType;

/**
 * {@code recur experiment}: the measured demonstrations of the memory of recurrent cells (vanishing
 * gradients) and of gradient clipping (exploding gradients). Each writes a table to the terminal and
 * a results CSV and an SVG plot to {@code --out}.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Run a measured experiment: memory (vanishing gradients) or clipping (exploding gradients)."},
        subcommands = {ExperimentCommand.Memory.class, ExperimentCommand.Clipping.class, ScalingExperimentCommand.class},
        synopsisSubcommandLabel = "EXPERIMENT",
        footerHeading = "%nExamples:%n",
        footer = {
            "  recur experiment memory                      adding problem, rnn_tanh/lstm/gru, lengths 10..200",
            "  recur experiment memory --task copy --lengths 10,50",
            "  recur experiment clipping                    no clip vs value clip vs norm clip at a high lr"})
final class ExperimentCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Override
    public Integer call() {
        throw new UserError("say which experiment to run: memory or clipping (e.g. 'recur experiment memory')");
    }

    static Path outDir(Path out) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new UserError("--out " + out + " is a file; give a directory");
        }
        try {
            return Files.createDirectories(out);
        } catch (IOException e) {
            throw new UserError("cannot create the output directory " + out + ": " + e.getMessage() + "; choose another --out", e);
        }
    }

    static void atLeast(String option, long value, long min) {
        if (value < min) {
            throw new UserError(option + " must be at least " + min + ", got " + value);
        }
    }

    static UserError cannotWrite(Path dir, IOException e) {
        return new UserError("cannot write the results to " + dir + ": " + e.getMessage(), e);
    }

    @Command(name = "memory", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
            showDefaultValues = true,
            description = {"Train each cell on each sequence length of a memory task and compare the held-out error.",
                "adding: sum the two marked values of a sequence (Hochreiter & Schmidhuber 1997), read at the last step;",
                "copy: repeat 3 symbols after a delay of blank steps. Writes memory.csv and memory.svg to --out."},
            footerHeading = "%nExamples:%n",
            footer = {
                "  recur experiment memory",
                "  recur experiment memory --lengths 10,50,100,200 --cells rnn_tanh,lstm,gru --steps 2000",
                "  recur experiment memory --task copy --lengths 10,50,100 --out runs/copy"})
    static final class Memory implements Callable<Integer> {
        private static final MemoryExperiment.Settings D = MemoryExperiment.Settings.defaults();

        @ParentCommand
        ExperimentCommand parent;

        @Option(names = "--task", paramLabel = "TASK[,TASK]", split = ",", description = "adding and/or copy.")
        List<String> tasks = new ArrayList<>(D.tasks());

        @Option(names = "--lengths", paramLabel = "N,...", split = ",",
                description = "Sequence lengths (adding) or delays (copy).")
        List<Integer> lengths = new ArrayList<>(D.lengths());

        @Option(names = "--cells", paramLabel = "CELL,...", split = ",", description = "rnn_tanh, rnn_relu, lstm, gru.")
        List<String> cells = D.cells().stream().map(c -> c.id).toList();

        @Option(names = "--steps", paramLabel = "N", description = "Training steps per combination.")
        long steps = D.steps();

        @Option(names = "--hidden", paramLabel = "N", description = "Hidden units (one layer).")
        int hidden = D.hidden();

        @Option(names = "--batch", paramLabel = "B", description = "Sequences per step.")
        int batch = D.batch();

        @Option(names = "--lr", paramLabel = "X", description = "Adam learning rate.")
        double lr = D.lr();

        @Option(names = "--clip-norm", paramLabel = "X", description = "Gradient norm clip (0: off).")
        double clipNorm = D.clipNorm();

        @Option(names = "--eval", paramLabel = "N", description = "Held-out sequences each model is scored on.")
        int eval = D.evalSequences();

        @Option(names = "--seed", paramLabel = "S", description = "Seed of the data and the initial weights.")
        long seed = D.seed();

        @Option(names = "--threads", paramLabel = "N", description = "Combinations trained at once (results do not depend on it).")
        int threads = D.threads();

        @Option(names = "--out", paramLabel = "DIR", description = "Where memory.csv and memory.svg go.")
        Path out = Path.of("runs", "memory");

        @Option(names = "--debug", description = "Show the stack trace of an error.")
        boolean debug;

        @Override
        public Integer call() {
            MemoryExperiment.Settings s = settings();
            var o = parent.main.context.out();
            Path dir = outDir(out);
            o.printf(Locale.ROOT, "memory experiment: %s x lengths %s x cells %s, %d steps each (hidden %d, batch %d, "
                    + "adam lr %s, clip-norm %s, seed %d, %d threads)%n", String.join(",", s.tasks()), s.lengths(),
                    cells, s.steps(), s.hidden(), s.batch(), lr, clipNorm, s.seed(), s.threads());
            long t0 = System.nanoTime();
            List<MemoryExperiment.Result> results = MemoryExperiment.run(s, r -> {
                synchronized (o) {
                    o.printf(Locale.ROOT, "  %-6s length %4d  %-8s error %.4f (%.2fx chance)  %.1fs%n", r.task(),
                            r.length(), r.cell().id, r.error(), r.relativeError(), r.seconds());
                }
            });
            o.println();
            o.print(MemoryExperiment.table(results, s));
            try {
                MemoryExperiment.writeCsv(dir.resolve("memory.csv"), results);
                MemoryExperiment.writePlot(dir.resolve("memory.svg"), results, s);
            } catch (IOException e) {
                throw cannotWrite(dir, e);
            }
            o.printf(Locale.ROOT, "%ntook %s; results in %s, plot in %s%n", Progress.duration((System.nanoTime() - t0) / 1e9),
                    dir.resolve("memory.csv"), dir.resolve("memory.svg"));
            return 0;
        }

        MemoryExperiment.Settings settings() {
            for (String t : tasks) {
                if (!t.equals("adding") && !t.equals("copy")) {
                    throw new UserError("--task: unknown task '" + t + "' (expected adding or copy)");
                }
            }
            if (lengths.isEmpty() || cells.isEmpty() || tasks.isEmpty()) {
                throw new UserError("--task, --lengths and --cells each need at least one value");
            }
            for (int length : lengths) {
                if (length < 2 || length > 100_000) {
                    throw new UserError("--lengths: each length must be between 2 and 100000, got " + length);
                }
            }
            List<CellType> cellTypes = new ArrayList<>();
            for (String c : cells) {
                try {
                    cellTypes.add(CellType.parse(c));
                } catch (IllegalArgumentException e) {
                    throw new UserError("--cells: " + e.getMessage());
                }
            }
            atLeast("--steps", steps, 1);
            atLeast("--hidden", hidden, 1);
            atLeast("--batch", batch, 1);
            atLeast("--eval", eval, 1);
            atLeast("--threads", threads, 1);
            if (!(lr > 0) || !Double.isFinite(lr)) {
                throw new UserError("--lr must be a positive number, got " + lr);
            }
            if (!(clipNorm >= 0)) {
                throw new UserError("--clip-norm must be >= 0 (0 turns clipping off), got " + clipNorm);
            }
            return new MemoryExperiment.Settings(List.copyOf(new java.util.LinkedHashSet<>(tasks)),
                    List.copyOf(new java.util.LinkedHashSet<>(lengths)), List.copyOf(new java.util.LinkedHashSet<>(cellTypes)),
                    hidden, batch, steps, "adam", lr, clipNorm, eval, seed, threads);
        }
    }

    @Command(name = "clipping", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
            showDefaultValues = true,
            description = {"Train one character model at a high learning rate three times: without clipping, with value",
                "clipping and with norm clipping (same data, same initial weights). Writes clipping.csv and clipping.svg."},
            footerHeading = "%nExamples:%n",
            footer = {
                "  recur experiment clipping",
                "  recur experiment clipping --lr 1 --steps 600     a gentler rate",
                "  recur experiment clipping --clip-norm 0.5 --clip-value 0.005 --out runs/clip"})
    static final class Clipping implements Callable<Integer> {
        private static final ClippingExperiment.Settings D = ClippingExperiment.Settings.defaults();

        @ParentCommand
        ExperimentCommand parent;

        @Option(names = "--steps", paramLabel = "N", description = "Training steps of each run.")
        long steps = D.steps();

        @Option(names = "--lr", paramLabel = "X", description = "SGD learning rate (high on purpose).")
        double lr = D.lr();

        @Option(names = "--clip-value", paramLabel = "X", description = "Element-wise clip of the value run.")
        double clipValue = D.clipValue();

        @Option(names = "--clip-norm", paramLabel = "X", description = "Global norm clip of the norm run.")
        double clipNorm = D.clipNorm();

        @Option(names = "--cell", paramLabel = "CELL", description = "rnn_tanh, rnn_relu, lstm or gru.")
        String cell = D.cell();

        @Option(names = "--hidden", paramLabel = "N", description = "Hidden units (one layer).")
        int hidden = D.hidden();

        @Option(names = "--seed", paramLabel = "S", description = "Seed of the text and the initial weights.")
        long seed = D.seed();

        @Option(names = "--out", paramLabel = "DIR", description = "Where clipping.csv and clipping.svg go.")
        Path out = Path.of("runs", "clipping");

        @Option(names = "--debug", description = "Show the stack trace of an error.")
        boolean debug;

        @Override
        public Integer call() {
            atLeast("--steps", steps, 1);
            atLeast("--hidden", hidden, 1);
            if (!(lr > 0) || !Double.isFinite(lr)) {
                throw new UserError("--lr must be a positive number, got " + lr);
            }
            if (!(clipValue > 0) || !(clipNorm > 0)) {
                throw new UserError("--clip-value and --clip-norm must be positive (they are the thresholds of the "
                        + "clipped runs), got " + clipValue + " and " + clipNorm);
            }
            try {
                CellType.parse(cell);
            } catch (IllegalArgumentException e) {
                throw new UserError("--cell: " + e.getMessage());
            }
            ClippingExperiment.Settings s = new ClippingExperiment.Settings(cell, hidden, D.embedding(), D.window(),
                    D.batch(), steps, D.optimizer(), lr, clipValue, clipNorm, seed);
            var o = parent.main.context.out();
            Path dir = outDir(out);
            o.printf(Locale.ROOT, "clipping experiment: a %s (hidden %d) on generated text, %d steps of %d x %d "
                    + "characters, %s lr %s; runs: no clipping, value clip %s, norm clip %s (seed %d)%n", cell, hidden,
                    steps, s.batch(), s.window(), s.optimizer(), lr, clipValue, clipNorm, seed);
            long t0 = System.nanoTime();
            List<ClippingExperiment.Run> runs = ClippingExperiment.run(s);
            o.println();
            o.print(ClippingExperiment.table(runs, s));
            o.println("(loss in nats/char; |g| is the gradient norm before clipping; skipped: steps with a "
                    + "non-finite gradient)");
            try {
                ClippingExperiment.writeCsv(dir.resolve("clipping.csv"), runs);
                ClippingExperiment.writePlot(dir.resolve("clipping.svg"), runs, s);
            } catch (IOException e) {
                throw cannotWrite(dir, e);
            }
            o.printf(Locale.ROOT, "%ntook %s; per-step results in %s, plot in %s%n",
                    Progress.duration((System.nanoTime() - t0) / 1e9), dir.resolve("clipping.csv"), dir.resolve("clipping.svg"));
            return 0;
        }
    }
}
