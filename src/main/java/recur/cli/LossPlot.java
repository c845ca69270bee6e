package recur.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import recur.plot.Series;
import recur.plot.SvgPlot;

/**
 * {@code loss.svg} in the run directory, drawn from its {@code metrics.csv} when training ends: the
 * loss and its smoothed curve against the step, and below it the gradient norm (before clipping, log
 * scale). Long runs are thinned to at most {@link #MAX_POINTS} points per curve (the smoothed loss is
 * computed from every step first).
 */
final class LossPlot {
    static final String FILE = "loss.svg";
    static final int MAX_POINTS = 2000;
    /** The smoothing {@link Progress} shows: EMA weight 0.95 on the past, bias-corrected. */
    private static final double SMOOTHING = 0.95;

    private LossPlot() {
    }

    /**
     * Writes {@code loss.svg} next to {@code metrics.csv} in {@code runDir}; returns its path, or null
     * when there is nothing to plot (no metrics, or no step yet).
     */
    static Path write(Path runDir) {
        Path csv = runDir.resolve("metrics.csv");
        Path svg = runDir.resolve(FILE);
        try {
            if (!Files.isRegularFile(csv)) {
                return null;
            }
            List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
            if (lines.size() < 2) {
                return null;
            }
            SvgPlot.writeColumn(svg, plots(lines));
            return svg;
        } catch (IOException | RuntimeException e) {
            throw new UserError("cannot write the loss plot " + svg + ": " + e.getMessage(), e);
        }
    }

    /** The two plots of a metrics.csv (header line first). */
    static List<SvgPlot> plots(List<String> lines) {
        List<String> header = List.of(lines.get(0).split(","));
        int stepCol = column(header, "step");
        int lossCol = column(header, "loss");
        int normCol = column(header, "grad_norm");
        int n = lines.size() - 1;
        double[] step = new double[n];
        double[] loss = new double[n];
        double[] smooth = new double[n];
        double[] norm = new double[n];
        double ema = 0;
        double weight = 0;
        for (int i = 0; i < n; i++) {
            String[] f = lines.get(i + 1).split(",", -1);
            step[i] = number(f, stepCol);
            loss[i] = number(f, lossCol);
            norm[i] = number(f, normCol);
            if (Double.isFinite(loss[i])) {
                ema = SMOOTHING * ema + (1 - SMOOTHING) * loss[i];
                weight = SMOOTHING * weight + (1 - SMOOTHING);
            }
            smooth[i] = weight > 0 ? ema / weight : Double.NaN;
        }
        int stride = Math.max(1, (n + MAX_POINTS - 1) / MAX_POINTS);
        String thinned = stride > 1 ? " (every " + stride + "th step)" : "";
        SvgPlot losses = SvgPlot.lines("Training loss" + thinned, "step", "loss",
                List.of(thin("loss", step, loss, stride), thin("smoothed loss", step, smooth, stride)));
        SvgPlot norms = SvgPlot.lines("Gradient norm before clipping" + thinned, "step", "global L2 norm",
                List.of(thin("gradient norm", step, norm, stride))).logY();
        return List.of(losses, norms);
    }

    private static Series thin(String name, double[] x, double[] y, int stride) {
        List<double[]> keep = new ArrayList<>();
        for (int i = 0; i < x.length; i += stride) {
            keep.add(new double[] {x[i], y[i]});
        }
        if ((x.length - 1) % stride != 0) {
            keep.add(new double[] {x[x.length - 1], y[x.length - 1]}); // always show the last step
        }
        double[] xs = new double[keep.size()];
        double[] ys = new double[keep.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = keep.get(i)[0];
            ys[i] = keep.get(i)[1];
        }
        return new Series(name, xs, ys);
    }

    private static int column(List<String> header, String name) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("metrics.csv has no column " + name);
        }
        return i;
    }

    /** A number of the row; NaN for a missing, empty or non-numeric field ("NaN" included). */
    private static double number(String[] fields, int col) {
        if (col >= fields.length) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(fields[col].trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
