package recur.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import recur.data.CharVocabulary;
import recur.data.SyntheticText;
import recur.data.TokenStreams;
import recur.io.Json;
import recur.model.CellType;
import recur.model.Initializer;
import recur.model.ModelSpec;
import recur.model.Task;
import recur.optim.LearningRateSchedule;
import recur.optim.Optimizers;
import recur.train.TrainConfig;

/**
 * {@code recur train}: a character language model on a text file, or, with no data given, the default
 * job on text the project generates ({@link SyntheticText}). Settings come from the defaults, then the
 * default job's settings (no data only), then {@code --config}, then the command line. Writes
 * {@code model.safetensors}, {@code config.json} and {@code metrics.csv} to {@code --out}.
 */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false, usageHelpAutoWidth = true, showDefaultValues = true,
        description = {"Train a character-level language model with truncated BPTT.",
            "With no --text (and no text in --config) it trains the default job on English-like text that "
                + "recur generates itself, in about two minutes."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  recur train                                  the default job",
            "  recur train --text book.txt --out runs/book  your own text",
            "  recur train --text book.txt --cell gru --layers 2 --hidden 256",
            "  recur train --text book.txt --lr 3e-3 --schedule cosine:warmup=100",
            "  recur train --config runs/book/config.json --steps 5000",
            "  recur train --text book.txt --json-lines > progress.jsonl",
            "  recur train --csv temps.csv --target Temp --holdout 0.2 --hidden 32   a forecaster (docs/forecasting.md)",
            "",
            "The default job sets its own cell, size, window, batch, steps and",
            "schedule (see its config.json); options you give still win.",
            "A config file is JSON (or flat YAML, .yaml/.yml) with the keys of",
            "config.json; the command line wins over it. Ctrl-C stops after the",
            "current step and saves the model."})
final class TrainCommand implements Callable<Integer> {
    private static final TrainConfig D = new TrainConfig();

    /** Settings of the default job (used when no text is given, unless set by --config or the command line). */
    static final Map<String, Object> DEFAULT_JOB = Map.of(
            "cell", "lstm", "hidden", 128, "embedding", 32, "window", 64, "batch", 32, "steps", 2400L,
            "lr", 3e-3, "schedule", "cosine:warmup=50:min=3e-4", "out", "runs/latest");

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--text", paramLabel = "FILE", description = "UTF-8 text to train on (default: generated text).")
    Path text;

    // ---- CSV time series (SeriesTraining; docs/forecasting.md) ----
    @Option(names = "--csv", paramLabel = "FILE", description = "CSV time series to train a forecaster on (with --target).")
    Path csv;

    @Option(names = "--target", paramLabel = "COLUMN", description = "CSV: the column to forecast (numeric).")
    String target;

    @Option(names = "--features", split = ",", paramLabel = "COL", description = "CSV: further input columns (comma-separated).")
    java.util.List<String> features;

    @Option(names = "--categorical", split = ",", paramLabel = "COL", description = "CSV: columns of categories, one-hot encoded (inputs too).")
    java.util.List<String> categorical;

    @Option(names = "--missing", paramLabel = "POLICY", description = "CSV: missing values (NA, empty): error, drop, ffill or interpolate.")
    String missing = "error";

    @Option(names = "--holdout", paramLabel = "F", description = "CSV: keep the last fraction F of the rows out of training; scored at the end.")
    double holdout;

    @Option(names = "--season", paramLabel = "N", description = "CSV: season of the seasonal-naive baseline (default: from dates or autocorrelation).")
    Integer season;
    // ---- end CSV time series ----

    // text tasks (TextTraining): word level, labelled sequences, word order, validation, continuing a model
    @Option(names = "--level", paramLabel = "LEVEL", description = "char or word tokens (word: words and punctuation).")
    String level = D.level;

    @Option(names = "--task", paramLabel = "TASK", description = "lm, classify (with --labels) or word-order (sentences vs reordered copies).")
    String task = D.task;

    @Option(names = "--labels", paramLabel = "FILE", description = "label<TAB>text lines to classify (task classify).")
    Path labels;

    @Option(names = "--vocab-size", paramLabel = "N", description = "Word level: largest vocabulary, <unk> included (0: no cap).")
    int vocabSize = D.vocabSize;

    @Option(names = "--min-count", paramLabel = "N", description = "Word level: fewest occurrences a word needs (else <unk>).")
    int minCount = D.minCount;

