package recur.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import recur.data.CsvReader;
import recur.data.CsvTable;
import recur.data.SeriesSchema;
import recur.data.TimeSeries;
import recur.io.ModelFile;
import recur.math.Kernels;
import recur.model.ModelSpec;
import recur.model.Task;
import recur.nn.Network;
import recur.nn.RecurrentState;
import recur.nn.Window;

/**
 * A time-series model loaded for eval and forecast: spec, parameters and the {@link SeriesSchema} it
 * was trained with. The network reads the C normalised channels of step t and predicts those of step
 * t+1; {@link #oneStep} runs it over a series, {@link #forecast} continues a series by feeding each
 * prediction back as the next input.
 */
record SeriesModel(Path path, ModelSpec spec, float[] params, SeriesSchema schema) {
    /** Steps per forward pass; the state is carried across, so this only bounds memory. */
    static final int WINDOW = 256;

    static SeriesModel load(Path path) {
        TextFiles.requireReadable(path, "model file");
        ModelFile.LoadedModel m = ModelFile.load(path);
        String json = m.metadata().get(SeriesSchema.KEY);
        if (m.spec().tokenInput() || m.spec().task() != Task.REGRESSION || json == null) {
            throw new UserError("model file " + path + " is not a time-series model; this command needs one made by "
                    + "'recur train --csv FILE --target COLUMN'");
        }
        SeriesSchema schema = SeriesSchema.fromJson(json, path.toString());
        if (m.spec().inputSize() != schema.width() || m.spec().output() != schema.width()) {
            throw new UserError("model file " + path + " reads " + m.spec().inputSize() + " and predicts "
                    + m.spec().output() + " values per step, but its metadata lists " + schema.width() + " channels");
        }
        return new SeriesModel(path, m.spec(), m.params(), schema);
    }

    /** A CSV file parsed (UTF-8, RFC 4180); every way it can be unusable is a one-line error. */
    static CsvTable table(Path csv) {
        String text = TextFiles.readUtf8(csv, "CSV file");
        return CsvReader.parse(text, csv.toString());
    }

    /** The file read with the model's columns, levels and missing policy. */
    TimeSeries read(Path csv) {
        return schema.read(table(csv));
    }

    /** (N, C) outputs for (N, C) normalised inputs z: row t is the prediction for step t+1. */
    float[] oneStep(float[] z, int n) {
        int c = schema.width();
        float[] out = new float[Math.multiplyExact(n, c)];
        Network net = new Network(spec, 1, Math.max(1, Math.min(WINDOW, n)), Kernels.get());
        Window w = net.newWindow();
        RecurrentState state = net.newState();
        for (int from = 0; from < n; from += net.maxSteps()) {
            int steps = Math.min(net.maxSteps(), n - from);
            w.steps = steps;
            System.arraycopy(z, from * c, w.inputs, 0, steps * c);
            net.predict(params, w, state);
            System.arraycopy(net.outputs(), 0, out, from * c, steps * c);
        }
        return out;
    }

    /**
     * The next {@code horizon} steps after the n steps of z, normalised, (horizon, C): the state is warmed
     * over z, then each prediction becomes the next input (a categorical column's prediction as the
     * one-hot vector of its largest output).
     */
    float[] forecast(float[] z, int n, int horizon) {
        if (n < 1) {
            throw new IllegalArgumentException("forecasting needs at least one step of history");
        }
        int c = schema.width();
        float[] out = new float[Math.multiplyExact(horizon, c)];
        Network net = new Network(spec, 1, Math.max(1, Math.min(WINDOW, n)), Kernels.get());
        Window w = net.newWindow();
        RecurrentState state = net.newState();
        float[] last = new float[c];
        for (int from = 0; from < n; from += net.maxSteps()) {
            int steps = Math.min(net.maxSteps(), n - from);
            w.steps = steps;
            System.arraycopy(z, from * c, w.inputs, 0, steps * c);
            net.predict(params, w, state);
            System.arraycopy(net.outputs(), (steps - 1) * c, last, 0, c);
        }
        List<int[]> groups = categoricalGroups();
        for (int h = 0; h < horizon; h++) {
            snap(last, groups);
            System.arraycopy(last, 0, out, h * c, c);
            if (h + 1 < horizon) {
                w.steps = 1;
                System.arraycopy(last, 0, w.inputs, 0, c);
                net.predict(params, w, state);
                System.arraycopy(net.outputs(), 0, last, 0, c);
            }
        }
        return out;
    }

    /** [first channel, channel count] of each categorical column's one-hot block. */
    List<int[]> categoricalGroups() {
        List<int[]> groups = new ArrayList<>();
        int ch = 0;
        for (String column : schema.columns().all()) {
            List<String> levels = schema.levels().get(column);
            if (levels == null) {
                ch++;
            } else {
                groups.add(new int[] {ch, levels.size()});
                ch += levels.size();
            }
        }
        return groups;
    }

    /** Turns each one-hot block into the one-hot vector of its largest value. */
    static void snap(float[] x, List<int[]> groups) {
        for (int[] g : groups) {
            int best = g[0];
            for (int i = g[0]; i < g[0] + g[1]; i++) {
                if (x[i] > x[best]) {
                    best = i;
                }
            }
            for (int i = g[0]; i < g[0] + g[1]; i++) {
                x[i] = i == best ? 1f : 0f;
            }
        }
    }
}
