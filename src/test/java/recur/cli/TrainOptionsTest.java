package recur.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** Configuration files and overrides, the JSON-lines output and stopping on a signal. */
class TrainOptionsTest {
    @TempDir
    static Path dir;
    static Path text;

    @BeforeAll
    static void data() throws IOException {
        text = dir.resolve("ok.txt");
        Files.writeString(text, SyntheticText.generate(13, 2000));
    }

    static Map<String, Object> config(Path run) throws IOException {
        return Json.parseObject(Files.readString(run.resolve("config.json")));
    }

    @Test
    void configFileWithCommandLineOverride() throws IOException {
        Path cfg = dir.resolve("settings.json");
        Files.writeString(cfg, """
                {"text": "%s", "cell": "gru", "hidden": 12, "embedding": 4, "window": 8, "batch": 2,
                 "steps": 3, "lr": 0.01, "out": "from-config"}
                """.formatted(text.toString().replace("\\", "\\\\")));
        Path run = dir.resolve("override");
        CliRun r = CliRun.of("train", "--config", cfg.toString(), "--steps", "2", "--out", run.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        Map<String, Object> c = config(run);
        assertEquals("gru", c.get("cell"));
        assertEquals(12L, c.get("hidden"));
        assertEquals(2L, c.get("steps"), "the command line wins");
        assertEquals(0.01, c.get("lr"));
        assertEquals(text.toAbsolutePath().toString(), c.get("text"), "recorded by its absolute path");
        assertEquals(3, Files.readAllLines(run.resolve("metrics.csv")).size());
    }

    @Test
    void runConfigCanBeReusedAndYamlWorks() throws IOException {
        Path yaml = dir.resolve("settings.yaml");
        Files.writeString(yaml, """
                # a flat YAML config
                text: %s
                cell: rnn_tanh   # plain RNN
                hidden: 6
                embedding: 3
                window: 8
                batch: 2
                steps: 2
                learned_h0: true
                out: %s
                """.formatted(text, dir.resolve("yaml-run")));
        CliRun r = CliRun.of("train", "--config", yaml.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        Path run = dir.resolve("yaml-run");
        assertEquals("rnn_tanh", config(run).get("cell"));
        assertEquals(true, config(run).get("learned_h0"));
        // config.json of a run is itself a config file
        Path again = dir.resolve("again");
        CliRun r2 = CliRun.of("train", "--config", run.resolve("config.json").toString(), "--out", again.toString(),
                "--quiet");
        assertEquals(0, r2.code(), r2.toString());
        Map<String, Object> a = config(run);
        Map<String, Object> b = config(again);
        b.put("out", a.get("out"));
        assertEquals(a, b);
    }

    @Test
    void everyKeyOfTheWrittenConfigCanBeSet() {
        assertEquals(new recur.train.TrainConfig().toMap().keySet(), TrainSettings.keys());
    }

    @Test
    void unknownConfigKeyGetsASuggestion() throws IOException {
        Path cfg = dir.resolve("typo.json");
        Files.writeString(cfg, "{\"hiden\": 5}");
        CliRun r = CliRun.of("train", "--config", cfg.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("'hiden'") && r.err().contains("'hidden'"), r.err());
        TrainEvalSampleTest.assertOneLine(r);
    }

    @Test
    void malformedConfigFile() throws IOException {
        Path cfg = dir.resolve("bad.json");
        Files.writeString(cfg, "{\"hidden\": 5,}");
        CliRun r = CliRun.of("train", "--config", cfg.toString());
        assertEquals(2, r.code(), r.toString());
        TrainEvalSampleTest.assertOneLine(r);
    }

    @Test
    void jsonLinesAreJsonObjects() {
        Path run = dir.resolve("jsonl");
        CliRun r = CliRun.of("train", "--text", text.toString(), "--json-lines", "--steps", "7", "--log-every", "3",
                "--hidden", "8", "--embedding", "4", "--window", "8", "--batch", "2", "--out", run.toString());
        assertEquals(0, r.code(), r.toString());
        List<Map<String, Object>> events = r.out().lines().map(Json::parseObject).toList();
        assertEquals("start", events.getFirst().get("event"));
        assertEquals("done", events.getLast().get("event"));
        List<Long> steps = events.stream().filter(e -> "step".equals(e.get("event")))
                .map(e -> (Long) e.get("step")).toList();
        assertEquals(List.of(1L, 3L, 6L, 7L), steps);
        assertEquals(run.resolve("model.safetensors").toString(), events.getLast().get("model"));
        assertTrue(events.get(1).containsKey("grad_norm") && events.get(1).containsKey("tokens_per_s"));
    }

    @Test
    void plainProgressWhenNotATerminal() {
        Path run = dir.resolve("plain");
        CliRun r = CliRun.of("train", "--text", text.toString(), "--steps", "4", "--log-every", "2",
                "--hidden", "8", "--embedding", "4", "--window", "8", "--batch", "2", "--out", run.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("step 2/4  loss "), r.out());
        assertTrue(!r.out().contains("\r"), "no live line when not on a terminal");
    }

    @Test
    void aStopRequestFinishesTheStepAndSavesTheModel() {
        Path run = dir.resolve("stopped");
        StopSignal stop = new StopSignal() {
            @Override
            boolean requested() { // as if Ctrl-C came during the third step (two are in metrics.csv)
                try {
                    return Files.exists(run.resolve("metrics.csv"))
                            && Files.readAllLines(run.resolve("metrics.csv")).size() > 2;
                } catch (IOException e) {
                    return false;
                }
            }
        };
        CliRun r = CliRun.with(stop, "train", "--text", text.toString(), "--steps", "50", "--hidden", "8",
                "--embedding", "4", "--window", "8", "--batch", "2", "--out", run.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        String at = ModelFile.load(run.resolve("model.safetensors")).metadata().get("trained_steps");
        assertTrue(Integer.parseInt(at) >= 2 && Integer.parseInt(at) < 50, at);
        assertTrue(r.out().contains("stopped at step " + at + " of 50"), r.out());
    }
}
