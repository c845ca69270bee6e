package recur.cli;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code recur sample}: text from a model, one character at a time, after reading a prime text. */
@Command(name = "sample", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false, showDefaultValues = true,
        description = "Generate text from a model: read the prime, then sample characters from "
                + "softmax(logits / temperature), optionally from the top k only.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  recur sample --model runs/latest/model.safetensors",
            "  recur sample --model runs/latest/model.safetensors --prime \"The \"",
            "  recur sample --model m.safetensors --temperature 0.5 --top-k 5 --seed 7",
            "",
            "The same model, prime, settings and seed give the same text.",
            "Temperature 0 picks the most likely character every time."})
final class SampleCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model file (.safetensors).")
    Path model;

    @Option(names = "--prime", paramLabel = "TEXT",
            description = "Text to start from (printed first); default: a newline, not printed.")
    String prime;

    @Option(names = "--length", paramLabel = "N", description = "Characters to generate.")
    int length = 500;

    @Option(names = "--temperature", paramLabel = "T", description = "Below 1: safer; above 1: wilder; 0: greedy.")
    double temperature = 0.8;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample only from the K likeliest characters (0: all).")
    int topK = 0;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed.")
    long seed = 1;

    @Option(names = "--debug", description = "Show the stack trace of an error.")
    boolean debug;

    @Override
    public Integer call() {
        if (length < 0) {
            throw new UserError("--length must be at least 0, got " + length);
        }
        if (!(temperature >= 0) || !Double.isFinite(temperature)) {
            throw new UserError("--temperature must be a number >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new UserError("--top-k must be at least 0 (0: no limit), got " + topK);
        }
        LanguageModel lm = LanguageModel.load(model);
        if (lm.word()) {
            return sampleWords(lm);
        }
        boolean printPrime = prime != null && !prime.isEmpty();
        String start = printPrime ? prime : defaultPrime(lm);
        int[] primeTokens = lm.encode(start, "--prime");
        var out = main.context.out();
        if (printPrime) {
            out.print(prime);
        }
        Sampler sampler = new Sampler(lm, temperature, topK, new SplittableRandom(seed));
        sampler.feed(primeTokens);
        for (int i = 0; i < length; i++) {
            int token = sampler.next();
            out.print(lm.vocabulary().decode(token));
            if (token == lm.vocabulary().id('\n')) {
                out.flush();
            }
        }
        out.println();
        out.flush();
        return 0;
    }

    /** A newline when the model knows it, else a space, else its first character. */
    private static String defaultPrime(LanguageModel lm) {
        if (lm.vocabulary().id('\n') >= 0) {
            return "\n";
        }
        return lm.vocabulary().id(' ') >= 0 ? " " : lm.vocabulary().token(0);
    }

    /**
     * Word models: --length words (and punctuation marks) after the prime (default: "." when the model
     * knows it, so the text starts like a sentence), joined with spaces as {@link WordTokenizer#detokenize} does.
     */
    private int sampleWords(LanguageModel lm) {
        boolean printPrime = prime != null && !prime.isBlank();
        int[] primeTokens = printPrime ? lm.encode(prime, "--prime")
                : new int[] {Math.max(0, lm.words().find("."))};
        if (primeTokens.length == 0) {
            throw new UserError("--prime has no words; give some text or leave it out");
        }
        Sampler sampler = new Sampler(lm, temperature, topK, new SplittableRandom(seed));
        sampler.feed(primeTokens);
        java.util.List<String> generated = new java.util.ArrayList<>();
        for (int i = 0; i < length; i++) {
            generated.add(lm.decode(sampler.next()));
        }
        var out = main.context.out();
        String text = recur.data.WordTokenizer.detokenize(generated);
        if (printPrime) {
            out.print(prime);
            if (!generated.isEmpty() && !recur.data.WordTokenizer.noSpaceBefore(generated.getFirst())) {
                out.print(' ');
            }
        }
        out.println(text);
        out.flush();
        return 0;
    }
}
