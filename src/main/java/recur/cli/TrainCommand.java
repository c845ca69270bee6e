package recur.cli;

import java.nio.file.Path;
import java.util.HashSet;
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
import recur.dist.TensorTransport;
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
 * default job's settings (no data only), then the resumed run's config.json ({@code --resume}), then
 * {@code --config}, then the command line. Trains through recur.dist's verticles ({@link DistEngine}),
 * which write {@code model.safetensors}, {@code config.json}, {@code metrics.csv} and
 * {@code checkpoint.pb} to {@code --out}.
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
            "  recur train --text book.txt --workers 4 --batch 8 --checkpoint-every 500",
            "  recur train --resume runs/book --steps 8000  go on from its checkpoint",
            "  recur train --cluster --expect-workers 2 --text book.txt   (then 'recur worker --cluster' twice)",
            "",
            "The default job sets its own cell, size, window, batch, steps and",
            "schedule (see its config.json); options you give still win.",
            "A config file is JSON (or flat YAML, .yaml/.yml) with the keys of",
            "config.json; the command line wins over it. Training runs as a",
            "parameter server and --workers worker verticles (one per core by",
            "default), each with --batch streams. Ctrl-C stops after the current",
            "step and saves the model and a checkpoint to --resume from."})
final class TrainCommand implements Callable<Integer> {
    private static final TrainConfig D = new TrainConfig();

    /** Settings of the default job (used when no text is given, unless set by --config or the command line). */
    static final Map<String, Object> DEFAULT_JOB = Map.of(
            "cell", "lstm", "hidden", 128, "embedding", 32, "window", 64, "batch", 32, "steps", 4000L,
            "lr", 3e-3, "schedule", "cosine:warmup=50:min=3e-4", "out", "runs/latest");

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--text", paramLabel = "FILE", description = "UTF-8 text to train on (default: generated text).")
    Path text;

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
    String missing = D.missing;

    @Option(names = "--holdout", paramLabel = "F", description = "CSV: keep the last fraction F of the rows out of training; scored at the end.")
    double holdout = D.holdout;

    @Option(names = "--season", paramLabel = "N", description = "CSV: season of the seasonal-naive baseline (default: from dates or autocorrelation).")
    Integer season;
    // ---- end CSV time series ----

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

    @Option(names = "--workers", paramLabel = "N", showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER,
            description = "Worker verticles in this process, each with --batch streams (default: one per core, "
                    + "fewer when the data is too short).")
    int workers = D.workers;

    @Option(names = "--mode", paramLabel = "MODE", description = "sync (every worker each step) or async updates.")
    String mode = D.mode;

