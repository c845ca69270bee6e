package recur.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import recur.math.Kernels;
import recur.model.CellType;
import recur.model.Initializer;
import recur.model.ModelSpec;
import recur.nn.Network;
import recur.nn.RecurrentState;
import recur.nn.Window;
import recur.optim.LearningRateSchedule;
import recur.optim.Optimizers;
import recur.plot.Series;
import recur.plot.SvgPlot;
import recur.train.StepStats;
import recur.train.Trainer;

/**
 * The memory experiment: for every task, length and cell, train a one-layer network on generated
 * sequences (one sequence per tBPTT window, so backpropagation reaches the first step), then score it
 * on held-out sequences. Plain RNNs are expected to fail as the distance grows (vanishing gradients;
 * Bengio, Simard and Frasconi 1994) where LSTM and GRU keep working.
 *
 * <p>Call order: {@link #run} (trains, in parallel over combinations), then {@link #table},
 * {@link #writeCsv} and {@link #writePlot}. Every number depends only on the settings and the seed.
 */
public final class MemoryExperiment {

    /** What to train. {@code threads} changes only the wall time, never the numbers. */
    public record Settings(List<String> tasks, List<Integer> lengths, List<CellType> cells, int hidden, int batch,
                           long steps, String optimizer, double lr, double clipNorm, int evalSequences, long seed,
                           int threads) {
        public Settings {
            tasks = List.copyOf(tasks);
            lengths = List.copyOf(lengths);
            cells = List.copyOf(cells);
        }

        /** The defaults of {@code recur experiment memory}. */
        public static Settings defaults() {
            return new Settings(List.of("adding"), List.of(10, 50, 100, 200),
                    List.of(CellType.RNN_TANH, CellType.LSTM, CellType.GRU), 32, 32, 800, "adam", 1e-2, 1.0, 512, 1,
                    Math.max(1, Runtime.getRuntime().availableProcessors()));
        }
    }

    /** One trained combination: its held-out error and the chance level (a network that remembers nothing). */
    public record Result(String task, int length, int sequenceSteps, CellType cell, long steps, double finalLoss,
                         double error, double chanceError, String errorName, double seconds) {
        /** Error relative to chance: 0 is perfect, 1 remembers nothing. */
        public double relativeError() {
            return error / chanceError;
        }
    }

    private MemoryExperiment() {
    }

    /** The task {@code name} ("adding" or "copy") at memory distance {@code length}. */
    public static MemoryTask task(String name, int length) {
        return switch (name) {
            case "adding" -> new AddingTask(length);
            case "copy" -> new CopyTask(length);
            default -> throw new IllegalArgumentException("unknown task '" + name + "' (expected adding or copy)");
        };
    }

