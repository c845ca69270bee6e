package recur.plot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A line plot written as a standalone SVG document, with no dependencies: named series, axes with
 * ticks, grid and labels, a title, a legend, and optionally a logarithmic y axis. Non-finite y values
 * (and values {@code <= 0} on a log axis) are gaps in their line. Several plots can be stacked into one
 * document with {@link #column}.
 *
 * <pre>{@code
 * SvgPlot.lines("Training loss", "step", "loss", List.of(Series.of("loss", losses)))
 *        .logY()
 *        .write(runDir.resolve("loss.svg"));
 * }</pre>
 *
 * <p>Each series is a {@code <g class="series" data-name="...">} holding one {@code <path>} (one
 * {@code M} per unbroken run of points, then {@code L} per point) and, for short series or isolated
 * points, {@code <circle>} markers; tests and tools may rely on that structure.
 */
public final class SvgPlot {
    /** Tableau 10: distinct, readable on white, friendly to common colour blindness. */
    private static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
    /** Series with at most this many points get a marker on every point. */
    private static final int MARKERS_UP_TO = 60;
    private static final int LEFT = 74;
    /** Right margin without a legend; the legend adds its own width (names at about 7 px a character). */
    private static final int RIGHT = 24;
    private static final double CHAR_WIDTH = 7.0;
    private static final int TOP = 36;
    private static final int BOTTOM = 52;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series;
    private final boolean logY;
    private final int width;
    private final int height;

    private SvgPlot(String title, String xLabel, String yLabel, List<Series> series, boolean logY, int width,
                    int height) {
        this.title = Objects.requireNonNull(title, "title");
        this.xLabel = Objects.requireNonNull(xLabel, "xLabel");
        this.yLabel = Objects.requireNonNull(yLabel, "yLabel");
        this.series = List.copyOf(series);
        this.logY = logY;
        if (width < LEFT + RIGHT + 200 || height < TOP + BOTTOM + 40) {
            throw new IllegalArgumentException("plot size " + width + "x" + height + " is too small");
        }
        this.width = width;
        this.height = height;
    }

    /** A line plot of {@code series} (800 x 400, linear axes). */
    public static SvgPlot lines(String title, String xLabel, String yLabel, List<Series> series) {
        return new SvgPlot(title, xLabel, yLabel, series, false, 800, 400);
    }

    /** This plot with a base-10 logarithmic y axis; values {@code <= 0} become gaps. */
    public SvgPlot logY() {
        return new SvgPlot(title, xLabel, yLabel, series, true, width, height);
    }

    /** This plot at {@code width x height} pixels. */
    public SvgPlot size(int width, int height) {
        return new SvgPlot(title, xLabel, yLabel, series, logY, width, height);
    }

    /** The plot as a standalone SVG document. */
    public String toSvg() {
        return column(List.of(this));
    }

    /** Writes {@link #toSvg()} to {@code path} (UTF-8, replacing the file). */
    public void write(Path path) throws IOException {
        Files.writeString(path, toSvg(), StandardCharsets.UTF_8);
    }

    /** One SVG document with {@code plots} stacked top to bottom (as wide as the widest). */
    public static String column(List<SvgPlot> plots) {
        if (plots.isEmpty()) {
            throw new IllegalArgumentException("no plots");
        }
        int w = 0;
        int h = 0;
        for (SvgPlot p : plots) {
            w = Math.max(w, p.width);
            h += p.height;
        }
        StringBuilder s = new StringBuilder(4096);
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n", w, h, w, h));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        int y = 0;
        for (SvgPlot p : plots) {
            p.render(s, y);
            y += p.height;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    /** Writes {@link #column} of {@code plots} to {@code path}. */
    public static void writeColumn(Path path, List<SvgPlot> plots) throws IOException {
        Files.writeString(path, column(plots), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------ rendering

    /** The value drawn for {@code y}: log10 on a log axis; NaN for a gap. */
    private double plotted(double y) {
        if (!Double.isFinite(y)) {
            return Double.NaN;
        }
        if (logY) {
            return y > 0 ? Math.log10(y) : Double.NaN;
        }
        return y;
    }

    private void render(StringBuilder s, int offsetY) {
        double x0 = Double.POSITIVE_INFINITY;
        double x1 = Double.NEGATIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY;
        double y1 = Double.NEGATIVE_INFINITY;
        for (Series r : series) {
            for (int i = 0; i < r.size(); i++) {
                double x = r.xAt(i);
                double y = plotted(r.yAt(i));
                if (Double.isFinite(x) && !Double.isNaN(y)) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        if (!(x0 <= x1)) { // no drawable point
            x0 = 0;
            x1 = 1;
            y0 = 0;
            y1 = 1;
        }
        if (x0 == x1) {
            x0 -= 1;
            x1 += 1;
        }
        double yStep;
        List<Double> yTicks;
        if (logY) {
            y0 = Math.floor(y0);
            y1 = Math.max(Math.ceil(y1), y0 + 1);
            yStep = Double.NaN;
            yTicks = Ticks.log(y0, y1);
        } else {
            if (y0 == y1) {
                double pad = y0 == 0 ? 1 : Math.abs(y0) * 0.1;
                y0 -= pad;
                y1 += pad;
            }
            yStep = Ticks.step(y0, y1, 5);
            y0 = Math.floor(y0 / yStep + 1e-9) * yStep;
            y1 = Math.ceil(y1 / yStep - 1e-9) * yStep;
            yTicks = Ticks.linear(y0, y1, yStep);
        }
        double xStep = Ticks.step(x0, x1, 8);
        List<Double> xTicks = Ticks.linear(x0, x1, xStep);

        int legendChars = legendChars();
        int plotW = width - LEFT - RIGHT - (legendChars == 0 ? 0 : (int) Math.ceil(36 + CHAR_WIDTH * legendChars));
        int plotH = height - TOP - BOTTOM;
        Frame f = new Frame(LEFT, offsetY + TOP, plotW, plotH, x0, x1, y0, y1);

        s.append("<g class=\"plot\">\n");
        s.append(String.format(Locale.ROOT, "<text class=\"title\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
                + "font-size=\"15\" font-weight=\"bold\">%s</text>\n", LEFT + plotW / 2.0, offsetY + 22, escape(title)));
        // grid, ticks and tick labels
        s.append("<g class=\"grid\" stroke=\"#e3e3e3\" stroke-width=\"1\">\n");
        for (double t : xTicks) {
            s.append(String.format(Locale.ROOT, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>\n",
                    f.px(t), f.top(), f.px(t), f.bottom()));
        }
        for (double t : yTicks) {
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\"/>\n",
                    f.left(), f.py(t), f.right(), f.py(t)));
        }
        s.append("</g>\n");
        s.append("<g class=\"x-ticks\" text-anchor=\"middle\" fill=\"#333\">\n");
        for (double t : xTicks) {
            s.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%d\">%s</text>\n", f.px(t), f.bottom() + 17,
                    escape(Ticks.label(t, xStep))));
        }
        s.append("</g>\n");
        s.append("<g class=\"y-ticks\" text-anchor=\"end\" fill=\"#333\">\n");
        for (double t : yTicks) {
            String label = logY ? Ticks.logLabel(t) : Ticks.label(t, yStep);
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.2f\">%s</text>\n", f.left() - 6, f.py(t) + 4,
                    escape(label)));
        }
        s.append("</g>\n");
        s.append(String.format(Locale.ROOT, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                + "fill=\"none\" stroke=\"#333\" stroke-width=\"1\"/>\n", f.left(), f.top(), plotW, plotH));
        s.append(String.format(Locale.ROOT, "<text class=\"x-label\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                LEFT + plotW / 2.0, f.bottom() + 40, escape(xLabel)));
        double cy = f.top() + plotH / 2.0;
        s.append(String.format(Locale.ROOT, "<text class=\"y-label\" x=\"18\" y=\"%.1f\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 18 %.1f)\">%s</text>\n", cy, cy, escape(yLabel + (logY ? " (log)" : ""))));
        for (int k = 0; k < series.size(); k++) {
            renderSeries(s, f, series.get(k), PALETTE[k % PALETTE.length]);
        }
        renderLegend(s, f);
        s.append("</g>\n");
    }

    private void renderSeries(StringBuilder s, Frame f, Series r, String color) {
        StringBuilder d = new StringBuilder();
        StringBuilder markers = new StringBuilder();
        boolean markAll = r.size() <= MARKERS_UP_TO;
        boolean inRun = false;
        for (int i = 0; i < r.size(); i++) {
            double x = r.xAt(i);
            double y = plotted(r.yAt(i));
            if (!Double.isFinite(x) || Double.isNaN(y)) {
                inRun = false;
                continue;
            }
            double px = f.px(x);
            double py = f.py(y);
            d.append(inRun ? " L" : (d.isEmpty() ? "M" : " M"));
            d.append(String.format(Locale.ROOT, "%.2f %.2f", px, py));
            boolean isolated = !inRun && !drawable(r, i + 1);
            if (markAll || isolated) {
                markers.append(String.format(Locale.ROOT, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\"/>", px, py));
            }
            inRun = true;
        }
        s.append("<g class=\"series\" data-name=\"").append(escape(r.name())).append("\">\n");
        s.append("<path fill=\"none\" stroke=\"").append(color)
                .append("\" stroke-width=\"1.6\" stroke-linejoin=\"round\" d=\"").append(d).append("\"/>\n");
        if (!markers.isEmpty()) {
            s.append("<g fill=\"").append(color).append("\">").append(markers).append("</g>\n");
        }
        s.append("</g>\n");
    }

    private boolean drawable(Series r, int i) {
        return i < r.size() && Double.isFinite(r.xAt(i)) && !Double.isNaN(plotted(r.yAt(i)));
    }

    private void renderLegend(StringBuilder s, Frame f) {
        s.append("<g class=\"legend\">\n");
        int x = f.right() + 14;
        for (int k = 0; k < series.size(); k++) {
            int y = f.top() + 10 + 20 * k;
            String color = PALETTE[k % PALETTE.length];
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"3\"/>\n", x, y, x + 22, y, color));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>\n", x + 28, y + 4,
                    escape(shorten(series.get(k).name(), legendChars()))));
        }
        s.append("</g>\n");
    }

    /** Characters the legend leaves room for: the longest name, at most a third of the width. */
    private int legendChars() {
        int longest = 0;
        for (Series r : series) {
            longest = Math.max(longest, r.name().length());
        }
        int most = (int) ((width / 3.0 - 36) / CHAR_WIDTH);
        return Math.min(longest, most);
    }

    private static String shorten(String name, int chars) {
        return name.length() <= chars ? name : name.substring(0, Math.max(0, chars - 1)) + "\u2026";
    }

    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                        b.append(' '); // not allowed in XML 1.0
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** The plot area in pixels and the data range it shows (y in plotted units). */
    private record Frame(int left, int top, int w, int h, double x0, double x1, double y0, double y1) {
        int right() {
            return left + w;
        }

        int bottom() {
            return top + h;
        }

        double px(double x) {
            return left + (x - x0) / (x1 - x0) * w;
        }

        double py(double y) {
            return top + h - (y - y0) / (y1 - y0) * h;
        }
    }
}
