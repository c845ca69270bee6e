package recur.data;

import java.util.Arrays;

/**
 * Z-score normalisation per channel, {@code z = (x - mean) / std}, with the statistics of the training
 * steps. One-hot channels are left as they are (mean 0, std 1), and so is the spread of a constant
 * channel (std 1). The statistics travel in the model file so that eval and forecast use the training
 * ones.
 */
public record Normalizer(double[] mean, double[] std) {

    public Normalizer {
        if (mean.length != std.length) {
            throw new IllegalArgumentException(mean.length + " means but " + std.length + " standard deviations");
        }
        for (double s : std) {
            if (!(s > 0) || !Double.isFinite(s)) {
                throw new IllegalArgumentException("a standard deviation must be positive and finite, got " + s);
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** Mean and (population) standard deviation of each numeric channel over steps [0, rows). */
    public static Normalizer fit(TimeSeries s, int rows) {
        if (rows < 1 || rows > s.length()) {
            throw new IllegalArgumentException("cannot fit on " + rows + " of " + s.length() + " steps");
        }
        int c = s.width();
        double[] mean = new double[c];
        double[] std = new double[c];
        Arrays.fill(std, 1);
        for (int j = 0; j < c; j++) {
            if (!s.channels().get(j).numeric()) {
                continue;
            }
            double sum = 0;
            for (int t = 0; t < rows; t++) {
                sum += s.value(t, j);
            }
            double m = sum / rows;
            double sq = 0;
            for (int t = 0; t < rows; t++) {
                double d = s.value(t, j) - m;
                sq += d * d;
            }
            double sd = Math.sqrt(sq / rows);
            mean[j] = m;
            std[j] = sd > 1e-12 * Math.max(1, Math.abs(m)) ? sd : 1;
        }
        return new Normalizer(mean, std);
    }

    public int width() {
        return mean.length;
    }

    /** The whole series normalised: (N, C). */
    public float[] apply(TimeSeries s) {
        if (s.width() != width()) {
            throw new IllegalArgumentException("the series has " + s.width() + " channels, the statistics "
                    + width());
        }
        int n = s.length();
        int c = width();
        float[] z = new float[Math.multiplyExact(n, c)];
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < c; j++) {
                z[t * c + j] = (float) normalize(j, s.value(t, j));
            }
        }
        return z;
    }

    public double normalize(int channel, double x) {
        return (x - mean[channel]) / std[channel];
    }

    public double restore(int channel, double z) {
        return z * std[channel] + mean[channel];
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] std() {
        return std.clone();
    }
}