    @Option(names = "--lowercase", negatable = true, description = "Word level: lower-case words.")
    boolean lowercase = D.lowercase;

    @Option(names = "--val-fraction", paramLabel = "F", description = "Hold out the tail F of the data for validation.")
    double valFraction = D.valFraction;

    @Option(names = "--val-text", paramLabel = "FILE", description = "Validation data (a text, or labels for classify).")
    Path valText;

    @Option(names = "--eval-every", paramLabel = "N", description = "Steps between validations (0: ten per run); the best model is kept as best.safetensors.")
    int evalEvery = D.evalEvery;

    @Option(names = "--init-model", paramLabel = "FILE", description = "Continue training this model (its architecture and vocabulary).")
    Path initModel;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON or YAML settings; options given here win.")
    Path config;

    @Option(names = "--cell", paramLabel = "CELL", description = "lstm, gru, rnn_tanh or rnn_relu.")
    String cell = D.cell;

    @Option(names = "--layers", paramLabel = "N", description = "Stacked recurrent layers.")
    int layers = D.layers;

    @Option(names = "--hidden", paramLabel = "N", description = "Hidden units per layer.")
    int hidden = D.hidden;

    @Option(names = "--embedding", paramLabel = "N", description = "Character embedding width.")
    int embedding = D.embedding;

    @Option(names = "--learned-h0", negatable = true, description = "Learn the initial state (default: zeros).")
    boolean learnedH0 = D.learnedH0;

    @Option(names = "--forget-bias-one", negatable = true, description = "Start the LSTM forget-gate bias at 1.")
    boolean forgetBiasOne = D.forgetBiasOne;

    @Option(names = "--window", paramLabel = "K", description = "Truncated BPTT window: steps per update.")
    int window = D.window;

    @Option(names = "--batch", paramLabel = "B", description = "Parallel streams the text is cut into.")
    int batch = D.batch;

    @Option(names = "--optimizer", paramLabel = "NAME[:k=v]",
            description = "sgd, momentum, adam, adagrad or rmsprop, with options, e.g. adam:beta2=0.99.")
    String optimizer = D.optimizer;

    @Option(names = "--lr", paramLabel = "X", description = "Learning rate.")
    double lr = D.lr;

    @Option(names = "--schedule", paramLabel = "S",
            description = "constant, step:EVERY:GAMMA or cosine[:warmup=W][:min=MIN].")
    String schedule = D.schedule;

    @Option(names = "--clip-norm", paramLabel = "X", description = "Clip the global gradient norm to X (0: off).")
    double clipNorm = D.clipNorm;

    @Option(names = "--clip-value", paramLabel = "X", description = "Clip each gradient element to +-X (0: off).")
    double clipValue = D.clipValue;

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps.")
    long steps = D.steps;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the initial weights.")
    long seed = D.seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (created; files are replaced).")
    Path out = D.out;

    @Option(names = "--log-every", paramLabel = "N", description = "Steps between progress lines and JSON events.")
    int logEvery = D.logEvery;

    @Option(names = "--quiet", description = "Print only the final summary.")
    boolean quiet;

    @Option(names = "--json-lines", description = "Print progress as one JSON object per line.")
    boolean jsonLines;

    @Option(names = "--debug", description = "Show the stack trace of an error.")
    boolean debug;

    @Option(names = "--workers", paramLabel = "N", description = "[not available yet] Worker verticles (distributed training).")
    int workers = D.workers;

    @Option(names = "--mode", paramLabel = "MODE", description = "[not available yet] sync or async updates (distributed training).")
    String mode = D.mode;

