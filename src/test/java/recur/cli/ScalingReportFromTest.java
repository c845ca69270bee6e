package recur.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import recur.data.SyntheticText;

/**
 * {@code recur experiment scaling --report-from DIR}: a finished experiment keeps what its report
 * needs (experiment.json, scaling.csv, curves.csv), and writing the report again from them gives the
 * same measured numbers and, with the same model, the same predictions.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ScalingReportFromTest {
    @TempDir
    static Path dir;
    static Path out;
    static String report;
    static List<String> csv;

    @BeforeAll
    static void grid() throws IOException {
        Path text = dir.resolve("text.txt");
        Files.writeString(text, SyntheticText.generate(5, 30_000));
        out = dir.resolve("grid");
        CliRun r = CliRun.of("experiment", "scaling", "--text", text.toString(), "--hidden", "16", "--embedding", "8",
                "--window", "16", "--batch", "4", "--tokens", "4000", "--evals", "2", "--workers", "1,2",
                "--modes", "sync,async", "--staleness", "0", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        report = Files.readString(out.resolve("report.md"));
        csv = Files.readAllLines(out.resolve("scaling.csv"));
    }

    /**
     * The columns up to and including "dropped" are measurements, except speed-up and efficiency
     * (columns 13 and 14), which are recomputed from the stored, rounded tokens/s; the rest are the
     * model's.
     */
    private static String measured(String line) {
        List<String> v = new java.util.ArrayList<>(List.of(line.split(",")).subList(0, 30));
        v.set(13, "-");
        v.set(14, "-");
        return String.join(",", v);
    }

    @Test
    void theReportWrittenAgainKeepsEveryMeasuredNumberAndTheSamePredictions() throws IOException {
        assertTrue(Files.exists(out.resolve("experiment.json")) && Files.exists(out.resolve("curves.csv")));
        assertEquals("dropped", csv.getFirst().split(",")[29]);
        Files.delete(out.resolve("report.md"));
        Files.delete(out.resolve("model.csv"));
        Files.delete(out.resolve("loss-time.svg"));
        CliRun r = CliRun.of("experiment", "scaling", "--report-from", out.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("rewrote the report of 4 runs"), r.out());
        List<String> again = Files.readAllLines(out.resolve("scaling.csv"));
        assertEquals(csv.size(), again.size());
        for (int i = 0; i < csv.size(); i++) {
            assertEquals(measured(csv.get(i)), measured(again.get(i)), "row " + i);
            if (i > 0) { // derived from the stored (rounded) numbers: within a tenth of a percent
                for (int col : new int[] {13, 14}) {
                    double b = Double.parseDouble(csv.get(i).split(",")[col]);
                    assertEquals(b, Double.parseDouble(again.get(i).split(",")[col]), Math.max(1e-3, b * 1e-3),
                            "column " + col + " of row " + i);
                }
                double before = Double.parseDouble(csv.get(i).split(",")[30]);
                double after = Double.parseDouble(again.get(i).split(",")[30]);
                assertEquals(before, after, before * 1e-3, "prediction of row " + i);
            }
        }
        String rewritten = Files.readString(out.resolve("report.md"));
        assertEquals(report.lines().filter(l -> l.startsWith("| ")).count(),
                rewritten.lines().filter(l -> l.startsWith("| ")).count());
        // The fastest run again, or one that tied with it within the stored numbers' rounding (a full-suite
        // run once had two runs a hair apart, and the rewritten report, from rounded figures, picked the other).
        String fastest = line(report, "Fastest to the target");
        String fastestAgain = line(rewritten, "Fastest to the target");
        if (!fastest.equals(fastestAgain)) {
            assertEquals(secondsToTarget(fastest), secondsToTarget(fastestAgain), 0.15, fastest + " / " + fastestAgain);
        }
        assertTrue(Files.exists(out.resolve("model.csv")) && Files.exists(out.resolve("loss-time.svg")),
                "curves.csv brings back the loss plots");
    }

    private static double secondsToTarget(String fastestLine) {
        var m = java.util.regex.Pattern.compile(", ([0-9.]+) s \\(").matcher(fastestLine);
        assertTrue(m.find(), fastestLine);
        return Double.parseDouble(m.group(1));
    }

    private static String line(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("(none)");
    }

    @Test
    void aDirectoryWithoutTheStoredInputsIsRefusedInOneLine() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        BadInputTest.expectUserError(CliRun.of("experiment", "scaling", "--report-from", empty.toString()),
                "experiment.json is missing");
        BadInputTest.expectUserError(CliRun.of("experiment", "scaling", "--report-from",
                dir.resolve("nowhere").toString()), "is not a directory");
        BadInputTest.expectUserError(CliRun.of("experiment", "scaling", "--report-from", out.toString(),
                "--workers", "1,2"), "takes no grid options", "--workers");
        assertFalse(Files.exists(empty.resolve("report.md")), "nothing written");
    }

    @Test
    void aDamagedScalingCsvIsRefusedInOneLineNamingTheLine() throws IOException {
        Path bad = Files.createDirectories(dir.resolve("bad"));
        Files.copy(out.resolve("experiment.json"), bad.resolve("experiment.json"));
        List<String> lines = new java.util.ArrayList<>(csv);
        lines.set(2, lines.get(2).replaceFirst("^2,sync", "2,sideways"));
        Files.write(bad.resolve("scaling.csv"), lines);
        BadInputTest.expectUserError(CliRun.of("experiment", "scaling", "--report-from", bad.toString()),
                "line 3", "sync or async");
        Files.write(bad.resolve("scaling.csv"), List.of(csv.getFirst(), "1,sync,0"));
        BadInputTest.expectUserError(CliRun.of("experiment", "scaling", "--report-from", bad.toString()),
                "line 2", "fields");
        Files.writeString(bad.resolve("experiment.json"), "{\"format\": 9}");
        BadInputTest.expectUserError(CliRun.of("experiment", "scaling", "--report-from", bad.toString()),
                "\"format\": 1");
    }
}
