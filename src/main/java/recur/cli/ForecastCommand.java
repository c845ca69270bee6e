package recur.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import recur.data.CsvTable;
import recur.data.SeriesSchema;
import recur.data.TimeAxis;
import recur.data.TimeSeries;
import recur.plot.Series;
import recur.plot.SvgPlot;

/**
 * {@code recur forecast}: continues a CSV time series for {@code --horizon} steps with a model from
 * {@code recur train --csv}. The model's state is warmed over every row of the file, then each
 * prediction is fed back as the next input (multi-step, autoregressive). Writes the forecast as CSV
 * (in the data's units, with continued dates when the file has a date column) and an SVG plot of
 * the recent history and the forecast.
 */
@Command(name = "forecast", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        showDefaultValues = true,
        description = "Forecast the next steps of a CSV time series with a model from 'recur train --csv' "
                + "(each prediction is fed back as the next input).",
        footerHeading = "%nExamples:%n",
        footer = {
            "  recur forecast --model runs/temps/model.safetensors --csv temps.csv --horizon 30",
            "  recur forecast --model m.safetensors --csv data.csv --horizon 12 --out next.csv --plot next.svg"})
final class ForecastCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Time-series model file (.safetensors).")
    Path model;

    @Option(names = "--csv", required = true, paramLabel = "FILE", description = "The series so far (same columns as in training).")
    Path csv;

    @Option(names = "--horizon", required = true, paramLabel = "N", description = "Steps to forecast.")
    int horizon;

    @Option(names = "--out", paramLabel = "FILE", description = "Forecast CSV to write.")
    Path out = Path.of("forecast.csv");

    @Option(names = "--plot", paramLabel = "FILE", description = "SVG plot to write (default: --out with .svg).")
    Path plot;

    @Option(names = "--history", paramLabel = "N", description = "Rows of history in the plot (default: 3 x horizon, at least 100).")
    Integer history;

    @Option(names = "--debug", description = "Show the stack trace of an error.")
    boolean debug;

    @Override
    public Integer call() {
        if (horizon < 1) {
            throw new UserError("--horizon must be at least 1, got " + horizon);
        }
        if (history != null && history < 0) {
            throw new UserError("--history must be at least 0, got " + history);
        }
        SeriesModel m = SeriesModel.load(model);
        SeriesSchema schema = m.schema();
        CsvTable table = SeriesModel.table(csv);
        TimeSeries s = schema.read(table);
        int n = s.length();
        float[] z = m.forecast(schema.normalizer().apply(s), n, horizon);

        // Labels of the forecast steps: continued dates when the model knows a date column and the file has it.
        TimeAxis axis = schema.axis();
        String lastLabel = null;
        if (axis != null && table.header().contains(axis.column())) {
            lastLabel = table.cell(s.record(n - 1), table.header().indexOf(axis.column()));
            if (axis.after(lastLabel, 1) == null) {
                lastLabel = null;
            }
        }
        List<String> header = new ArrayList<>();
        header.add("step");
        if (lastLabel != null) {
            header.add(axis.column());
        }
        header.addAll(schema.columns().all());
        int c = schema.width();
        double[] target = new double[horizon];
        StringBuilder sb = new StringBuilder();
        sb.append(String.join(",", header.stream().map(ForecastCommand::quote).toList())).append("\r\n");
        for (int h = 0; h < horizon; h++) {
            List<String> row = new ArrayList<>();
            row.add(Integer.toString(n + h + 1));
            if (lastLabel != null) {
                row.add(quote(axis.after(lastLabel, h + 1)));
            }
            int ch = 0;
            for (String column : schema.columns().all()) {
                List<String> levels = schema.levels().get(column);
                if (levels == null) {
                    double v = schema.normalizer().restore(ch, z[h * c + ch]);
                    if (ch == 0) {
                        target[h] = v;
                    }
                    row.add(String.format(Locale.ROOT, "%.6g", v));
                    ch++;
                } else {
                    int level = 0;
                    for (int i = 0; i < levels.size(); i++) {
                        if (z[h * c + ch + i] > 0.5f) {
                            level = i;
                        }
                    }
                    row.add(quote(levels.get(level)));
                    ch += levels.size();
                }
            }
            sb.append(String.join(",", row)).append("\r\n");
        }
        write(out, sb.toString());
        Path svg = plot != null ? plot : withExtension(out, ".svg");
        int shown = Math.min(n, history != null ? history : Math.max(100, 3 * horizon));
        write(svg, plot(s, target, shown, schema.columns().target()));

        var o = main.context.out();
        String after = lastLabel != null ? " (" + lastLabel.strip() + ")" : "";
        o.println(String.format(Locale.ROOT, "forecast of '%s' for %d step%s after row %d%s of %s", schema.columns().target(),
                horizon, horizon == 1 ? "" : "s", n, after, csv));
        StringBuilder first = new StringBuilder();
        for (int h = 0; h < Math.min(horizon, 5); h++) {
            first.append(h == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4g", target[h]));
        }
        o.println("first values: " + first + (horizon > 5 ? ", ..." : ""));
        o.println("wrote " + out + " and " + svg);
        return 0;
    }

    /** History (the last {@code shown} steps) and the forecast, on one step axis. */
    static String plot(TimeSeries s, double[] forecast, int shown, String target) {
        int n = s.length();
        double[] hx = new double[shown];
        double[] hy = new double[shown];
        double[] y = s.target();
        for (int i = 0; i < shown; i++) {
            hx[i] = n - shown + i + 1;
            hy[i] = y[n - shown + i];
        }
        // The forecast line starts at the last observed step so that the two lines join.
        double[] fx = new double[forecast.length + 1];
        double[] fy = new double[forecast.length + 1];
        fx[0] = n;
        fy[0] = y[n - 1];
        for (int h = 0; h < forecast.length; h++) {
            fx[h + 1] = n + h + 1;
            fy[h + 1] = forecast[h];
        }
        List<Series> lines = new ArrayList<>();
        if (shown > 0) {
            lines.add(new Series("history", hx, hy));
        }
        lines.add(new Series("forecast", fx, fy));
        return SvgPlot.lines("Forecast of " + target, "step (row)", target, lines).toSvg();
    }

    static Path withExtension(Path p, String ext) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return p.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ext);
    }

    /** A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
    static String quote(String field) {
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0 && field.indexOf('\r') < 0) {
            return field;
        }
        return '"' + field.replace("\"", "\"\"") + '"';
    }

    private static void write(Path p, String text) {
        try {
            Path parent = p.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(p, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError("cannot write " + p + ": " + e.getMessage(), e);
        }
    }
}
