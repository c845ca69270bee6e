package recur.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import recur.data.CharVocabulary;
import recur.data.LabelledSequences;
import recur.data.LabelledSequences.Example;
import recur.data.LabelledSequences.Sequence;
import recur.data.MappedText;
import recur.data.TokenStreams;
import recur.data.ValidationSplit;
import recur.data.WordOrderPairs;
import recur.data.WordTokenizer;
import recur.data.WordVocabulary;
import recur.dist.ShardData;
import recur.io.Json;
import recur.io.ModelFile;
import recur.model.CellType;
import recur.model.Initializer;
import recur.model.ModelSpec;
import recur.model.Task;
import recur.train.TrainConfig;

/**
 * {@code recur train} on files: a character or word language model on a text ({@code --text}, read
 * through a memory map), a classifier on {@code label<TAB>text} lines ({@code --labels}), or the
 * word-order classifier ({@code --task word-order}: the sentences of a text against reordered copies).
 * Optionally holds out validation data ({@code --val-fraction}, {@code --val-text}), evaluates it every
 * {@code --eval-every} steps and keeps the best model as {@code best.safetensors}; and optionally
 * continues a model ({@code --init-model}), whose architecture and vocabulary then win.
 *
 * <p>Model metadata added here: {@code tokenizer} ({@code char} or {@code word}), {@code lowercase},
 * {@code labels} (JSON array, class i = labels[i]) and {@code job} ({@code word-order}).
 */
final class TextTraining {
    private final TrainCommand command;
    private final TrainConfig c;

    TextTraining(TrainCommand command, TrainConfig c) {
        this.command = command;
        this.c = c;
    }

    /** Everything the data gives the run: vocabulary, training and validation data, what to call it. */
    private static final class Data {
        boolean word;
        boolean lowercase;
        Task task;
        String job;                     // null, or "word-order"
        List<String> vocab;
        List<String> labels = List.of();
        int[] trainTokens;              // lm
        int[] valTokens;                // lm, may be null
        List<Sequence> trainSeqs;       // classify
        List<Sequence> valSeqs;         // classify, may be null
        int maxLength;                  // classify: longest sequence
        String sha256;
        String description;             // "FILE (N words, V in the vocabulary)"
        String unit;                    // char, word, sequence
    }

    /** Runs that need this class: anything beyond a plain character language model on --text. */
    static boolean handles(TrainConfig c) {
        return c.labels != null || !c.level.equals("char") || !c.task.equals("lm") || c.valFraction != 0
                || c.valText != null || c.initModel != null;
    }