    /** Trains every combination; {@code done} hears each result as it finishes (from worker threads). */
    public static List<Result> run(Settings s, Consumer<Result> done) {
        List<MemoryTask> tasks = new ArrayList<>();
        for (String name : s.tasks()) {
            for (int length : s.lengths()) {
                tasks.add(task(name, length));
            }
        }
        // Longest sequences first, so that the pool does not end waiting on one long job.
        List<Job> jobs = new ArrayList<>();
        for (MemoryTask t : tasks) {
            for (CellType cell : s.cells()) {
                jobs.add(new Job(t, cell));
            }
        }
        List<Job> byCost = new ArrayList<>(jobs);
        byCost.sort((a, b) -> Integer.compare(b.task.steps(), a.task.steps()));
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(s.threads(), jobs.size())));
        try {
            List<Future<Result>> futures = new ArrayList<>();
            for (Job j : byCost) {
                futures.add(pool.submit(() -> {
                    Result r = train(j.task, j.cell, s);
                    done.accept(r);
                    return r;
                }));
            }
            List<Result> results = new ArrayList<>();
            for (Job j : jobs) { // report in the order asked for
                results.add(get(futures.get(byCost.indexOf(j))));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private record Job(MemoryTask task, CellType cell) {
    }

    private static Result get(Future<Result> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Trains one cell on one task and scores it on {@code evalSequences} held-out sequences. */
    public static Result train(MemoryTask task, CellType cell, Settings s) {
        long t0 = System.nanoTime();
        String key = task.name() + "/" + task.length();
        ModelSpec spec = task.spec(cell, s.hidden());
        float[] params = Initializer.initialize(spec, Seeds.derive(s.seed(), key + "/init/" + cell.id),
                cell == CellType.LSTM);
        TaskWindows data = new TaskWindows(task, s.batch(), Seeds.derive(s.seed(), key + "/data"));
        Trainer trainer = new Trainer(spec, params, data, task.steps(), Optimizers.parse(s.optimizer(), params.length),
                LearningRateSchedule.parse("constant", s.lr(), s.steps()), s.clipNorm(), 0, Kernels.get());
        double tail = 0; // mean training loss over the last tenth of the steps
        long tailFrom = s.steps() - Math.max(1, s.steps() / 10);
        long tailCount = 0;
        for (long i = 0; i < s.steps(); i++) {
            StepStats st = trainer.step();
            if (i >= tailFrom && Double.isFinite(st.loss())) {
                tail += st.loss();
                tailCount++;
            }
        }
        double error = evaluate(task, spec, trainer.params(), s.evalSequences(), Seeds.derive(s.seed(), key + "/eval"));
        return new Result(task.name(), task.length(), task.steps(), cell, s.steps(),
                tailCount > 0 ? tail / tailCount : Double.NaN, error, task.chanceError(), task.errorName(),
                (System.nanoTime() - t0) / 1e9);
    }

    /** The task's error over {@code sequences} held-out sequences (whole batches of up to 128). */
    public static double evaluate(MemoryTask task, ModelSpec spec, float[] params, int sequences, long seed) {
        int batch = Math.min(128, sequences);
        Network net = new Network(spec, batch, task.steps(), Kernels.get());
        Window w = net.newWindow();
        RecurrentState state = net.newState();
        TaskWindows data = new TaskWindows(task, batch, seed);
        double sum = 0;
        double count = 0;
        for (int done = 0; done < sequences; done += batch) {
            data.next(w, state);
            net.predict(params, w, state);
            double[] e = task.errors(w, net.outputs());
            sum += e[0];
            count += e[1];
        }
        return sum / count;
    }

    // ------------------------------------------------------------------------------------ reports

    /** A text table: one row per task and length, one column per cell; each cell "error (x chance)". */
    public static String table(List<Result> results, Settings s) {
        StringBuilder b = new StringBuilder();
        for (String task : s.tasks()) {
            List<Result> rows = results.stream().filter(r -> r.task().equals(task)).toList();
            if (rows.isEmpty()) {
                continue;
            }
            Result first = rows.get(0);
            b.append(String.format(Locale.ROOT, "%s: %s on %d held-out sequences (chance %.4f; lower is better)%n",
                    task, first.errorName(), s.evalSequences(), first.chanceError()));
            b.append(String.format(Locale.ROOT, "%-8s %6s", "length", "T"));
            for (CellType c : s.cells()) {
                b.append(String.format(Locale.ROOT, " %18s", c.id));
            }
            b.append('\n');
            for (int length : s.lengths()) {
                Result any = find(rows, length, s.cells().get(0));
                b.append(String.format(Locale.ROOT, "%-8d %6d", length, any.sequenceSteps()));
                for (CellType c : s.cells()) {
                    Result r = find(rows, length, c);
                    b.append(String.format(Locale.ROOT, " %18s",
                            String.format(Locale.ROOT, "%.4f (%.2fx)", r.error(), r.relativeError())));
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    private static Result find(List<Result> rows, int length, CellType cell) {
        for (Result r : rows) {
            if (r.length() == length && r.cell() == cell) {
                return r;
            }
        }
        throw new IllegalArgumentException("no result for length " + length + " and cell " + cell);
    }

    public static final String CSV_HEADER =
            "task,length,sequence_steps,cell,train_steps,final_train_loss,error,chance_error,relative_error,seconds";

    public static void writeCsv(Path file, List<Result> results) throws IOException {
        StringBuilder b = new StringBuilder(CSV_HEADER).append('\n');
        for (Result r : results) {
            b.append(String.format(Locale.ROOT, "%s,%d,%d,%s,%d,%.6g,%.6g,%.6g,%.6g,%.2f%n", r.task(), r.length(),
                    r.sequenceSteps(), r.cell().id, r.steps(), r.finalLoss(), r.error(), r.chanceError(),
                    r.relativeError(), r.seconds()));
        }
        Files.writeString(file, b);
    }

    /** One plot per task: error relative to chance against the length, a line per cell. */
    public static void writePlot(Path file, List<Result> results, Settings s) throws IOException {
        List<SvgPlot> plots = new ArrayList<>();
        for (String task : s.tasks()) {
            List<Series> series = new ArrayList<>();
            double[] x = s.lengths().stream().mapToDouble(Integer::doubleValue).toArray();
            List<Result> rows = results.stream().filter(r -> r.task().equals(task)).toList();
            if (rows.isEmpty()) {
                continue;
            }
            for (CellType c : s.cells()) {
                double[] y = s.lengths().stream().mapToDouble(l -> find(rows, l, c).relativeError()).toArray();
                series.add(new Series(c.id, x, y));
            }
            double[] chance = new double[x.length];
            java.util.Arrays.fill(chance, 1.0);
            series.add(new Series("chance (no memory)", x, chance));
            String xLabel = task.equals("copy") ? "delay (blank steps between the symbols and the recall)"
                    : "sequence length T";
            plots.add(SvgPlot.lines(String.format(Locale.ROOT, "%s: %s / chance, after %d steps", task,
                    rows.get(0).errorName(), s.steps()), xLabel, "error relative to chance", series));
        }
        SvgPlot.writeColumn(file, plots);
    }
}
