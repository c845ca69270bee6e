package recur.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import recur.data.SyntheticText;
import recur.io.Json;
import recur.io.ModelFile;

/** The three commands end to end on a tiny generated text, in-process. */
class TrainEvalSampleTest {
    @TempDir
    static Path dir;
    static Path text;
    static Path run;
    static CliRun trained;

    static final String[] SMALL = {"--hidden", "16", "--embedding", "8", "--window", "16", "--batch", "4"};

    @BeforeAll
    static void train() throws IOException {
        text = dir.resolve("tiny.txt");
        Files.writeString(text, SyntheticText.generate(7, 3000));
        run = dir.resolve("run");
        trained = CliRun.of(concat(new String[] {"train", "--text", text.toString(), "--steps", "5",
            "--seed", "3", "--out", run.toString()}, SMALL));
    }

    static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void trainWritesTheRunDirectory() throws IOException {
        assertEquals(0, trained.code(), trained.toString());
        assertEquals("", trained.err());
        List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
        assertTrue(metrics.getFirst().startsWith(MetricsCsv.HEADER + ","), "the trainer's columns, then the verticles'");
        assertEquals(6, metrics.size(), "header and one row per step");
        assertTrue(metrics.get(5).startsWith("5,"));
        Map<String, Object> config = Json.parseObject(Files.readString(run.resolve("config.json")));
        assertEquals(16L, config.get("hidden"));
        assertEquals(5L, config.get("steps"));
        assertEquals(text.toAbsolutePath().toString(), config.get("text"));
        ModelFile.LoadedModel m = ModelFile.load(run.resolve("model.safetensors"));
        assertEquals(16, m.spec().hidden());
        assertEquals("5", m.metadata().get("trained_steps"));
        assertEquals("3", m.metadata().get("seed"));
        assertTrue(trained.out().contains("model: " + run.resolve("model.safetensors")), trained.out());
        assertTrue(trained.out().contains("next: scripts/recur sample --model"), trained.out());
    }

    @Test
    void evalJsonReportsFiniteLossOverEveryPrediction() throws IOException {
        CliRun r = CliRun.of("eval", "--model", run.resolve("model.safetensors").toString(), "--text",
                text.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        List<String> lines = r.out().lines().toList();
        Map<String, Object> json = Json.parseObject(lines.getLast());
        double loss = ((Number) json.get("loss_nats")).doubleValue();
        assertTrue(Double.isFinite(loss) && loss > 0, r.out());
        assertEquals(loss / Math.log(2), ((Number) json.get("bits_per_char")).doubleValue(), 1e-9);
        assertEquals(2999L, json.get("tokens"), "every character after the first is predicted");
    }

    @Test
    void evalMatchesTheNetworkOnOneLongWindowAndOnManyShortOnes() throws IOException {
        // The text crosses several 256-step windows: carrying the state must give the same loss as
        // reading the first 256 characters alone and then the rest, which the json reports as a mean.
        LanguageModel lm = LanguageModel.load(run.resolve("model.safetensors"));
        int[] tokens = lm.encode(Files.readString(text), "tiny");
        EvalCommand.Result all = EvalCommand.evaluate(lm, tokens);
        EvalCommand.Result head = EvalCommand.evaluate(lm, java.util.Arrays.copyOf(tokens, 257));
        assertEquals(2999, all.tokens());
        assertEquals(256, head.tokens());
        assertTrue(all.lossSum() > head.lossSum());
    }

    @Test
    void evalNamesACharacterOutsideTheVocabularyAndItsPosition() throws IOException {
        Path odd = dir.resolve("odd.txt");
        Files.writeString(odd, "the cat€ sees");
        CliRun r = CliRun.of("eval", "--model", run.resolve("model.safetensors").toString(), "--text", odd.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("'€'") && r.err().contains("position 7"), r.err());
        assertOneLine(r);
    }

    @Test
    void evalNeedsTwoCharacters() throws IOException {
        Path one = dir.resolve("one.txt");
        Files.writeString(one, "a");
        CliRun r = CliRun.of("eval", "--model", run.resolve("model.safetensors").toString(), "--text", one.toString());
        assertEquals(2, r.code(), r.toString());
        assertOneLine(r);
    }

    @Test
    void sampleIsReproducibleForASeed() {
        String model = run.resolve("model.safetensors").toString();
        CliRun a = CliRun.of("sample", "--model", model, "--prime", "The ", "--length", "80", "--seed", "5");
        CliRun b = CliRun.of("sample", "--model", model, "--prime", "The ", "--length", "80", "--seed", "5");
        CliRun c = CliRun.of("sample", "--model", model, "--prime", "The ", "--length", "80", "--seed", "6");
        assertEquals(0, a.code(), a.toString());
        assertEquals(a.out(), b.out());
        assertNotEquals(a.out(), c.out());
        assertTrue(a.out().startsWith("The "));
        assertEquals(4 + 80 + 1, a.out().codePointCount(0, a.out().length()), "prime, 80 characters, newline");
        CliRun greedy1 = CliRun.of("sample", "--model", model, "--length", "40", "--temperature", "0", "--seed", "1");
        CliRun greedy2 = CliRun.of("sample", "--model", model, "--length", "40", "--temperature", "0", "--seed", "2");
        assertEquals(greedy1.out(), greedy2.out(), "temperature 0 does not depend on the seed");
    }

    @Test
    void samplePrimeOutsideTheVocabularyIsAUserError() {
        CliRun r = CliRun.of("sample", "--model", run.resolve("model.safetensors").toString(), "--prime", "Zß");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("position"), r.err());
        assertOneLine(r);
    }

    @Test
    void samplerDrawsTheArgmaxAtTemperatureZeroAndWithTopOne() {
        float[] logits = {0.1f, 2f, -1f, 1.9f};
        double[] probs = new double[4];
        var rng = new java.util.SplittableRandom(1);
        for (int i = 0; i < 20; i++) {
            assertEquals(1, Sampler.draw(logits, 0, 0, rng, probs));
            assertEquals(1, Sampler.draw(logits, 1.0, 1, rng, probs));
            int two = Sampler.draw(logits, 1.0, 2, rng, probs);
            assertTrue(two == 1 || two == 3);
        }
    }

    static void assertOneLine(CliRun r) {
        assertTrue(r.err().startsWith("recur: "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(!r.err().contains("Exception") && !r.err().contains("\tat "), r.err());
    }
}
