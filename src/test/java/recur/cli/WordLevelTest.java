package recur.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static recur.cli.TrainEvalSampleTest.assertOneLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import recur.data.LabelledSequences.Sequence;
import recur.data.SyntheticText;
import recur.data.WordOrderPairs;
import recur.data.WordTokenizer;
import recur.data.WordVocabulary;
import recur.io.Json;
import recur.io.ModelFile;

/** Word-level language models, labelled sequences, the word-order job and validation, through the CLI. */
class WordLevelTest {
    @TempDir
    static Path dir;
    static Path text;
    static Path heldOut;

    @BeforeAll
    static void data() throws Exception {
        text = dir.resolve("train.txt");
        heldOut = dir.resolve("held-out.txt");
        Files.writeString(text, SyntheticText.generate(21, 60_000));
        Files.writeString(heldOut, SyntheticText.generate(22, 5_000));
    }

    @Test
    void wordModelTrainsEvaluatesSamplesAndScores() throws Exception {
        Path run = dir.resolve("lm");
        CliRun trained = CliRun.of("train", "--text", text.toString(), "--level", "word", "--vocab-size", "60",
                "--hidden", "32", "--embedding", "16", "--window", "16", "--batch", "8", "--steps", "150",
                "--lr", "1e-2", "--val-fraction", "0.1", "--eval-every", "50", "--seed", "4", "--out", run.toString());
        assertEquals(0, trained.code(), trained.toString());
        assertTrue(trained.out().contains("step 50: validation loss"), trained.out());
        assertTrue(trained.out().lines().anyMatch(l -> l.startsWith("step") && l.contains("  val ")),
                "the progress line carries the validation loss: " + trained.out());
        var model = ModelFile.load(run.resolve("model.safetensors"));
        assertEquals("word", model.metadata().get("tokenizer"));
        assertEquals(60, model.spec().vocabSize());
        assertEquals(WordVocabulary.UNK, model.spec().vocab().getFirst());
        var best = ModelFile.load(run.resolve("best.safetensors"));
        assertTrue(best.metadata().containsKey("val_loss"), best.metadata().toString());
        double bestLoss = Double.parseDouble(best.metadata().get("val_loss"));
        assertTrue(bestLoss < Math.log(60) * 0.75, "learned something: " + bestLoss);

        CliRun eval = CliRun.of("eval", "--model", run.resolve("model.safetensors").toString(), "--text",
                heldOut.toString(), "--json");
        assertEquals(0, eval.code(), eval.toString());
        assertTrue(eval.out().contains("nats/word") && eval.out().contains("perplexity"), eval.out());
        Map<String, Object> json = Json.parseObject(eval.out().lines().reduce((a, b) -> b).orElseThrow());
        assertEquals("word", json.get("unit"));
        int words = WordTokenizer.tokenize(Files.readString(heldOut), true).size();
        assertEquals((long) words - 1, json.get("tokens"), "every word after the first is predicted");
        double perplexity = ((Number) json.get("perplexity")).doubleValue();
        assertTrue(perplexity > 1 && perplexity < 30, "a 60-word vocabulary, well below uniform: " + perplexity);

        CliRun a = CliRun.of("sample", "--model", run.resolve("model.safetensors").toString(), "--prime", "The",
                "--length", "20", "--top-k", "5", "--temperature", "0.8", "--seed", "3");
        CliRun b = CliRun.of("sample", "--model", run.resolve("model.safetensors").toString(), "--prime", "The",
                "--length", "20", "--top-k", "5", "--temperature", "0.8", "--seed", "3");
        assertEquals(0, a.code(), a.toString());
        assertEquals(a.out(), b.out(), "seeded");
        assertTrue(a.out().startsWith("The "), a.out());
        assertEquals(21, WordTokenizer.tokenize(a.out().replace("<unk>", "unk"), true).size(), "prime and 20 words: " + a.out());

        CliRun score = CliRun.of("score", "--model", run.resolve("model.safetensors").toString(),
                "The old dog sees a cat.", "Cat a sees dog old the.", "--json");
        assertEquals(0, score.code(), score.toString());
        assertTrue(score.out().lines().skip(1).findFirst().orElseThrow().contains("The old dog sees a cat."),
                "the grammatical sentence ranks first: " + score.out());
    }