    @Option(names = "--staleness", paramLabel = "N", description = "Async: reject gradients more than N versions old.")
    int staleness = D.staleness;

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "Steps between checkpoints (0: only at the end).")
    int checkpointEvery = D.checkpointEvery;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its checkpoint (its settings; options given here win).")
    Path resume;

    @Option(names = "--cluster", description = "Be the parameter server of a cluster; 'recur worker' processes do the work.")
    boolean cluster;

    @Option(names = "--expect-workers", paramLabel = "N", description = "Cluster: workers to wait for (the data is cut into N shards).")
    int expectWorkers = D.expectWorkers;

    @Option(names = "--cluster-config", paramLabel = "FILE", description = "Cluster: Hazelcast configuration (default: built in, 127.0.0.1 only).")
    Path clusterConfig;

    @Option(names = "--cluster-name", paramLabel = "NAME", description = "Cluster: name shared by the server and its workers (default: recur).")
    String clusterName;

    @Option(names = "--cluster-host", paramLabel = "HOST", description = "Cluster: address of this process's event bus.")
    String clusterHost = "127.0.0.1";

    @Option(names = "--cluster-port", paramLabel = "PORT", description = "Cluster: event-bus port (0: any free port).")
    int clusterPort;

    @Option(names = "--tensor-transport", paramLabel = "T", description = "Cluster: how gradients and weights travel: "
            + "tcp (a connection per worker, on --cluster-host; default) or bus (the event bus, like everything else; "
            + "what the network emulator sees). A sharded server (--ps-shards K > 1) uses the bus.")
    String tensorTransport;

    @Option(names = "--tensor-port", paramLabel = "PORT", description = "Cluster, tensor transport tcp: the port workers "
            + "connect to (0: any free port).")
    int tensorPort;

    @Option(names = "--local-clip-norm", paramLabel = "X", description = "Clip each worker's gradient before it is sent (0: off).")
    double localClipNorm = D.localClipNorm;

    @Option(names = "--ps-shards", paramLabel = "K", description = "Split the parameters over K parameter-server shards (sync mode).")
    int psShards = D.psShards;

    @Option(names = "--ps-shard-nodes", description = "Cluster, --ps-shards K: shards 1..K-1 are 'recur ps-shard --cluster' "
            + "processes (their own nodes), not threads of this process.")
    boolean psShardNodes = D.psShardNodes;

    @Option(names = "--ps-shard-wait", paramLabel = "SECONDS", description = "Cluster, --ps-shard-nodes: give up when "
            + "the K-1 shard nodes have not all joined after SECONDS.")
    int psShardWait = D.psShardWait;

    @Option(names = "--wire", paramLabel = "FMT", description = "Gradients and weights on the wire: f32 (default) or bf16 (half the bytes).")
    String wire = D.wire;

    /** The effective configuration and where its data comes from, after merging and validation. */
    record Plan(TrainConfig config, boolean generated) {
    }

    @Override
    public Integer call() {
        Plan plan = plan();
        TrainConfig c = plan.config();
        if (c.csv != null || c.target != null) {
            return new SeriesTraining(this, c).run(); // CSV time series
        }
        if (TextTraining.handles(c)) {
            return new TextTraining(this, c).run(); // word level, labels, word order, validation, --init-model
        }
        Progress.Mode mode = jsonLines ? Progress.Mode.JSON : quiet ? Progress.Mode.QUIET
                : main.context.terminal() ? Progress.Mode.LIVE : Progress.Mode.PLAIN;
        var o = main.context.out();

        // A file is memory-mapped and read in two passes (vocabulary, then ids), never held as a String.
        CharText text = plan.generated() ? CharText.of(SyntheticText.standard()) : CharText.map(c.text, "text file");
        int chars = text.tokens().length;
        if (chars < 2) {
            throw new UserError("text file " + c.text + " has " + chars + " character; training needs at least "
                    + "2 (and more than --batch x --window)");
        }
        CharVocabulary vocab = text.vocab();
        int[] tokens = text.tokens();
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
            o.println("training " + what + " on " + on + ": " + c.steps + " steps of " + streams(c) + " x "
                    + c.window + " characters, " + c.optimizer + " lr " + c.lr + " (" + c.schedule + ")");
            int total = c.batch * (c.cluster ? c.expectWorkers : c.workers);
            long unused = (chars - 1) - (long) total * TokenStreams.streamLength(chars, total);
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
            Map<String, String> provenance = new LinkedHashMap<>(); // the engine adds trained_steps and train_loss
            provenance.put("recur_version", Version.number());
            provenance.put("seed", Long.toString(c.seed));
            provenance.put("data", data);
            provenance.put("data_sha256", text.sha256());
            provenance.put("optimizer", c.optimizer);
            provenance.put("lr", Double.toString(c.lr));
            provenance.put("schedule", c.schedule);
            provenance.put("window", Integer.toString(c.window));
            provenance.put("batch", Integer.toString(c.batch));
            provenance.put("workers", Integer.toString(c.cluster ? c.expectWorkers : c.workers));
            try {
                outcome = runTraining(new TrainingJob(c, modelSpec, params, tokens), configJson, provenance,
                        progress::onStep, stop);
            } finally {
                progress.finish();
            }
            Path model = c.out.resolve(RunDirectory.MODEL);
            LossPlot.write(c.out); // loss.svg: loss and gradient norm per step, from metrics.csv
            summary(c, plan, what, on, outcome, progress, model);
        } finally {
            stop.finished();
        }
        return 0;
    }

    /**
     * The engine call: recur.dist's verticles ({@link DistEngine}), in this process or, with --cluster, as
     * the parameter server of a cluster. The engine writes config.json (the settings plus
     * {@code configJson}'s keys), metrics.csv, model.safetensors (with {@code provenance} in its
     * metadata) and checkpoint.pb to the run directory; callers write none of them. {@code job.params()}
     * holds the latest weights whenever the listener is called.
     */
    TrainingOutcome runTraining(TrainingJob job, Map<String, Object> configJson, Map<String, String> provenance,
                                TrainingListener listener, StopSignal stop) {
        TrainConfig c = job.config();
        checkResume(c);
        Map<String, Object> notes = new LinkedHashMap<>(configJson);
        notes.remove("resume"); // passing this config.json back with --config starts afresh
        if (c.resume != null) {
            notes.put("resumed_from", c.resume.toAbsolutePath().normalize().toString());
        }
        DistEngine.Cluster cluster = null;
        if (c.cluster) {
            cluster = new DistEngine.Cluster(c.clusterConfig, c.clusterName, clusterHost, clusterPort,
                    c.psShards > 1 ? TensorTransport.BUS : transport(), tensorPort);
            if (!jsonLines && !quiet) {
                main.context.out().println("waiting for " + c.expectWorkers + " worker" + (c.expectWorkers > 1 ? "s" : "")
                        + " on cluster " + (c.clusterName != null ? c.clusterName : "recur") + ": start them with "
                        + "'scripts/recur worker --cluster" + (c.clusterName != null ? " --cluster-name " + c.clusterName : "")
                        + (c.clusterConfig != null ? " --cluster-config " + c.clusterConfig : "") + "'");
                if (c.psShardNodes) {
                    main.context.out().println("and first for " + (c.psShards - 1) + " parameter shard node"
                            + (c.psShards > 2 ? "s" : "") + " (up to " + c.psShardWait + " s): start them with "
                            + "'scripts/recur ps-shard --cluster" + (c.clusterName != null ? " --cluster-name "
                            + c.clusterName : "") + (c.clusterConfig != null ? " --cluster-config " + c.clusterConfig
                            : "") + "'");
                }
            }
        }
        return DistEngine.train(job, notes, provenance, cluster, listener, stop);
    }

    /** --resume DIR: its checkpoint must exist, fit this run and be short of --steps. */
    private static void checkResume(TrainConfig c) {
        if (c.resume == null) {
            return;
        }
        recur.wire.proto.Checkpoint k = recur.dist.Checkpoints.read(c.resume);
        int shards = c.cluster ? c.expectWorkers : c.workers;
        if (k.getStreamsPerShard() != c.batch || k.getTotalStreams() != (long) shards * c.batch
                || k.getWindow() != c.window) {
            throw new UserError("--resume " + c.resume + ": its checkpoint has " + k.getTotalStreams() / Math.max(1, k.getStreamsPerShard())
                    + " workers x " + k.getStreamsPerShard() + " streams x window " + k.getWindow() + ", this run "
                    + shards + " x " + c.batch + " x " + c.window + "; leave out the options that change them");
        }
        if (k.getVersion() >= c.steps) {
            throw new UserError("--resume " + c.resume + ": the run is already at step " + k.getVersion() + " of "
                    + c.steps + "; give a larger --steps to train further");
        }
    }

    /** What a stopped run says: where it stopped, what is saved, how to go on. */
    static String stopped(TrainConfig c, TrainingOutcome outcome) {
        return "stopped at step " + outcome.steps() + " of " + c.steps + " (interrupted); the model and a checkpoint of "
                + "step " + outcome.steps() + " are saved; continue with: " + resumeCommand(c);
    }

    static String resumeCommand(TrainConfig c) {
        return "scripts/recur train --resume " + c.out;
    }

    /** "2 workers, sync" or "cluster of 3 workers, async (staleness 2)". */
    static String how(TrainConfig c) {
        int n = c.cluster ? c.expectWorkers : c.workers;
        return (c.cluster ? "cluster of " : "") + n + " worker" + (n > 1 ? "s" : "") + ", " + c.mode
                + (c.mode.equals("async") ? " (staleness " + c.staleness + ")" : "");
    }

    static String streams(TrainConfig c) {
        int n = c.cluster ? c.expectWorkers : c.workers;
        return n + (c.cluster ? " cluster" : "") + " worker" + (n > 1 ? "s" : "") + " x " + c.batch + " streams";
    }

    private void summary(TrainConfig c, Plan plan, String what, String on, TrainingOutcome outcome,
                         Progress progress, Path model) {
        var o = main.context.out();
        double loss = progress.smoothedLoss();
        double seconds = progress.elapsedSeconds();
        if (jsonLines) {
            Map<String, Object> done = outcome.doneEvent(loss);
            done.put("bits_per_char", Progress.finite(loss / Math.log(2)));
            done.put("tokens", progress.tokens());
            done.put("tokens_per_s", Progress.finite(progress.tokensPerSecond()));
            done.put("elapsed_s", seconds);
            done.put("model", model.toString());
            done.put("run_dir", c.out.toString());
            if (outcome.stopped()) {
                done.put("resume", resumeCommand(c));
            }
            o.println(Json.write(done));
            return;
        }
        if (outcome.stopped()) {
            o.println(stopped(c, outcome));
        }
        o.println("trained " + what + " for " + outcome.steps() + " steps on " + on + " in "
                + Progress.duration(seconds) + " (" + how(c) + ")");
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
        if (resume != null) { // the run's own settings come first, and it goes on in its own directory
            Path runConfig = resume.resolve("config.json");
            if (!java.nio.file.Files.isRegularFile(runConfig)) {
                throw new UserError("--resume " + resume + ": no config.json there; give the run directory of an "
                        + "earlier 'recur train' (the --out it wrote to)");
            }
            explicit.addAll(ConfigFile.apply(runConfig, c));
            c.out = resume;
            explicit.add("out");
        }
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
        boolean generated = c.text == null && c.labels == null && c.csv == null;
        if (generated) {
            for (Map.Entry<String, Object> e : DEFAULT_JOB.entrySet()) {
                if (!explicit.contains(e.getKey())) {
                    TrainSettings.set(c, e.getKey(), e.getValue(), "default job");
                }
            }
        }
        validate(c);
        checkDistributed(c, explicit);
        return new Plan(c, generated);
    }

    private static void validate(TrainConfig c) {
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

    /**
     * The distributed options: local mode (--workers, unless given: 0, resolved by {@link #checkStreams}
     * to one worker per core as far as the data allows) or cluster mode (--cluster --expect-workers).
     */
    private void checkDistributed(TrainConfig c, Set<String> explicit) {
        if (!c.mode.equals("sync") && !c.mode.equals("async")) {
            throw new UserError("--mode must be sync or async, got '" + c.mode + "'"
                    + TrainSettings.suggest(c.mode, java.util.List.of("sync", "async")));
        }
        atLeast("--staleness", c.staleness, 0);
        if (c.staleness > 0 && c.mode.equals("sync")) {
            throw new UserError("--staleness " + c.staleness + " needs --mode async (in sync mode every gradient is "
                    + "computed on the current weights, so none is stale)");
        }
        atLeast("--checkpoint-every", c.checkpointEvery, 0);
        atLeast("--ps-shards", c.psShards, 1);
        if (!c.wire.equals("f32") && !c.wire.equals("bf16")) {
            throw new UserError("--wire must be f32 or bf16, got '" + c.wire + "'");
        }
        if (c.psShards > 1 && (!c.mode.equals("sync") || c.checkpointEvery > 0 || c.resume != null)) {
            throw new UserError("--ps-shards " + c.psShards + " works in --mode sync without --checkpoint-every and "
                    + "--resume for now");
        }
        atLeast("--ps-shard-wait", c.psShardWait, 1);
        if (c.psShardNodes && (!c.cluster || c.psShards < 2)) {
            throw new UserError("--ps-shard-nodes puts parameter shards 1..K-1 on their own cluster nodes: it needs "
                    + "--cluster and --ps-shards K (K >= 2)");
        }
        if (!(c.localClipNorm >= 0) || !Double.isFinite(c.localClipNorm)) {
            throw new UserError("--local-clip-norm must be >= 0 (0 turns it off), got " + c.localClipNorm);
        }
        var parsed = spec.commandLine().getParseResult();
        if (c.cluster) {
            if (c.expectWorkers < 1) {
                throw new UserError("--cluster needs --expect-workers N (N >= 1): the number of 'recur worker' "
                        + "processes to wait for");
            }
            if (c.workers != D.workers) {
                throw new UserError("--workers " + c.workers + " is for one process; with --cluster every 'recur worker' "
                        + "process is one worker (--expect-workers N)");
            }
            if (clusterPort < 0 || clusterPort > 65535) {
                throw new UserError("--cluster-port must be between 0 (any free port) and 65535, got " + clusterPort);
            }
            if (tensorPort < 0 || tensorPort > 65535) {
                throw new UserError("--tensor-port must be between 0 (any free port) and 65535, got " + tensorPort);
            }
            TensorTransport t = transport();
            if (c.psShards > 1 && t == TensorTransport.TCP && tensorTransport != null) {
                throw new UserError("--tensor-transport tcp is for one parameter server: a sharded server (--ps-shards "
                        + c.psShards + ") sends its slices on the event bus (leave the option out)");
            }
            if (t == TensorTransport.BUS && parsed.hasMatchedOption("--tensor-port")) {
                throw new UserError("--tensor-port is for --tensor-transport tcp");
            }
            DistEngine.checkClusterConfig(c.clusterConfig, "--cluster-config");
            return;
        }
        for (String option : java.util.List.of("--expect-workers", "--cluster-config", "--cluster-name", "--cluster-host",
                "--cluster-port", "--tensor-transport", "--tensor-port")) {
            if (parsed.hasMatchedOption(option)) {
                throw new UserError(option + " is for cluster mode: add --cluster (or leave it out to train in this "
                        + "process with --workers N)");
            }
        }
        if (explicit.contains("workers")) {
            atLeast("--workers", c.workers, 1);
        } else {
            c.workers = 0; // one per core, as far as the data allows: resolved when its size is known
        }
    }

    private static void atLeast(String option, long value, long min) {
        if (value < min) {
            throw new UserError(option + " must be at least " + min + ", got " + value);
        }
    }

    /**
     * The data must give every stream at least one full window, for all workers' streams; resolves the
     * default worker count (0) to one per core, at most as many as the data supports.
     */
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
        // Every worker (shard) has --batch streams, each of at least one window.
        long fit = DistEngine.shardsThatFit(c, chars);
        int shards = resolveShards(c, fit);
        if (shards > fit) {
            String option = shardOption(c);
            throw new UserError(option + shards + " needs " + shards + " x " + c.batch + " streams of at least "
                    + c.window + " tokens, but " + source + " has " + chars + ": use " + option + fit
                    + " or less, a smaller --batch or --window, or more data");
        }
    }

    /**
     * Resolves the default worker count (0: one per core, at most {@code fit} workers the data can feed)
     * and returns the number of shards the data is cut into: the workers, or the expected cluster workers.
     */
    static int resolveShards(TrainConfig c, long fit) {
        if (!c.cluster && c.workers == 0) {
            c.workers = (int) Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), fit));
        }
        return c.cluster ? c.expectWorkers : c.workers;
    }

    /** The option that sets the shard count, for error messages. */
    static String shardOption(TrainConfig c) {
        return c.cluster ? "--expect-workers " : "--workers ";
    }

    static String describe(ModelSpec s, int parameters) {
        String article = s.cell() == CellType.GRU ? "a" : "an"; // an LSTM, an RNN
        return String.format(Locale.ROOT, article + " %s (%d layer%s, hidden %d, embedding %d, %,d parameters)", s.cell().id.toUpperCase(Locale.ROOT),
                s.layers(), s.layers() > 1 ? "s" : "", s.hidden(), s.embedding(), parameters);
    }

    /** --tensor-transport, checked: tcp unless given. */
    private TensorTransport transport() {
        if (tensorTransport == null) {
            return TensorTransport.TCP;
        }
        try {
            return TensorTransport.parse(tensorTransport);
        } catch (IllegalArgumentException e) {
            throw new UserError("--tensor-transport must be tcp or bus, got '" + tensorTransport + "'");
        }
    }
}