    int run() {
        checkSettings();
        ModelFile.LoadedModel init = c.initModel == null ? null : loadInit(c.initModel);
        Data d = prepare(init);
        var o = command.main.context.out();
        Progress.Mode mode = command.jsonLines ? Progress.Mode.JSON : command.quiet ? Progress.Mode.QUIET
                : command.main.context.terminal() ? Progress.Mode.LIVE : Progress.Mode.PLAIN;

        ModelSpec spec;
        float[] params;
        if (init != null) {
            spec = init.spec();
            params = init.params().clone();
        } else {
            CellType cell = CellType.parse(c.cell);
            int output = d.task == Task.LM ? d.vocab.size() : d.labels.size();
            try {
                spec = ModelSpec.tokens(cell, c.layers, c.hidden, c.embedding, d.vocab, d.task, output, c.learnedH0);
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
            params = Initializer.initialize(spec, c.seed, c.forgetBiasOne);
        }
        String source = c.text != null ? "text file " + c.text : "labels file " + c.labels;
        if (d.task == Task.LM) {
            TrainCommand.checkStreams(c, d.trainTokens.length, source);
        } else {
            checkShards(d.trainSeqs.size(), source);
        }

        RunDirectory.create(c.out);
        Map<String, Object> configJson = new LinkedHashMap<>(c.toMap());
        for (String key : List.of("text", "labels", "val_text", "init_model")) {
            Object v = configJson.get(key);
            if (v != null) {
                configJson.put(key, Path.of(v.toString()).toAbsolutePath().normalize().toString());
            }
        }
        configJson.put("data", d.description);

        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("tokenizer", d.word ? "word" : "char");
        if (d.word) {
            meta.put("lowercase", Boolean.toString(d.lowercase));
        }
        if (d.task == Task.CLASSIFY) {
            meta.put("labels", Json.write(d.labels));
        }
        if (d.job != null) {
            meta.put("job", d.job);
        }
        String what = TrainCommand.describe(spec, params.length);
        if (mode == Progress.Mode.JSON) {
            Map<String, Object> start = new LinkedHashMap<>();
            start.put("event", "start");
            start.put("parameters", params.length);
            start.put("data", d.description);
            start.put("vocab", spec.vocabSize());
            start.put("run_dir", c.out.toString());
            start.put("config", configJson);
            o.println(Json.write(start));
        } else if (mode != Progress.Mode.QUIET) {
            o.println("training " + what + (init != null ? " (continuing " + c.initModel + ")" : "") + " on "
                    + d.description + ": " + c.steps + " steps of " + c.batch + " streams"
                    + (d.task == Task.LM ? " x " + c.window + " " + d.unit + "s" : " (whole sequences, bucketed by length)")
                    + ", " + c.optimizer + " lr " + c.lr + " (" + c.schedule + ")");
            o.println("run directory: " + c.out);
        }

        Validation validation = validation(d, spec);
        Progress progress = new Progress(o, mode, c.steps, c.logEvery);
        long every = c.evalEvery > 0 ? c.evalEvery : Math.max(1, c.steps / 10);
        Map<String, String> provenance = new LinkedHashMap<>(meta);
        provenance.put("recur_version", Version.number());
        provenance.put("seed", Long.toString(c.seed));
        provenance.put("data", d.description);
        provenance.put("data_sha256", d.sha256);
        provenance.put("optimizer", c.optimizer);
        provenance.put("lr", Double.toString(c.lr));
        provenance.put("schedule", c.schedule);
        provenance.put("window", Integer.toString(c.window));
        provenance.put("batch", Integer.toString(c.batch));
        if (init != null) {
            provenance.put("init_model", c.initModel.toString());
        }
        StopSignal stop = command.main.context.stop();
        stop.begin();
        TrainingOutcome outcome;
        try {
            // Every task trains through the engine, which writes config.json, metrics.csv, the model and a
            // checkpoint; params holds the latest weights whenever the listener is called.
            try {
                TrainingListener listener = s -> {
                    if (validation != null && s.step() % every == 0) {
                        validation.check(s.step(), params, provenance, mode);
                        progress.validation(validation.last());
                    }
                    progress.onStep(s);
                };
                ShardData data = d.task == Task.LM ? new ShardData.Tokens(d.trainTokens)
                        : new ShardData.Labelled(d.trainSeqs, c.seed);
                outcome = command.runTraining(new TrainingJob(c, spec, params, data), configJson,
                        new LinkedHashMap<>(provenance), listener, stop);
            } finally {
                progress.finish();
            }
            if (validation != null && outcome.steps() % every != 0) {
                validation.check(outcome.steps(), outcome.params(), provenance, mode);
            }
            provenance.put("trained_steps", Long.toString(outcome.steps()));
            double loss = progress.smoothedLoss();
            if (Double.isFinite(loss)) {
                provenance.put("train_loss", String.format(Locale.ROOT, "%.6f", loss));
            }
            Path model = c.out.resolve(RunDirectory.MODEL);
            LossPlot.write(c.out); // loss.svg: loss and gradient norm per step, from metrics.csv
            summary(d, what, outcome, progress, model, validation);
        } finally {
            stop.finished();
        }
        return 0;
    }

    private void checkSettings() {
        if (!c.level.equals("char") && !c.level.equals("word")) {
            throw new UserError("--level must be char or word, got '" + c.level + "'");
        }
        if (!List.of("lm", "classify", "word-order").contains(c.task)) {
            throw new UserError("--task must be lm, classify or word-order, got '" + c.task + "'"
                    + TrainSettings.suggest(c.task, List.of("lm", "classify", "word-order")));
        }
        if (c.labels != null && c.text != null) {
            throw new UserError("give --text (a language model or word order) or --labels (a classifier), not both");
        }
        if (c.task.equals("classify") && c.labels == null) {
            throw new UserError("--task classify needs --labels FILE (label<TAB>text lines)");
        }
        if (c.task.equals("word-order") && c.text == null) {
            throw new UserError("--task word-order needs --text FILE (an English text; its sentences are the natural examples)");
        }
        if (c.valFraction != 0 && !(c.valFraction > 0 && c.valFraction < 1)) {
            throw new UserError("--val-fraction must be between 0 and 1 (exclusive), got " + c.valFraction);
        }
        if (c.valFraction > 0 && c.valText != null) {
            throw new UserError("give --val-fraction or --val-text, not both");
        }
        if (c.evalEvery < 0) {
            throw new UserError("--eval-every must be at least 0 (0: ten times per run), got " + c.evalEvery);
        }
        if (c.vocabSize != 0 && c.vocabSize < 2) {
            throw new UserError("--vocab-size must be 0 (no cap) or at least 2 (<unk> and one word), got " + c.vocabSize);
        }
        if (c.minCount < 1) {
            throw new UserError("--min-count must be at least 1, got " + c.minCount);
        }
    }

    private static ModelFile.LoadedModel loadInit(Path path) {
        TextFiles.requireReadable(path, "--init-model");
        ModelFile.LoadedModel m = ModelFile.load(path);
        if (!m.spec().tokenInput() || m.spec().task() == Task.REGRESSION) {
            throw new UserError("--init-model " + path + " is a " + m.spec().task() + " model with "
                    + (m.spec().tokenInput() ? "token" : "real-valued") + " input; continue a text model instead");
        }
        return m;
    }

    // ------------------------------------------------------------------------------------ data

    private Data prepare(ModelFile.LoadedModel init) {
        Data d = new Data();
        boolean wordOrder = c.task.equals("word-order");
        d.task = c.labels != null || wordOrder ? Task.CLASSIFY : Task.LM;
        d.job = wordOrder ? "word-order" : null;
        d.word = c.level.equals("word") || wordOrder;
        d.lowercase = c.lowercase;
        if (init != null) {
            Map<String, String> m = init.metadata();
            boolean initWord = "word".equals(m.get("tokenizer"));
            if (init.spec().task() != d.task || initWord != d.word || !java.util.Objects.equals(m.get("job"), d.job)) {
                throw new UserError("--init-model " + c.initModel + " is a " + (initWord ? "word" : "character")
                        + "-level " + (m.get("job") != null ? m.get("job") : init.spec().task().id) + " model; this run is "
                        + (d.word ? "word" : "character") + "-level " + (d.job != null ? d.job : d.task.id)
                        + " (set --level/--task to match the model)");
            }
            d.lowercase = !"false".equals(m.get("lowercase"));
            d.vocab = init.spec().vocab();
            if (d.task == Task.CLASSIFY) {
                d.labels = labelsOf(m, c.initModel);
            }
        }
        if (d.task == Task.LM) {
            languageModelData(d);
        } else if (wordOrder) {
            wordOrderData(d);
        } else {
            labelledData(d);
        }
        return d;
    }

    private void languageModelData(Data d) {
        TextFiles.requireReadable(c.text, "text file");
        MappedText text = new MappedText(c.text, "text file");
        if (d.word) {
            d.unit = "word";
            if (d.vocab == null) {
                Map<String, Long> counts = new HashMap<>();
                text.tokenize(new WordTokenizer(d.lowercase, t -> counts.merge(t, 1L, Long::sum)));
                d.vocab = WordVocabulary.build(counts, c.vocabSize, c.minCount).tokens();
            }
            WordVocabulary vocab = words(d.vocab);
            IntList ids = new IntList();
            d.sha256 = text.tokenize(new WordTokenizer(d.lowercase, t -> ids.add(vocab.id(t))));
            d.trainTokens = ids.toArray();
            if (d.trainTokens.length < 2) {
                throw new UserError("text file " + c.text + " has " + d.trainTokens.length
                        + " word; training needs at least 2 (and more than --batch x --window)");
            }
            long unknown = WordVocabulary.unknown(d.trainTokens);
            d.description = String.format(Locale.ROOT, "%s (%,d words and punctuation marks, %,d in the vocabulary, %.1f%% <unk>)",
                    c.text, d.trainTokens.length, vocab.size(), 100.0 * unknown / d.trainTokens.length);
            if (c.valText != null) {
                TextFiles.requireReadable(c.valText, "--val-text");
                IntList val = new IntList();
                new MappedText(c.valText, "--val-text").tokenize(new WordTokenizer(d.lowercase, t -> val.add(vocab.id(t))));
                d.valTokens = val.toArray();
            }
        } else {
            d.unit = "char";
            MappedText.CharStats stats = text.charStats();
            if (stats.count() < 2) {
                throw new UserError("text file " + c.text + " has " + stats.count()
                        + " character; training needs at least 2 (and more than --batch x --window)");
            }
            CharVocabulary vocab = d.vocab != null ? new CharVocabulary(d.vocab) : charVocabulary(stats.codePoints());
            d.vocab = vocab.tokens();
            d.trainTokens = mismatch(() -> text.encodeChars(vocab, stats.count()));
            d.sha256 = stats.sha256();
            d.description = String.format(Locale.ROOT, "%s (%,d characters, %d distinct)", c.text, stats.count(), vocab.size());
            if (c.valText != null) {
                TextFiles.requireReadable(c.valText, "--val-text");
                MappedText val = new MappedText(c.valText, "--val-text");
                long n = val.charStats().count();
                d.valTokens = mismatch(() -> val.encodeChars(vocab, n));
            }
        }
        if (c.valFraction > 0) {
            int[][] split = userError(() -> ValidationSplit.tail(d.trainTokens, c.valFraction));
            d.trainTokens = split[0];
            d.valTokens = split[1];
        }
        if (d.valTokens != null && d.valTokens.length < 2) {
            throw new UserError("--val-text " + c.valText + " has fewer than 2 tokens; give a longer validation text");
        }
    }

    private void labelledData(Data d) {
        d.unit = "sequence";
        String name = "labels file " + c.labels;
        List<Example> examples = userError(() -> LabelledSequences.parse(TextFiles.readUtf8(c.labels, "labels file"), name));
        List<Example> val = null;
        String valName = "--val-text " + c.valText;
        if (c.valText != null) {
            val = userError(() -> LabelledSequences.parse(TextFiles.readUtf8(c.valText, "--val-text"), valName));
        } else if (c.valFraction > 0) {
            List<List<Example>> split = userError(() -> ValidationSplit.tail(examples, c.valFraction, c.seed));
            val = split.get(1);
        }
        List<Example> train = examples;
        if (c.valFraction > 0) {
            java.util.Set<Example> held = new java.util.HashSet<>(val);
            train = examples.stream().filter(e -> !held.contains(e)).toList();
        }
        if (d.labels.isEmpty()) {
            d.labels = LabelledSequences.labels(train);
            if (d.labels.size() < 2) {
                throw new UserError(name + " has only the label '" + d.labels.getFirst()
                        + "'; a classifier needs at least two labels");
            }
        }
        List<List<String>> trainTokens = new ArrayList<>();
        for (Example e : train) {
            trainTokens.add(tokens(e.text(), d));
        }
        if (d.vocab == null) {
            d.vocab = d.word ? WordVocabulary.build(countAll(trainTokens), c.vocabSize, c.minCount).tokens()
                    : charVocabulary(trainTokens);
        }
        d.trainSeqs = encode(train, trainTokens, d, name);
        if (val != null) {
            List<List<String>> valTokens = new ArrayList<>();
            for (Example e : val) {
                valTokens.add(tokens(e.text(), d));
            }
            d.valSeqs = encode(val, valTokens, d, c.valText != null ? valName : name);
        }
        d.sha256 = Integer.toHexString(examples.hashCode());
        d.description = String.format(Locale.ROOT, "%s (%,d labelled sequences, labels %s, %,d tokens in the vocabulary)",
                c.labels, train.size(), d.labels, d.vocab.size());
    }

    private void wordOrderData(Data d) {
        d.unit = "sequence";
        if (d.labels.isEmpty()) {
            d.labels = WordOrderPairs.LABELS;
        }
        TextFiles.requireReadable(c.text, "text file");
        List<String> tokens = new ArrayList<>();
        d.sha256 = new MappedText(c.text, "text file").tokenize(new WordTokenizer(d.lowercase, tokens::add));
        List<List<String>> all = WordOrderPairs.sentences(tokens, 3, c.window);
        List<List<String>> sentences = all;
        if (all.size() < 2) {
            throw new UserError("text file " + c.text + " has " + all.size() + " sentence of 3 to " + c.window
                    + " tokens (ending with . ! or ?); the word-order job needs more sentences");
        }
        List<List<String>> valSentences = null;
        if (c.valText != null) {
            TextFiles.requireReadable(c.valText, "--val-text");
            List<String> v = new ArrayList<>();
            new MappedText(c.valText, "--val-text").tokenize(new WordTokenizer(d.lowercase, v::add));
            valSentences = WordOrderPairs.sentences(v, 3, c.window);
        } else if (c.valFraction > 0) {
            // split sentences before pairing, so a sentence and its reordered copy are on the same side
            List<List<List<String>>> split = userError(() -> ValidationSplit.tail(all, c.valFraction, c.seed));
            valSentences = split.get(1);
            sentences = split.get(0);
        }
        if (d.vocab == null) {
            d.vocab = WordVocabulary.build(countAll(sentences), c.vocabSize, c.minCount).tokens();
        }
        WordVocabulary vocab = words(d.vocab);
        d.trainSeqs = pairs(sentences, vocab, c.seed);
        if (valSentences != null) {
            if (valSentences.isEmpty()) {
                throw new UserError("--val-text " + c.valText + " has no sentence of 3 to " + c.window + " tokens");
            }
            d.valSeqs = pairs(valSentences, vocab, c.seed + 1);
        }
        d.maxLength = 0;
        d.description = String.format(Locale.ROOT, "%s (%,d sentences, each natural and reordered: %,d sequences, %,d words in the vocabulary)",
                c.text, sentences.size(), d.trainSeqs.size(), vocab.size());
    }

    private static List<Sequence> pairs(List<List<String>> sentences, WordVocabulary vocab, long seed) {
        List<Sequence> out = new ArrayList<>();
        for (WordOrderPairs.Pair p : WordOrderPairs.pairs(sentences, seed)) {
            out.add(new Sequence(vocab.encode(p.tokens()), p.natural() ? 0 : 1));
        }
        return out;
    }

    private List<String> tokens(String text, Data d) {
        if (d.word) {
            return WordTokenizer.tokenize(text, d.lowercase);
        }
        return text.codePoints().mapToObj(cp -> new String(Character.toChars(cp))).toList();
    }

    /** Class ids and token ids; sequences longer than --window keep their first --window tokens. */
    private List<Sequence> encode(List<Example> examples, List<List<String>> tokens, Data d, String name) {
        List<Sequence> out = new ArrayList<>();
        WordVocabulary words = d.word ? words(d.vocab) : null;
        CharVocabulary chars = d.word ? null : new CharVocabulary(d.vocab);
        for (int i = 0; i < examples.size(); i++) {
            Example e = examples.get(i);
            int label = userError(() -> LabelledSequences.classOf(e, d.labels, name));
            List<String> t = tokens.get(i);
            if (t.isEmpty()) {
                throw new UserError(name + " line " + e.line() + " has no tokens after the TAB");
            }
            if (t.size() > c.window) {
                t = t.subList(0, c.window);
            }
            int[] ids = new int[t.size()];
            for (int j = 0; j < ids.length; j++) {
                if (words != null) {
                    ids[j] = words.id(t.get(j));
                } else {
                    ids[j] = chars.id(t.get(j).codePointAt(0));
                    if (ids[j] < 0) {
                        throw new UserError(name + " line " + e.line() + ": character '" + t.get(j)
                                + "' is not in the vocabulary (" + d.vocab.size() + " characters)");
                    }
                }
            }
            out.add(new Sequence(ids, label));
        }
        return out;
    }

    static List<String> labelsOf(Map<String, String> metadata, Path model) {
        String json = metadata.get("labels");
        if (json == null) {
            throw new UserError("model file " + model + " is a classifier without a 'labels' entry in its metadata");
        }
        Object v = Json.parse(json);
        if (!(v instanceof List<?> l) || l.stream().anyMatch(x -> !(x instanceof String))) {
            throw new UserError("model file " + model + " has a 'labels' entry that is not a list of strings");
        }
        return l.stream().map(Object::toString).toList();
    }

    private static WordVocabulary words(List<String> vocab) {
        try {
            return new WordVocabulary(vocab);
        } catch (IllegalArgumentException e) {
            throw new UserError("the model's vocabulary is not word-level: " + e.getMessage());
        }
    }

    private static CharVocabulary charVocabulary(BitSet codePoints) {
        List<String> list = new ArrayList<>();
        codePoints.stream().forEach(cp -> list.add(new String(Character.toChars(cp))));
        return new CharVocabulary(list);
    }

    private static List<String> charVocabulary(List<List<String>> texts) {
        java.util.TreeSet<Integer> set = new java.util.TreeSet<>();
        for (List<String> t : texts) {
            for (String s : t) {
                set.add(s.codePointAt(0));
            }
        }
        return set.stream().map(cp -> new String(Character.toChars(cp))).toList();
    }

    private static Map<String, Long> countAll(List<List<String>> lists) {
        Map<String, Long> counts = new HashMap<>();
        for (List<String> l : lists) {
            for (String t : l) {
                counts.merge(t, 1L, Long::sum);
            }
        }
        return counts;
    }

    private int[] mismatch(java.util.function.Supplier<int[]> encode) {
        try {
            return encode.get();
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage() + (c.initModel != null ? " (" + c.initModel + "); the data does not "
                    + "match the model's vocabulary: train a new model instead of --init-model" : ""));
        }
    }