    @Option(names = "--staleness", paramLabel = "N", description = "[not available yet] Largest version lag in async mode.")
    int staleness = D.staleness;

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "[not available yet] Steps between checkpoints (0: none).")
    int checkpointEvery = D.checkpointEvery;

    @Option(names = "--resume", paramLabel = "DIR", description = "[not available yet] Continue a run from its checkpoint.")
    Path resume;

    @Option(names = "--cluster", description = "[not available yet] Train across machines (Hazelcast cluster).")
    boolean cluster;

    @Option(names = "--expect-workers", paramLabel = "N", description = "[not available yet] Workers to wait for in cluster mode.")
    int expectWorkers = D.expectWorkers;

    @Option(names = "--cluster-config", paramLabel = "FILE", description = "[not available yet] Hazelcast configuration.")
    Path clusterConfig;

    @Option(names = "--cluster-name", paramLabel = "NAME", description = "[not available yet] Cluster name.")
    String clusterName;

    @Option(names = "--local-clip-norm", paramLabel = "X", description = "[not available yet] Clip each worker's gradient (0: off).")
    double localClipNorm = D.localClipNorm;

    /** The effective configuration and where its data comes from, after merging and validation. */
    record Plan(TrainConfig config, boolean generated) {
    }

    @Override
    public Integer call() {
        Plan plan = plan();
        TrainConfig c = plan.config();
        if (csv != null || target != null) {
            return new SeriesTraining(this, c).run(); // CSV time series
        }
        if (TextTraining.handles(c)) {
            return new TextTraining(this, c).run(); // word level, labels, word order, validation, --init-model
        }
        Progress.Mode mode = jsonLines ? Progress.Mode.JSON : quiet ? Progress.Mode.QUIET
                : main.context.terminal() ? Progress.Mode.LIVE : Progress.Mode.PLAIN;
        var o = main.context.out();

        String text = plan.generated() ? SyntheticText.standard() : TextFiles.readUtf8(c.text, "text file");
        int chars = text.codePointCount(0, text.length());
        if (chars < 2) {
            throw new UserError("text file " + c.text + " has " + chars + " character; training needs at least "
                    + "2 (and more than --batch x --window)");
        }
        CharVocabulary vocab = CharVocabulary.of(text);
        int[] tokens = vocab.encode(text);
        checkStreams(c, chars, plan.generated() ? "the generated text" : "text file " + c.text);
        ModelSpec modelSpec = ModelSpec.tokens(CellType.parse(c.cell), c.layers, c.hidden, c.embedding,
                vocab.tokens(), Task.LM, vocab.size(), c.learnedH0);
        float[] params = Initializer.initialize(modelSpec, c.seed, c.forgetBiasOne);

        RunDirectory run = RunDirectory.create(c.out);
        String data = plan.generated() ? "generated English-like text (SyntheticText seed "
                + SyntheticText.DEFAULT_SEED + ", " + chars + " characters)" : c.text.toString();
        Map<String, Object> configJson = new LinkedHashMap<>(c.toMap());
        if (c.text != null) {
            configJson.put("text", c.text.toAbsolutePath().normalize().toString()); // reusable from anywhere
        }
        configJson.put("data", data);
        run.writeConfig(configJson);
        if (plan.generated()) {
            run.writeText("held-out.txt", SyntheticText.generate(SyntheticText.DEFAULT_SEED + 1, 20_000));
        }
        String what = describe(modelSpec, params.length);
        String on = plan.generated() ? "generated English-like text (" + String.format(Locale.ROOT, "%,d", chars)
                + " characters, " + vocab.size() + " distinct)"
                : c.text + " (" + String.format(Locale.ROOT, "%,d", chars) + " characters, " + vocab.size()
                + " distinct)";
        if (mode == Progress.Mode.JSON) {
            Map<String, Object> start = new LinkedHashMap<>();
            start.put("event", "start");
            start.put("parameters", params.length);
            start.put("data_chars", chars);
            start.put("vocab", vocab.size());
            start.put("run_dir", c.out.toString());
            start.put("config", configJson);
            o.println(Json.write(start));
        } else if (mode != Progress.Mode.QUIET) {
            o.println("training " + what + " on " + on + ": " + c.steps + " steps of " + c.batch + " streams x "
                    + c.window + " characters, " + c.optimizer + " lr " + c.lr + " (" + c.schedule + ")");
            long unused = (chars - 1) - (long) c.batch * TokenStreams.streamLength(chars, c.batch);
            if (unused > 0) {
                o.println("the last " + unused + " characters fit no stream and are not used");
            }
            o.println("run directory: " + c.out);
        }

        Progress progress = new Progress(o, mode, c.steps, c.logEvery);
        TrainingOutcome outcome;
        StopSignal stop = main.context.stop();
        stop.begin();
        try {
            try (MetricsCsv metrics = run.metrics()) {
                outcome = runTraining(new TrainingJob(c, modelSpec, params, tokens), s -> {
                    metrics.onStep(s);
                    progress.onStep(s);
                }, stop);
            } finally {
                progress.finish();
            }
            Map<String, String> provenance = new LinkedHashMap<>();
            provenance.put("recur_version", Version.number());
            provenance.put("trained_steps", Long.toString(outcome.steps()));
            provenance.put("seed", Long.toString(c.seed));
            provenance.put("data", data);
            provenance.put("data_sha256", sha256(text));
            provenance.put("optimizer", c.optimizer);
            provenance.put("lr", Double.toString(c.lr));
            provenance.put("schedule", c.schedule);
            provenance.put("window", Integer.toString(c.window));
            provenance.put("batch", Integer.toString(c.batch));
            double loss = progress.smoothedLoss();
            if (Double.isFinite(loss)) {
                provenance.put("train_loss", String.format(Locale.ROOT, "%.6f", loss));
            }
            Path model = run.saveModel(modelSpec, outcome.params(), provenance);
            LossPlot.write(c.out); // loss.svg: loss and gradient norm per step, from metrics.csv
            summary(c, plan, what, on, outcome, progress, model);
        } finally {
            stop.finished();
        }
        return 0;
    }

    /**
     * The engine call: the single-process trainer today; recur.dist's verticles for --workers, --cluster
     * and the other distributed options when they land.
     */
    TrainingOutcome runTraining(TrainingJob job, TrainingListener listener, StopSignal stop) {
        return new LocalEngine().train(job, listener, stop);
    }

    private void summary(TrainConfig c, Plan plan, String what, String on, TrainingOutcome outcome,
                         Progress progress, Path model) {
        var o = main.context.out();
        double loss = progress.smoothedLoss();
        double seconds = progress.elapsedSeconds();
        if (jsonLines) {
            Map<String, Object> done = new LinkedHashMap<>();
            done.put("event", "done");
            done.put("steps", outcome.steps());
            done.put("stopped", outcome.stopped());
            done.put("skipped_steps", outcome.skippedSteps());
            done.put("loss", Progress.finite(loss));
            done.put("bits_per_char", Progress.finite(loss / Math.log(2)));
            done.put("tokens", progress.tokens());
            done.put("tokens_per_s", Progress.finite(progress.tokensPerSecond()));
            done.put("elapsed_s", seconds);
            done.put("model", model.toString());
            done.put("run_dir", c.out.toString());
            o.println(Json.write(done));
            return;
        }
        if (outcome.stopped()) {
            o.println("stopped at step " + outcome.steps() + " of " + c.steps + " (interrupted); the model of step "
                    + outcome.steps() + " is saved");
        }
        o.println("trained " + what + " for " + outcome.steps() + " steps on " + on + " in "
                + Progress.duration(seconds) + (c.workers == 1 ? " (one process)" : ""));
        o.println(String.format(Locale.ROOT, "final training loss %.4f nats/char (%.3f bits/char, smoothed), %s tokens/s",
                loss, loss / Math.log(2), Progress.compact(progress.tokensPerSecond())));
        if (outcome.skippedSteps() > 0) {
            o.println(outcome.skippedSteps() + " steps had a non-finite gradient and were skipped; "
                    + "try a lower --lr or --clip-norm");
        }
        o.println("model: " + model + " (settings in " + c.out.resolve("config.json") + ", per-step metrics in "
                + c.out.resolve("metrics.csv") + ")");
        o.println("next: scripts/recur sample --model " + model + " --prime \"The \"");
        if (plan.generated()) {
            o.println("      scripts/recur eval --model " + model + " --text " + c.out.resolve("held-out.txt"));
        } else {
            o.println("      scripts/recur eval --model " + model + " --text " + c.text
                    + "   (or better, a text it has not seen)");
        }
    }

    // ------------------------------------------------------------------------------------ settings

    /** Merges defaults, the default job, --config and the command line, and checks the result. */
    Plan plan() {
        TrainConfig c = new TrainConfig();
        Set<String> explicit = new HashSet<>();
        if (config != null) {
            explicit.addAll(ConfigFile.apply(config, c));
        }
        Map<String, OptionSpec> given = new LinkedHashMap<>();
        for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
            String key = option.longestName().substring(2).replace('-', '_');
            if (TrainSettings.keys().contains(key)) {
                given.put(key, option);
            }
        }
        for (Map.Entry<String, OptionSpec> e : given.entrySet()) {
            TrainSettings.set(c, e.getKey(), e.getValue().getValue(), e.getValue().longestName());
            explicit.add(e.getKey());
        }
        boolean generated = c.text == null && c.labels == null && csv == null;
        if (generated) {
            for (Map.Entry<String, Object> e : DEFAULT_JOB.entrySet()) {
                if (!explicit.contains(e.getKey())) {
                    TrainSettings.set(c, e.getKey(), e.getValue(), "default job");
                }
            }
        }
        validate(c);
        return new Plan(c, generated);
    }

    private static void validate(TrainConfig c) {
        distributedNotYet(c);
        atLeast("--layers", c.layers, 1);
        atLeast("--hidden", c.hidden, 1);
        atLeast("--embedding", c.embedding, 1);
        atLeast("--window", c.window, 1);
        atLeast("--batch", c.batch, 1);
        atLeast("--steps", c.steps, 1);
        atLeast("--log-every", c.logEvery, 1);
        if (!(c.lr > 0) || !Double.isFinite(c.lr)) {
            throw new UserError("--lr must be a positive number, got " + c.lr);
        }
        if (!(c.clipNorm >= 0) || !(c.clipValue >= 0)) {
            throw new UserError("--clip-norm and --clip-value must be >= 0 (0 turns clipping off), got "
                    + c.clipNorm + " and " + c.clipValue);
        }
        try {
            CellType.parse(c.cell);
        } catch (IllegalArgumentException e) {
            throw new UserError("--cell: " + e.getMessage());
        }
        try {
            Optimizers.parse(c.optimizer, 1);
        } catch (IllegalArgumentException e) {
            throw new UserError("--optimizer: " + e.getMessage());
        }
        try {
            LearningRateSchedule.parse(c.schedule, c.lr, c.steps);
        } catch (IllegalArgumentException e) {
            throw new UserError("--schedule: " + e.getMessage());
        }
        if (c.out == null) {
            throw new UserError("--out must name a directory");
        }
    }

    private static void distributedNotYet(TrainConfig c) {
        TrainConfig d = new TrainConfig();
        String option = c.workers != d.workers ? "--workers " + c.workers
                : !c.mode.equals(d.mode) ? "--mode " + c.mode
                : c.staleness != d.staleness ? "--staleness " + c.staleness
                : c.checkpointEvery != d.checkpointEvery ? "--checkpoint-every " + c.checkpointEvery
                : c.resume != null ? "--resume " + c.resume
                : c.cluster ? "--cluster"
                : c.expectWorkers != d.expectWorkers ? "--expect-workers " + c.expectWorkers
                : c.clusterConfig != null ? "--cluster-config " + c.clusterConfig
                : c.clusterName != null ? "--cluster-name " + c.clusterName
                : c.localClipNorm != d.localClipNorm ? "--local-clip-norm " + c.localClipNorm
                : null;
        if (option != null) {
            throw new UserError(option + " is not available yet: distributed training is still being built; "
                    + "leave it out to train in one process");
        }
    }

    private static void atLeast(String option, long value, long min) {
        if (value < min) {
            throw new UserError(option + " must be at least " + min + ", got " + value);
        }
    }

    /** The data must give every stream at least one full window. */
    static void checkStreams(TrainConfig c, long chars, String source) {
        long pairs = chars - 1;
        if (pairs < c.batch) {
            throw new UserError(source + " has " + chars + " characters: too few for --batch " + c.batch
                    + " streams (each needs at least 2); use --batch " + Math.max(1, pairs) + " or less, or more text");
        }
        long length = TokenStreams.streamLength(chars, c.batch);
        if (c.window > length) {
            throw new UserError("--window " + c.window + " is longer than each stream: " + source + " has " + chars
                    + " characters, cut into " + c.batch + " streams of " + length + "; use --window " + length
                    + " or less, a smaller --batch, or more text");
        }
    }

    static String describe(ModelSpec s, int parameters) {
        String article = s.cell() == CellType.GRU ? "a" : "an"; // an LSTM, an RNN
        return String.format(Locale.ROOT, article + " %s (%d layer%s, hidden %d, embedding %d, %,d parameters)", s.cell().id.toUpperCase(Locale.ROOT),
                s.layers(), s.layers() > 1 ? "s" : "", s.hidden(), s.embedding(), parameters);
    }

    private static String sha256(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
