package recur.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import recur.data.CharVocabulary;
import recur.data.LabelledSequences.Sequence;
import recur.data.WordOrderPairs;
import recur.data.WordTokenizer;
import recur.data.WordVocabulary;
import recur.io.Json;
import recur.io.ModelFile;
import recur.math.Kernels;
import recur.model.ModelSpec;
import recur.model.Task;
import recur.nn.Network;
import recur.nn.RecurrentState;
import recur.nn.Window;

/**
 * {@code recur score}: sentences under a model. With a language model, each sentence's mean log
 * likelihood per token, read after a sentence boundary ({@code .} for a word model, a newline for a
 * character model), and the sentences ranked by it; with a classifier, the probability of each label
 * (for a word-order model: the probability that the word order is natural), ranked by the first label.
 */
@Command(name = "score", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = "Rank sentences: by a language model's per-word likelihood, or by a word-order "
                + "classifier's probability that the order is natural.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  recur score --model runs/words/model.safetensors \\",
            "              \"Smoking is injurious to health\" \"Health is injurious to smoking\"",
            "  recur score --model runs/order/model.safetensors \"Prevention is better than cure\" \\",
            "              \"Cure is best prevention\" --json"})
final class ScoreCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model file (.safetensors).")
    Path model;

    @Option(names = "--json", description = "End with one JSON line: the scores of the sentences in rank order.")
    boolean json;

    @Option(names = "--debug", description = "Show the stack trace of an error.")
    boolean debug;

    @Parameters(arity = "1..*", paramLabel = "SENTENCE", description = "Sentences to score (quote each one).")
    List<String> sentences;

    /** One sentence's score: higher is more likely / more natural. */
    record Score(String sentence, double score, int tokens, long unknown) {
    }

    @Override
    public Integer call() {
        TextFiles.requireReadable(model, "model file");
        ModelFile.LoadedModel m = ModelFile.load(model);
        if (!m.spec().tokenInput() || m.spec().task() == Task.REGRESSION) {
            throw new UserError("model file " + model + " is a " + m.spec().task() + " model; score needs a word or "
                    + "character language model, or a classifier (e.g. 'recur train --task word-order')");
        }
        for (String s : sentences) {
            if (s.isBlank()) {
                throw new UserError("a sentence is empty; give some words");
            }
        }
        return m.spec().task() == Task.LM ? languageModel() : classifier(m);
    }

    private int languageModel() {
        LanguageModel lm = LanguageModel.load(model);
        List<Score> scores = new ArrayList<>();
        for (String s : sentences) {
            scores.add(likelihood(lm, s));
        }
        scores.sort(Comparator.comparingDouble(Score::score).reversed());
        var out = main.context.out();
        String unit = lm.unit();
        out.println(String.format(Locale.ROOT, "%-4s %14s %11s  %s", "rank", "log-prob/" + unit, "perplexity", "sentence"));
        for (int i = 0; i < scores.size(); i++) {
            Score s = scores.get(i);
            out.println(String.format(Locale.ROOT, "%-4d %14.4f %11.2f  %s%s", i + 1, s.score(), Math.exp(-s.score()),
                    s.sentence(), s.unknown() > 0 ? "   (" + s.unknown() + " <unk>)" : ""));
        }
        if (json) {
            List<Object> list = new ArrayList<>();
            for (Score s : scores) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("sentence", s.sentence());
                e.put("log_prob_per_token", s.score());
                e.put("perplexity", Math.exp(-s.score()));
                e.put("tokens", s.tokens());
                e.put("unknown", s.unknown());
                list.add(e);
            }
            out.println(Json.write(Map.of("unit", unit, "scores", list)));
        }
        return 0;
    }

    /** Mean log-probability of the sentence's tokens after a sentence boundary. */
    static Score likelihood(LanguageModel lm, String sentence) {
        int[] ids = lm.encode(sentence, "sentence '" + sentence + "'");
        if (ids.length == 0) {
            throw new UserError("sentence '" + sentence + "' has no tokens");
        }
        int boundary;
        if (lm.word()) {
            boundary = Math.max(0, lm.words().find("."));
        } else {
            CharVocabulary v = lm.vocabulary();
            boundary = v.id('\n') >= 0 ? v.id('\n') : Math.max(0, v.id(' '));
        }
        int[] seq = new int[ids.length + 1];
        seq[0] = boundary;
        System.arraycopy(ids, 0, seq, 1, ids.length);
        double loss = Validation.lmLoss(lm.spec(), lm.params(), seq);
        return new Score(sentence, -loss, ids.length, lm.word() ? WordVocabulary.unknown(ids) : 0);
    }

    private int classifier(ModelFile.LoadedModel m) {
        ModelSpec spec = m.spec();
        List<String> labels = TextTraining.labelsOf(m.metadata(), model);
        boolean word = "word".equals(m.metadata().get("tokenizer"));
        boolean lowercase = !"false".equals(m.metadata().get("lowercase"));
        boolean wordOrder = "word-order".equals(m.metadata().get("job"));
        WordVocabulary words = word ? new WordVocabulary(spec.vocab()) : null;
        CharVocabulary chars = word ? null : new CharVocabulary(spec.vocab());
        List<double[]> probs = new ArrayList<>();
        List<Long> unknown = new ArrayList<>();
        for (String s : sentences) {
            int[] ids;
            if (word) {
                List<String> tokens = wordOrder ? WordOrderPairs.prepare(s, lowercase) : WordTokenizer.tokenize(s, lowercase);
                ids = words.encode(tokens);
            } else {
                try {
                    ids = chars.encode(s);
                } catch (IllegalArgumentException e) {
                    throw new UserError("sentence '" + s + "': " + e.getMessage());
                }
            }
            if (ids.length == 0) {
                throw new UserError("sentence '" + s + "' has no tokens");
            }
            probs.add(probabilities(spec, m.params(), new Sequence(ids, 0)));
            unknown.add(word ? WordVocabulary.unknown(ids) : 0L);
        }
        Integer[] order = new Integer[sentences.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble((Integer i) -> probs.get(i)[0]).reversed());
        var out = main.context.out();
        String head = wordOrder ? "P(natural order)" : "P(" + labels.getFirst() + ")";
        out.println(String.format(Locale.ROOT, "%-4s %16s  %s", "rank", head, "sentence"));
        List<Object> list = new ArrayList<>();
        for (int r = 0; r < order.length; r++) {
            int i = order[r];
            double[] p = probs.get(i);
            StringBuilder others = new StringBuilder();
            if (!wordOrder) {
                for (int k = 1; k < labels.size(); k++) {
                    others.append(String.format(Locale.ROOT, "  P(%s)=%.4f", labels.get(k), p[k]));
                }
            }
            out.println(String.format(Locale.ROOT, "%-4d %16.4f  %s%s%s", r + 1, p[0], sentences.get(i), others,
                    unknown.get(i) > 0 ? "   (" + unknown.get(i) + " <unk>)" : ""));
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("sentence", sentences.get(i));
            Map<String, Object> byLabel = new LinkedHashMap<>();
            for (int k = 0; k < labels.size(); k++) {
                byLabel.put(labels.get(k), p[k]);
            }
            e.put("probabilities", byLabel);
            e.put("unknown", unknown.get(i));
            list.add(e);
        }
        if (json) {
            out.println(Json.write(Map.of("labels", labels, "scores", list)));
        }
        return 0;
    }

    /** Softmax of the classifier's logits for one sequence, read from the initial state. */
    static double[] probabilities(ModelSpec spec, float[] params, Sequence s) {
        Network net = new Network(spec, 1, s.tokens().length, Kernels.get());
        Window w = net.newWindow();
        RecurrentState state = net.newState();
        w.steps = s.tokens().length;
        System.arraycopy(s.tokens(), 0, w.tokens, 0, w.steps);
        net.predict(params, w, state);
        float[] logits = net.outputs();
        int o = spec.output();
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < o; i++) {
            max = Math.max(max, logits[i]);
        }
        double[] p = new double[o];
        double sum = 0;
        for (int i = 0; i < o; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < o; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
