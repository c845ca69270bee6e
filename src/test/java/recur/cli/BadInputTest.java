package recur.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static recur.cli.TrainEvalSampleTest.assertOneLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import recur.data.SyntheticText;

/** Every kind of bad input gives exit code 2 and one line that names the problem, never a stack trace. */
class BadInputTest {
    @TempDir
    static Path dir;
    static Path text;

    @BeforeAll
    static void data() throws IOException {
        text = dir.resolve("ok.txt");
        Files.writeString(text, SyntheticText.generate(11, 2000));
    }

    static CliRun train(String... more) {
        return CliRun.of(TrainEvalSampleTest.concat(new String[] {"train", "--quiet", "--steps", "1",
            "--hidden", "8", "--embedding", "4", "--window", "8", "--batch", "2",
            "--out", dir.resolve("run").toString()}, more));
    }

    static CliRun expectUserError(CliRun r, String... fragments) {
        assertEquals(2, r.code(), r.toString());
        assertOneLine(r);
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "expected '" + f + "' in: " + r.err());
        }
        return r;
    }

    @Test
    void missingFile() {
        expectUserError(train("--text", dir.resolve("nope.txt").toString()), "nope.txt", "does not exist");
    }

    @Test
    void directoryInsteadOfFile() {
        expectUserError(train("--text", dir.toString()), "is a directory");
    }

    @Test
    void emptyFile() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.txt"));
        expectUserError(train("--text", empty.toString()), "empty.txt", "is empty");
    }

    @Test
    void fileThatIsNotUtf8() throws IOException {
        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, new byte[] {'c', 'a', 'f', (byte) 0xE9, ' ', 'a', 'u', ' ', 'l', 'a', 'i', 't'});
        expectUserError(train("--text", latin1.toString()), "not UTF-8", "0xE9", "offset 3");
    }

    @Test
    void hiddenZero() {
        expectUserError(train("--text", text.toString(), "--hidden", "0"), "--hidden must be at least 1");
    }

    @Test
    void windowLongerThanTheData() {
        expectUserError(train("--text", text.toString(), "--window", "1500"), "--window 1500", "use --window 999");
    }

    @Test
    void moreStreamsThanTheDataSupports() throws IOException {
        Path tiny = dir.resolve("tiny.txt");
        Files.writeString(tiny, "abcde");
        expectUserError(train("--text", tiny.toString(), "--batch", "10"), "--batch 10", "use --batch 4");
    }

    @Test
    void unknownCell() {
        expectUserError(train("--text", text.toString(), "--cell", "transformer"), "unknown cell 'transformer'",
                "lstm");
    }

    @Test
    void unknownOptimizer() {
        expectUserError(train("--text", text.toString(), "--optimizer", "adamw"), "unknown optimizer 'adamw'");
    }

    @Test
    void badNumber() {
        expectUserError(train("--text", text.toString(), "--hidden", "many"), "'many'", "--hidden");
    }

    @Test
    void mistypedOptionGetsASuggestion() {
        expectUserError(train("--text", text.toString(), "--hiden", "8"), "unknown option '--hiden'", "--hidden");
    }

    @Test
    void mistypedCommandGetsASuggestion() {
        expectUserError(CliRun.of("trian"), "'trian'", "train");
    }

    @Test
    void noCommand() {
        expectUserError(CliRun.of(), "train, eval or sample");
    }

    @Test
    void badDistributedOptionSaysWhatToDo() { // more of them in DistTrainTest
        expectUserError(train("--text", text.toString(), "--staleness", "2"), "--staleness 2", "--mode async");
    }

    @Test
    void truncatedModelFile() throws IOException {
        Path run = dir.resolve("trained");
        CliRun ok = CliRun.of("train", "--quiet", "--text", text.toString(), "--steps", "1", "--hidden", "8",
                "--embedding", "4", "--window", "8", "--batch", "2", "--out", run.toString());
        assertEquals(0, ok.code(), ok.toString());
        byte[] bytes = Files.readAllBytes(run.resolve("model.safetensors"));
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        expectUserError(CliRun.of("eval", "--model", cut.toString(), "--text", text.toString()), "cut.safetensors");
        expectUserError(CliRun.of("sample", "--model", cut.toString()), "cut.safetensors");
    }

    @Test
    void missingModelFile() {
        expectUserError(CliRun.of("sample", "--model", dir.resolve("none.safetensors").toString()), "does not exist");
    }

    @Test
    void missingRequiredOption() {
        expectUserError(CliRun.of("eval", "--text", text.toString()), "--model");
    }

    @Test
    void debugShowsTheStackTrace() {
        CliRun r = train("--text", dir.resolve("nope.txt").toString(), "--debug");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("recur: ") && r.err().contains("\tat recur.cli."), r.err());
    }

    @Test
    void helpShowsExamplesAndVersionPrintsTheVersion() {
        for (String command : new String[] {"train", "eval", "sample"}) {
            CliRun help = CliRun.of(command, "--help");
            assertEquals(0, help.code());
            assertTrue(help.out().contains("Examples:"), help.out());
        }
        CliRun version = CliRun.of("--version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("recur "), version.out());
    }
}
