package recur.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import recur.data.SyntheticText;

/**
 * The tiny scaling grid the CLI tests run (LSTM hidden 16, about 2,600 parameters, windows of 4 x 16
 * tokens, two validation points, on generated text) and the check that a child JVM finished and is gone.
 */
final class TinyGrids {
    private static final Pattern PID = Pattern.compile("\\(pid (\\d+)\\)");

    private TinyGrids() {}

    /** Writes the grid's training text into {@code dir}. */
    static Path text(Path dir) throws IOException {
        Path text = dir.resolve("text.txt");
        Files.writeString(text, SyntheticText.generate(3, 30_000));
        return text;
    }

    static CliRun scaling(Path text, Path out, String... more) {
        return CliRun.of(TrainEvalSampleTest.concat(new String[] {"experiment", "scaling", "--text", text.toString(),
            "--hidden", "16", "--embedding", "8", "--window", "16", "--batch", "4", "--tokens", "4000", "--evals", "2",
            "--out", out.toString()}, more));
    }

    /** The child's log says it finished, and the JVM whose pid it logged is gone. */
    static void finishedAndGone(Path log, String role) throws IOException {
        String content = Files.readString(log);
        assertTrue(content.contains(role + ": training finished"), log + ":\n" + content);
        Matcher m = PID.matcher(content);
        assertTrue(m.find(), "the child logs its pid: " + content);
        assertFalse(ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false),
                "child JVM " + m.group(1) + " is gone");
    }
}
