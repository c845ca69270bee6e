package recur.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import recur.cli.Main;
import recur.model.CellType;

class ExperimentsTest {

    private static final MemoryExperiment.Settings TINY = new MemoryExperiment.Settings(List.of("adding", "copy"),
            List.of(4, 6), List.of(CellType.RNN_TANH, CellType.GRU), 8, 8, 15, "adam", 1e-2, 1.0, 32, 7, 2);

    private static final ClippingExperiment.Settings TINY_CLIP =
            new ClippingExperiment.Settings("rnn_tanh", 64, 16, 32, 16, 30, "sgd", 3.0, 0.01, 1.0, 1);

    static int seriesCount(Path svg) throws Exception {
        var f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        var doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(Files.readAllBytes(svg)));
        NodeList gs = doc.getElementsByTagNameNS("*", "g");
        int n = 0;
        for (int i = 0; i < gs.getLength(); i++) {
            if (((Element) gs.item(i)).getAttribute("class").equals("series")) {
                n++;
            }
        }
        return n;
    }

    @Test
    void memoryExperimentIsReproducibleWhateverTheThreadsAndWritesItsReports(@TempDir Path dir) throws Exception {
        List<MemoryExperiment.Result> a = MemoryExperiment.run(TINY, r -> { });
        MemoryExperiment.Settings oneThread = new MemoryExperiment.Settings(TINY.tasks(), TINY.lengths(), TINY.cells(),
                TINY.hidden(), TINY.batch(), TINY.steps(), TINY.optimizer(), TINY.lr(), TINY.clipNorm(),
                TINY.evalSequences(), TINY.seed(), 1);
        List<MemoryExperiment.Result> b = MemoryExperiment.run(oneThread, r -> { });
        assertEquals(8, a.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).task(), b.get(i).task());
            assertEquals(a.get(i).cell(), b.get(i).cell());
            assertEquals(a.get(i).error(), b.get(i).error(), 0.0);
            assertEquals(a.get(i).finalLoss(), b.get(i).finalLoss(), 0.0);
            assertTrue(Double.isFinite(a.get(i).error()) && a.get(i).error() >= 0);
        }
        String table = MemoryExperiment.table(a, TINY);
        assertTrue(table.contains("adding: MSE of the sum") && table.contains("copy: recall symbol error"), table);
        assertEquals(2 + 2 * 3, table.lines().count(), table); // per task: heading, column names, two lengths
        MemoryExperiment.writeCsv(dir.resolve("m.csv"), a);
        List<String> csv = Files.readAllLines(dir.resolve("m.csv"));
        assertEquals(MemoryExperiment.CSV_HEADER, csv.get(0));
        assertEquals(9, csv.size());
        MemoryExperiment.writePlot(dir.resolve("m.svg"), a, TINY);
        assertEquals(2 * (2 + 1), seriesCount(dir.resolve("m.svg"))); // per task: two cells and chance
    }

    @Test
    void clippingExperimentIsReproducibleAndClippingTamesTheGradient(@TempDir Path dir) throws Exception {
        List<ClippingExperiment.Run> a = ClippingExperiment.run(TINY_CLIP);
        List<ClippingExperiment.Run> b = ClippingExperiment.run(TINY_CLIP);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(a.get(i).loss(), b.get(i).loss(), 0.0);
            assertArrayEquals(a.get(i).gradNorm(), b.get(i).gradNorm(), 0.0);
        }
        // The first step is the same in all three runs (same weights, same window): clipping acts after it.
        assertEquals(a.get(0).loss()[0], a.get(1).loss()[0], 0.0);
        assertEquals(a.get(0).gradNorm()[0], a.get(2).gradNorm()[0], 0.0);
        // At lr 3 the unclipped plain RNN blows up (norms in the hundreds or more); both clipped runs stay
        // within a few units. The margin is two orders of magnitude, not a coin toss (see docs/experiments.md).
        double none = a.get(0).maxGradNorm();
        assertTrue(none > 10 * a.get(1).maxGradNorm() && none > 10 * a.get(2).maxGradNorm(), ClippingExperiment.table(a, TINY_CLIP));
        assertTrue(a.get(0).finalLoss() > a.get(2).finalLoss(), ClippingExperiment.table(a, TINY_CLIP));
        ClippingExperiment.writeCsv(dir.resolve("c.csv"), a);
        assertEquals(1 + 3 * 30, Files.readAllLines(dir.resolve("c.csv")).size());
        ClippingExperiment.writePlot(dir.resolve("c.svg"), a, TINY_CLIP);
        assertEquals(6, seriesCount(dir.resolve("c.svg")));
    }

    @Test
    void commandLineRunsBothExperimentsAndRejectsBadOptions(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int rc = Main.run(new String[] {"experiment", "memory", "--lengths", "3", "--cells", "gru", "--steps", "3",
            "--hidden", "4", "--eval", "8", "--out", dir.resolve("m").toString()}, o, e);
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        assertTrue(Files.exists(dir.resolve("m/memory.csv")) && Files.exists(dir.resolve("m/memory.svg")));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("adding: MSE of the sum"));
        rc = Main.run(new String[] {"experiment", "clipping", "--steps", "2", "--hidden", "4",
            "--out", dir.resolve("c").toString()}, o, e);
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        assertTrue(Files.exists(dir.resolve("c/clipping.csv")) && Files.exists(dir.resolve("c/clipping.svg")));
        err.reset();
        assertEquals(2, Main.run(new String[] {"experiment", "memory", "--cells", "lstm,foo"}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown cell 'foo'"), err.toString(StandardCharsets.UTF_8));
        assertEquals(2, Main.run(new String[] {"experiment", "memory", "--task", "sorting"}, o, e));
        assertEquals(2, Main.run(new String[] {"experiment", "clipping", "--lr", "-1"}, o, e));
        assertEquals(1, err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("--lr")).count());
    }
}
