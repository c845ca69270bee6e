package recur.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class LossPlotTest {

    private static List<Element> seriesGroups(Path svg) throws Exception {
        var f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        var doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(Files.readAllBytes(svg)));
        NodeList gs = doc.getElementsByTagNameNS("*", "g");
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < gs.getLength(); i++) {
            Element g = (Element) gs.item(i);
            if (g.getAttribute("class").equals("series")) {
                out.add(g);
            }
        }
        return out;
    }

    @Test
    void plotsLossSmoothedLossAndGradientNormFromMetricsCsv(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder(MetricsCsv.HEADER).append('\n');
        for (int s = 1; s <= 5000; s++) {
            boolean skipped = s == 7;
            csv.append(s).append(',').append(skipped ? "NaN" : Double.toString(3.0 / Math.sqrt(s))).append(",64,1000.0,")
                    .append(skipped ? "NaN" : "1.5").append(",1,").append(skipped).append('\n');
        }
        Files.writeString(dir.resolve("metrics.csv"), csv, StandardCharsets.UTF_8);
        Path svg = LossPlot.write(dir);
        assertEquals(dir.resolve("loss.svg"), svg);
        List<Element> series = seriesGroups(svg);
        assertEquals(List.of("loss", "smoothed loss", "gradient norm"),
                series.stream().map(g -> g.getAttribute("data-name")).toList());
        String lossPath = ((Element) series.get(0).getElementsByTagNameNS("*", "path").item(0)).getAttribute("d");
        long points = lossPath.chars().filter(c -> c == 'M' || c == 'L').count();
        assertTrue(points <= LossPlot.MAX_POINTS + 1, "thinned to " + points);
        assertEquals(1667, points); // every 3rd of 5000 steps (1667), plus the last, minus the NaN at step 7
    }

    @Test
    void nothingToPlotWithoutSteps(@TempDir Path dir) throws Exception {
        assertNull(LossPlot.write(dir));
        Files.writeString(dir.resolve("metrics.csv"), MetricsCsv.HEADER + "\n");
        assertNull(LossPlot.write(dir));
        assertTrue(Files.notExists(dir.resolve("loss.svg")));
    }
}
