package recur.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import recur.io.Json;
import recur.math.Kernels;
import recur.nn.Network;
import recur.nn.RecurrentState;
import recur.nn.Window;

/**
 * {@code recur eval}: the mean next-character cross-entropy of a model on a text, read as one stream
 * from the model's initial state (state carried from window to window, forward only).
 */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false, showDefaultValues = true,
        description = "Measure how well a model predicts a text: mean next-character cross-entropy "
                + "(nats and bits per character).",
        footerHeading = "%nExamples:%n",
        footer = {
            "  recur eval --model runs/latest/model.safetensors \\",
            "             --text runs/latest/held-out.txt",
            "  recur eval --model m.safetensors --text test.txt --json | tail -n 1",
            "  recur eval --model runs/temps/model.safetensors --csv temps.csv --holdout 0.2 --json",
            "      (a time-series model: one-step MAE/RMSE next to persistence and seasonal naive)"})
final class EvalCommand implements Callable<Integer> {
    /** Steps per forward pass; the state is carried across, so this only bounds memory. */
    static final int WINDOW = 256;

    @ParentCommand
    Main main;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model file (.safetensors).")
    Path model;

    @Option(names = "--text", paramLabel = "FILE", description = "UTF-8 text to evaluate on (language models).")
    Path text;

    @Option(names = "--json", description = "End with one JSON line: loss_nats, bits_per_char, tokens, ...")
    boolean json;

    @Option(names = "--debug", description = "Show the stack trace of an error.")
    boolean debug;

    // ---- CSV time series (SeriesEval): one-step MAE/RMSE next to persistence and seasonal naive ----
    @Option(names = "--csv", paramLabel = "FILE", description = "CSV to score a time-series model on (instead of --text).")
    Path csv;

    @Option(names = "--holdout", paramLabel = "F", description = "CSV: score only the last fraction F of the rows (0: all).")
    double holdout;

    @Option(names = "--season", paramLabel = "N", description = "CSV: season of the seasonal-naive baseline (default: the model's).")
    Integer season;
    // ---- end CSV time series ----

    /** The result: {@code tokens} predictions (every character after the first), their summed loss in nats. */
    record Result(long tokens, double lossSum) {
        double lossNats() {
            return lossSum / tokens;
        }

        double bitsPerChar() {
            return lossNats() / Math.log(2);
        }
    }

    @Override
    public Integer call() {
        if (csv != null) {
            return SeriesEval.run(main, model, csv, holdout, season, json); // CSV time series
        }
        if (text == null) {
            throw new UserError("give --text FILE (a language model) or --csv FILE (a time-series model) to evaluate on");
        }
        LanguageModel lm = LanguageModel.load(model);
        String content = TextFiles.readUtf8(text, "text file");
        int[] tokens = lm.encode(content, "text file " + text);
        if (tokens.length < 2) {
            throw new UserError("text file " + text + " has " + tokens.length + " " + lm.unit() + "; eval needs at least 2 "
                    + "(it predicts each character from the ones before)");
        }
        long t0 = System.nanoTime();
        Result r = evaluate(lm, tokens);
        double seconds = (System.nanoTime() - t0) / 1e9;
        var out = main.context.out();
        String unit = lm.unit(); // char, or word (words and punctuation marks) for word models
        out.println(String.format(Locale.ROOT, "%s on %s: %,d %ss predicted", model, text, r.tokens(), unit)
                + (lm.word() ? String.format(Locale.ROOT, " (%,d of the %,d tokens are <unk>)",
                        recur.data.WordVocabulary.unknown(tokens), tokens.length) : ""));
        out.println(String.format(Locale.ROOT, "loss %.4f nats/%s, %.4f bits/%s, perplexity %.3f per %s (%.1fs)",
                r.lossNats(), unit, r.bitsPerChar(), unit, Math.exp(r.lossNats()), unit, seconds));
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("loss_nats", Progress.finite(r.lossNats()));
            m.put("bits_per_char", Progress.finite(r.bitsPerChar()));
            m.put("perplexity", Progress.finite(Math.exp(r.lossNats())));
            m.put("tokens", r.tokens());
            m.put(lm.word() ? "words" : "characters", tokens.length);
            m.put("unit", lm.unit());
            m.put("model", model.toString());
            m.put("text", text.toString());
            m.put("seconds", seconds);
            out.println(Json.write(m));
        }
        return 0;
    }

    /** Forward over the whole text as one stream, in windows of {@link #WINDOW} steps. */
    static Result evaluate(LanguageModel lm, int[] tokens) {
        int pairs = tokens.length - 1;
        Network net = new Network(lm.spec(), 1, Math.min(WINDOW, pairs), Kernels.get());
        Window w = net.newWindow();
        RecurrentState state = net.newState();
        double sum = 0;
        for (int from = 0; from < pairs; from += net.maxSteps()) {
            int steps = Math.min(net.maxSteps(), pairs - from);
            w.steps = steps;
            System.arraycopy(tokens, from, w.tokens, 0, steps);
            System.arraycopy(tokens, from + 1, w.targets, 0, steps);
            sum += net.lossSum(lm.params(), w, state);
        }
        return new Result(pairs, sum);
    }
}