    private static <T> T userError(java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------ training

    /**
     * A classifier's shards: the sequences are dealt to the workers ({@link ShardData.Labelled}), each
     * needs at least one; resolves the default worker count (0) to one per core, at most one per
     * --batch sequences.
     */
    private void checkShards(int sequences, String source) {
        long fit = Math.max(1, sequences / c.batch);
        int shards = TrainCommand.resolveShards(c, fit);
        if (shards > sequences) {
            String option = TrainCommand.shardOption(c);
            throw new UserError(option + shards + " needs at least one training sequence per worker, but " + source
                    + " gives " + sequences + ": use " + option + sequences + " or less, or more data");
        }
    }

    private Validation validation(Data d, ModelSpec spec) {
        if (d.valTokens == null && d.valSeqs == null) {
            return null;
        }
        return new Validation(spec, d.valTokens, d.valSeqs, d.unit, c.out.resolve("best.safetensors"),
                command.main.context.out());
    }

    private void summary(Data d, String what, TrainingOutcome outcome, Progress progress, Path model,
                         Validation validation) {
        var o = command.main.context.out();
        double loss = progress.smoothedLoss();
        if (command.jsonLines) {
            Map<String, Object> done = outcome.doneEvent(loss);
            done.put("tokens", progress.tokens());
            done.put("tokens_per_s", Progress.finite(progress.tokensPerSecond()));
            done.put("elapsed_s", progress.elapsedSeconds());
            if (validation != null) {
                done.put("val_loss", Progress.finite(validation.last()));
                done.put("best_val_loss", Progress.finite(validation.best()));
                done.put("best_step", validation.bestStep());
                done.put("best_model", validation.bestPath().toString());
            }
            done.put("model", model.toString());
            done.put("run_dir", c.out.toString());
            o.println(Json.write(done));
            return;
        }
        if (outcome.stopped()) {
            o.println(TrainCommand.stopped(c, outcome));
        }
        o.println("trained " + what + " for " + outcome.steps() + " steps on " + d.description + " in "
                + Progress.duration(progress.elapsedSeconds()) + " (" + TrainCommand.how(c) + ")");
        String per = d.task == Task.LM ? "nats/" + d.unit : "nats/sequence";
        o.println(String.format(Locale.ROOT, "final training loss %.4f %s (smoothed), %s tokens/s", loss, per,
                Progress.compact(progress.tokensPerSecond())));
        if (outcome.skippedSteps() > 0) {
            o.println(outcome.skippedSteps() + " steps had a non-finite gradient and were skipped; "
                    + "try a lower --lr or --clip-norm");
        }
        if (validation != null) {
            o.println(String.format(Locale.ROOT, "best validation loss %.4f at step %d: %s", validation.best(),
                    validation.bestStep(), validation.bestPath()));
        }
        o.println("model: " + model + " (settings in " + c.out.resolve("config.json") + ", per-step metrics in "
                + c.out.resolve("metrics.csv") + ")");
        if (d.task == Task.LM) {
            o.println("next: scripts/recur sample --model " + model + " --prime \"The \"");
            o.println("      scripts/recur eval --model " + model + " --text " + c.text + "   (or better, a text it has not seen)");
            if (d.word) {
                o.println("      scripts/recur score --model " + model + " \"A sentence.\" \"Sentence a.\"");
            }
        } else {
            o.println("next: scripts/recur score --model " + model + (d.job != null
                    ? " \"Prevention is better than cure\" \"Cure is best prevention\"" : " \"some text\""));
        }
    }

    /** A growable int array. */
    static final class IntList {
        private int[] a = new int[1024];
        private int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, Math.multiplyExact(a.length, 2));
            }
            a[n++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