    @Test
    void continuingAModelKeepsItsVocabularyAndRejectsAMismatch() throws Exception {
        Path first = dir.resolve("first");
        String[] small = {"--hidden", "8", "--embedding", "4", "--window", "8", "--batch", "4", "--steps", "3", "--quiet"};
        CliRun one = CliRun.of(concat(new String[] {"train", "--text", text.toString(), "--out", first.toString()}, small));
        assertEquals(0, one.code(), one.toString());
        Path model = first.resolve("model.safetensors");
        Path second = dir.resolve("second");
        CliRun two = CliRun.of(concat(new String[] {"train", "--text", heldOut.toString(), "--init-model", model.toString(),
            "--out", second.toString()}, small));
        assertEquals(0, two.code(), two.toString());
        assertEquals(ModelFile.load(model).spec(), ModelFile.load(second.resolve("model.safetensors")).spec());
        Path other = dir.resolve("other.txt");
        Files.writeString(other, "Zürich ist schön. " + SyntheticText.generate(3, 500));
        CliRun bad = CliRun.of(concat(new String[] {"train", "--text", other.toString(), "--init-model", model.toString(),
            "--out", dir.resolve("third").toString()}, small));
        assertEquals(2, bad.code(), bad.toString());
        assertOneLine(bad);
        assertTrue(bad.err().contains("is not in the model's vocabulary") && bad.err().contains("--init-model"), bad.err());
        CliRun level = CliRun.of(concat(new String[] {"train", "--text", text.toString(), "--level", "word",
            "--init-model", model.toString(), "--out", dir.resolve("fourth").toString()}, small));
        assertEquals(2, level.code(), level.toString());
        assertTrue(level.err().contains("character-level"), level.err());
    }

    @Test
    void labelledSequencesTrainAndBadLabelFilesAreOneLineErrors() throws Exception {
        Path labels = dir.resolve("labels.tsv");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            sb.append(i % 2 == 0 ? "yes\tthe cat sees a dog" : "no\ta dog sleeps").append(i % 3 == 0 ? " today" : "").append('\n');
        }
        Files.writeString(labels, sb.toString());
        Path run = dir.resolve("cls");
        CliRun ok = CliRun.of("train", "--labels", labels.toString(), "--level", "word", "--hidden", "8", "--embedding", "4",
                "--batch", "4", "--steps", "60", "--lr", "1e-2", "--val-fraction", "0.2", "--out", run.toString(), "--quiet");
        assertEquals(0, ok.code(), ok.toString());
        var m = ModelFile.load(run.resolve("model.safetensors"));
        assertEquals("[\"no\",\"yes\"]", m.metadata().get("labels"));
        assertTrue(Files.exists(run.resolve("best.safetensors")));
        CliRun score = CliRun.of("score", "--model", run.resolve("model.safetensors").toString(), "the cat sees a dog");
        assertEquals(0, score.code(), score.toString());
        assertTrue(score.out().contains("P(yes)="), score.out());

