package recur.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SvgPlotTest {

    static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    /** The series groups of a parsed document. */
    static List<Element> series(Document doc) {
        List<Element> out = new ArrayList<>();
        NodeList gs = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "g");
        for (int i = 0; i < gs.getLength(); i++) {
            Element g = (Element) gs.item(i);
            if (g.getAttribute("class").equals("series")) {
                out.add(g);
            }
        }
        return out;
    }

    static String pathData(Element seriesGroup) {
        return ((Element) seriesGroup.getElementsByTagNameNS("*", "path").item(0)).getAttribute("d");
    }

    static int count(String d, char command) {
        return (int) d.chars().filter(c -> c == command).count();
    }

    @Test
    void writesOneGroupPerSeriesWithEveryPoint() throws Exception {
        double[] a = new double[100];
        double[] b = new double[100];
        for (int i = 0; i < 100; i++) {
            a[i] = Math.exp(-i / 30.0);
            b[i] = 0.5 + 0.1 * Math.sin(i);
        }
        String svg = SvgPlot.lines("Loss & friends <test>", "step", "loss", List.of(Series.of("a", a), Series.of("b", b)))
                .toSvg();
        Document doc = parse(svg);
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        List<Element> groups = series(doc);
        assertEquals(2, groups.size());
        assertEquals("a", groups.get(0).getAttribute("data-name"));
        assertEquals("b", groups.get(1).getAttribute("data-name"));
        for (Element g : groups) {
            String d = pathData(g);
            assertEquals(1, count(d, 'M'));
            assertEquals(99, count(d, 'L'));
        }
        assertTrue(doc.getDocumentElement().getTextContent().contains("Loss & friends <test>"));
    }

    @Test
    void nanAndInfinityAreGaps() throws Exception {
        double[] y = {1, 2, Double.NaN, 4, 5, Double.POSITIVE_INFINITY, 7, Double.NaN};
        Element g = series(parse(SvgPlot.lines("t", "x", "y", List.of(Series.of("s", y))).toSvg())).get(0);
        String d = pathData(g);
        assertEquals(3, count(d, 'M'), d); // [1,2] [4,5] [7]
        assertEquals(2, count(d, 'L'), d);
        assertFalse(d.contains("NaN") || d.contains("Infinity"), d);
        assertEquals(5, g.getElementsByTagNameNS("*", "circle").getLength()); // short series: a marker per point
    }

    @Test
    void logAxisDropsNonPositiveValuesAndLabelsDecades() throws Exception {
        double[] y = {1e-3, 0, 1e2, -1, 1e4};
        Document doc = parse(SvgPlot.lines("t", "x", "norm", List.of(Series.of("s", y))).logY().toSvg());
        String d = pathData(series(doc).get(0));
        assertEquals(3, count(d, 'M'), d);
        assertEquals(0, count(d, 'L'), d);
        String text = doc.getDocumentElement().getTextContent();
        assertTrue(text.contains("0.001"), text);
        assertTrue(text.contains("10000"), text);
        assertTrue(text.contains("norm (log)"), text);
    }

    @Test
    void pointsStayInsideThePlotArea() throws Exception {
        double[] x = {10, 50, 100, 200};
        double[] y = {0.01, 0.2, 0.17, 0.5};
        Document doc = parse(SvgPlot.lines("t", "length", "error", List.of(new Series("s", x, y))).toSvg());
        String d = pathData(series(doc).get(0));
        for (String part : d.replace("M", " ").replace("L", " ").trim().split("\\s+")) {
            double v = Double.parseDouble(part);
            assertTrue(v >= 0 && v <= 800, d);
        }
    }

    @Test
    void emptyAndConstantSeriesStillRender() throws Exception {
        parse(SvgPlot.lines("t", "x", "y", List.of()).toSvg());
        parse(SvgPlot.lines("t", "x", "y", List.of(Series.of("nan", new double[] {Double.NaN}))).logY().toSvg());
        Document doc = parse(SvgPlot.lines("t", "x", "y", List.of(Series.of("c", new double[] {3, 3, 3}))).toSvg());
        assertEquals(2, count(pathData(series(doc).get(0)), 'L'));
    }

    @Test
    void columnStacksPlotsAndWriteWritesTheFile(@TempDir Path dir) throws Exception {
        SvgPlot p = SvgPlot.lines("a", "x", "y", List.of(Series.of("s", new double[] {1, 2})));
        Path file = dir.resolve("two.svg");
        SvgPlot.writeColumn(file, List.of(p, p.logY().size(600, 300)));
        Document doc = parse(Files.readString(file));
        assertEquals("700", doc.getDocumentElement().getAttribute("height"));
        assertEquals(2, series(doc).size());
        p.write(dir.resolve("one.svg"));
        assertEquals(p.toSvg(), Files.readString(dir.resolve("one.svg")));
    }

    @Test
    void rejectsMismatchedLengths() {
        assertThrows(IllegalArgumentException.class, () -> new Series("s", new double[2], new double[3]));
    }

    @Test
    void niceTicks() {
        assertEquals(0.2, Ticks.step(0, 1, 5), 1e-12);
        assertEquals(50, Ticks.step(0, 400, 8), 1e-12);
        assertEquals(List.of(0.0, 0.5, 1.0), Ticks.linear(0, 1, 0.5));
        assertEquals("0.25", Ticks.label(0.25, 0.05));
        assertEquals("200", Ticks.label(200, 50));
        assertEquals(List.of(0.0, 1.0, 2.0, 3.0), Ticks.log(0, 3));
    }
}