        Path noTab = dir.resolve("notab.tsv");
        Files.writeString(noTab, "yes\tfine\nno tab on this line\n");
        expectUserError(CliRun.of("train", "--labels", noTab.toString()), "line 2 has no TAB");
        Path empty = dir.resolve("empty.tsv");
        Files.writeString(empty, "");
        expectUserError(CliRun.of("train", "--labels", empty.toString()), "is empty");
        Path unknown = dir.resolve("unknown.tsv");
        Files.writeString(unknown, "maybe\tthe cat\n");
        expectUserError(CliRun.of("train", "--labels", labels.toString(), "--val-text", unknown.toString(), "--level", "word",
                "--steps", "1"), "label 'maybe'", "line 1");
        expectUserError(CliRun.of("train", "--task", "classify", "--text", text.toString()), "--labels");
        expectUserError(CliRun.of("train", "--text", text.toString(), "--level", "words"), "--level must be char or word");
    }

    @Test
    void labelledSequencesTrainOnTwoWorkersWithACheckpointAndResume() throws Exception {
        Path labels = dir.resolve("labels2.tsv");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            sb.append(i % 2 == 0 ? "yes\tthe cat sees a dog" : "no\ta dog sleeps").append(i % 3 == 0 ? " today" : "").append('\n');
        }
        Files.writeString(labels, sb.toString());
        Path run = dir.resolve("cls-2");
        CliRun ok = CliRun.of("train", "--labels", labels.toString(), "--level", "word", "--hidden", "8", "--embedding", "4",
                "--batch", "4", "--steps", "30", "--lr", "1e-2", "--workers", "2", "--seed", "9", "--out", run.toString(),
                "--quiet");
        assertEquals(0, ok.code(), ok.toString());
        assertTrue(ok.out().contains("2 workers, sync"), ok.out());
        var m = ModelFile.load(run.resolve("model.safetensors"));
        assertEquals("[\"no\",\"yes\"]", m.metadata().get("labels"));
        assertEquals("30", m.metadata().get("trained_steps"));
        assertTrue(Files.exists(run.resolve("checkpoint.pb")));
        assertTrue(Files.readString(run.resolve("loss.svg")).contains("<svg"), "loss.svg, as on the other paths");
        CliRun score = CliRun.of("score", "--model", run.resolve("model.safetensors").toString(), "the cat sees a dog");
        assertEquals(0, score.code(), score.toString());

        CliRun more = CliRun.of("train", "--resume", run.toString(), "--steps", "40", "--quiet");
        assertEquals(0, more.code(), more.toString());
        assertEquals("40", ModelFile.load(run.resolve("model.safetensors")).metadata().get("trained_steps"));

        expectUserError(CliRun.of("train", "--labels", labels.toString(), "--level", "word", "--steps", "1",
                "--workers", "41"), "--workers 41 needs at least one training sequence per worker", "40");
    }

    private static void expectUserError(CliRun r, String... fragments) {
        assertEquals(2, r.code(), r.toString());
        assertOneLine(r);
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "expected '" + f + "' in: " + r.err());
        }
    }

    /**
     * The word-order classifier tells grammatical generated sentences from reordered copies. Judged on
     * sentences of a text it never saw (another seed): 400 sequences, half natural, so a classifier that
     * guesses is right 50% +- 2.5% (one standard deviation); 75% is ten of those above chance.
     */
    @Test
    void wordOrderClassifierLearnsToTellNaturalFromShuffled() throws Exception {
        Path run = dir.resolve("order");
        CliRun r = CliRun.of("train", "--text", text.toString(), "--task", "word-order", "--hidden", "32",
                "--embedding", "16", "--window", "24", "--batch", "16", "--steps", "400", "--lr", "1e-2",
                "--val-fraction", "0.1", "--seed", "5", "--out", run.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        var m = ModelFile.load(run.resolve("best.safetensors"));
        assertEquals("word-order", m.metadata().get("job"));
        WordVocabulary vocab = new WordVocabulary(m.spec().vocab());
        var sentences = WordOrderPairs.sentences(WordTokenizer.tokenize(SyntheticText.generate(99, 20_000), true), 3, 24)
                .subList(0, 200);
        int correct = 0;
        List<WordOrderPairs.Pair> pairs = WordOrderPairs.pairs(sentences, 7);
        for (WordOrderPairs.Pair p : pairs) {
            double natural = ScoreCommand.probabilities(m.spec(), m.params(), new Sequence(vocab.encode(p.tokens()), 0))[0];
            if ((natural > 0.5) == p.natural()) {
                correct++;
            }
        }
        double accuracy = (double) correct / pairs.size();
        assertTrue(accuracy > 0.75, "accuracy on unseen sentences " + accuracy);

        CliRun score = CliRun.of("score", "--model", run.resolve("best.safetensors").toString(),
                "The old dog sees a cat.", "Old sees the cat dog a.");
        assertEquals(0, score.code(), score.toString());
        assertTrue(score.out().contains("P(natural order)"), score.out());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
