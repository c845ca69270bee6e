package recur.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import recur.model.CellType;
import recur.model.ModelSpec;
import recur.model.Task;
import recur.nn.Network;
import recur.nn.RecurrentState;
import recur.nn.Window;

/** Column selection, missing values, one-hot, normalisation, the schema in JSON and the training windows. */
class TimeSeriesTest {

    static TimeSeries read(String csv, SeriesColumns columns) {
        return TimeSeries.read(CsvReader.parse(csv, "s.csv"), columns, null);
    }

    static SeriesColumns target(String target, MissingPolicy missing) {
        return new SeriesColumns(target, List.of(), List.of(), missing);
    }

    static String error(String csv, SeriesColumns columns) {
        return assertThrows(IllegalArgumentException.class, () -> read(csv, columns)).getMessage();
    }

    static final String GAPS = "day,y,x\n1,1,10\n2,NA,\n3,3,30\n4,,40\n5,9,50\n";

    @Test
    void targetAndFeaturesInChannelOrderOtherColumnsIgnored() {
        TimeSeries s = read("d,y,x,note\n2020-01-01,1.5,2,hello\n2020-01-02,-3e2,.5,world\n",
                new SeriesColumns("y", List.of("x", "y"), List.of(), null));
        assertEquals(List.of("y", "x"), s.channels().stream().map(TimeSeries.Channel::name).toList());
        assertArrayEquals(new double[] {1.5, 2, -300, 0.5}, s.values());
    }

    @Test
    void missingValuesWithoutAPolicyNameRowAndColumn() {
        String m = error(GAPS, target("y", MissingPolicy.ERROR));
        assertTrue(m.contains("s.csv: row 2 (line 3), column 'y': missing value 'NA'; choose --missing drop, ffill or interpolate"), m);
        String empty = error("y\n1\n \n", target("y", MissingPolicy.ERROR));
        assertTrue(empty.contains("row 2 (line 3), column 'y': missing value;"), empty);
    }

    @Test
    void dropLeavesOutIncompleteRows() {
        TimeSeries s = read(GAPS, new SeriesColumns("y", List.of("x"), List.of(), MissingPolicy.DROP));
        assertArrayEquals(new double[] {1, 10, 3, 30, 9, 50}, s.values());
        assertEquals(4, s.record(2), "the third kept step is the fifth row");
    }

    @Test
    void ffillCarriesTheLastValueAndBackfillsALeadingGap() {
        TimeSeries s = read("y,x\nNA,1\n2,\n,\n5,7\n", new SeriesColumns("y", List.of("x"), List.of(), MissingPolicy.FFILL));
        assertArrayEquals(new double[] {2, 1, 2, 1, 2, 1, 5, 7}, s.values());
    }

    @Test
    void interpolateIsLinearBetweenNeighboursAndFlatAtTheEnds() {
        TimeSeries s = read(GAPS, new SeriesColumns("y", List.of("x"), List.of(), MissingPolicy.INTERPOLATE));
        assertArrayEquals(new double[] {1, 10, 2, 20, 3, 30, 6, 40, 9, 50}, s.values());
        TimeSeries ends = read("y\nNA\n4\nNA\n", target("y", MissingPolicy.INTERPOLATE));
        assertArrayEquals(new double[] {4, 4, 4}, ends.values());
    }

    @Test
    void aColumnWithNoValuesIsAnError() {
        String m = error("y,x\n1,NA\n2,NA\n", new SeriesColumns("y", List.of("x"), List.of(), MissingPolicy.FFILL));
        assertTrue(m.contains("column 'x' has no values at all"), m);
    }

    @Test
    void badNumbersNameRowColumnAndValue() {
        String m = error("y,x\n1,2\n2,abc\n", new SeriesColumns("y", List.of("x"), List.of(), null));
        assertTrue(m.contains("row 2 (line 3), column 'x': 'abc' is not a number; if the column holds categories, "
                + "declare it with --categorical x"), m);
        assertTrue(error("y\n1\nInfinity\n", target("y", null)).contains("'Infinity' is not a number; the target must be numeric"));
        assertTrue(error("y\n0x1p3\n", target("y", null)).contains("'0x1p3' is not a number"));
    }

    @Test
    void categoricalColumnsAreOneHotInSortedLevelOrder() {
        String csv = "y,w\n1,rain\n2,sun\n3,fog\n4,sun\n";
        TimeSeries s = read(csv, new SeriesColumns("y", List.of(), List.of("w"), null));
        assertEquals(List.of("y", "w=fog", "w=rain", "w=sun"), s.channels().stream().map(TimeSeries.Channel::name).toList());
        assertEquals(Map.of("w", List.of("fog", "rain", "sun")), s.levels());
        assertArrayEquals(new double[] {1, 0, 1, 0, 2, 0, 0, 1, 3, 1, 0, 0, 4, 0, 0, 1}, s.values());
        // A model's levels: a level it never saw is an error.
        CsvTable later = CsvReader.parse("y,w\n5,snow\n", "later.csv");
        String m = assertThrows(IllegalArgumentException.class,
                () -> TimeSeries.read(later, new SeriesColumns("y", List.of(), List.of("w"), null), s.levels())).getMessage();
        assertTrue(m.contains("row 1 (line 2), column 'w': category 'snow' was not seen in training (known: fog, rain, sun)"), m);
    }

    @Test
    void theTargetCannotBeCategorical() {
        assertThrows(IllegalArgumentException.class, () -> new SeriesColumns("w", List.of(), List.of("w"), null));
    }

    @Test
    void normalizerRoundTripsAndLeavesOneHotAlone() {
        TimeSeries s = read("y,w\n1,a\n3,b\n5,a\n", new SeriesColumns("y", List.of(), List.of("w"), null));
        Normalizer z = Normalizer.fit(s, 3);
        assertEquals(3, z.mean()[0], 1e-12);
        assertEquals(Math.sqrt(8.0 / 3), z.std()[0], 1e-12);
        assertArrayEquals(new double[] {0, 0, 1, 1}, new double[] {z.mean()[1], z.mean()[2], z.std()[1], z.std()[2]});
        float[] v = z.apply(s);
        assertEquals(0f, v[3], 1e-6f);
        assertEquals(1f, v[5], 0f); // step 1 is level b
        for (int t = 0; t < 3; t++) {
            assertEquals(s.value(t, 0), z.restore(0, v[t * 3]), 1e-6);
        }
    }

    @Test
    void schemaSurvivesJson() {
        TimeSeries s = read("d,y,w\n2020-01,1,a\n2020-02,3,b\n2020-03,5,a\n",
                new SeriesColumns("y", List.of(), List.of("w"), MissingPolicy.INTERPOLATE));
        TimeAxis axis = TimeAxis.detect(CsvReader.parse("d,y,w\n2020-01,1,a\n2020-02,3,b\n2020-03,5,a\n", "s.csv"),
                List.of("y", "w"), new int[] {0, 1, 2});
        SeriesSchema schema = new SeriesSchema(new SeriesColumns("y", List.of(), List.of("w"), MissingPolicy.INTERPOLATE),
                s.levels(), List.of("y", "w=a", "w=b"), Normalizer.fit(s, 2), new Seasonality(12, "test"), axis, 2, 0.25);
        SeriesSchema back = SeriesSchema.fromJson(schema.toJson(), "m");
        assertEquals(schema.toJson(), back.toJson());
        assertArrayEquals(schema.normalizer().mean(), back.normalizer().mean());
        assertEquals(new TimeAxis("d", TimeAxis.Unit.MONTHS, 1), back.axis());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SeriesSchema.fromJson("{\"version\":1}", "m.st"))
                .getMessage().contains("model file m.st: the time-series metadata ('time_series') is damaged"));
    }

    @Test
    void timeAxisFromDatesAndItsSeason() {
        CsvTable daily = CsvReader.parse("Date,Temp\n1981-01-01,1\n1981-01-02,2\n1981-01-04,3\n1981-01-05,4\n", "d.csv");
        TimeAxis axis = TimeAxis.detect(daily, List.of("Temp"), new int[] {0, 1, 2, 3});
        assertEquals(new TimeAxis("Date", TimeAxis.Unit.DAYS, 1), axis, "the median gap, not the largest");
        assertEquals(365, axis.stepsPerYear());
        assertEquals("1981-01-07", axis.after("1981-01-05", 2));
        assertEquals("1750-01", new TimeAxis("m", TimeAxis.Unit.MONTHS, 1).after("1749-12", 1));
        assertNull(TimeAxis.detect(CsvReader.parse("t,y\n1,1\n2,2\n3,3\n", "x"), List.of("y"), new int[] {0, 1, 2}));
    }

    @Test
    void seasonFromAutocorrelation() {
        SplittableRandom r = new SplittableRandom(5);
        double[] y = new double[600];
        for (int t = 0; t < y.length; t++) {
            y[t] = Math.sin(2 * Math.PI * t / 24) + 0.2 * r.nextGaussian();
        }
        assertEquals(24, Seasonality.fromAutocorrelation(y).period());
        double[] trend = new double[100];
        for (int t = 0; t < trend.length; t++) {
            trend[t] = t;
        }
        assertEquals(1, Seasonality.fromAutocorrelation(trend).period(), "a trend has no season");
        // A peak within 3% of a year of daily steps is the calendar year; one far from it is the data's own.
        TimeAxis daily = new TimeAxis("Date", TimeAxis.Unit.DAYS, 1);
        double[] yearly = new double[3 * 367];
        for (int t = 0; t < yearly.length; t++) {
            yearly[t] = Math.sin(2 * Math.PI * t / 367);
        }
        assertEquals(365, Seasonality.of(daily, yearly).period());
        assertEquals(24, Seasonality.of(daily, y).period());
        assertEquals(365, Seasonality.of(daily, trend).period(), "no peak: a year of the dates' steps");
    }

    @Test
    void windowsPairEachStepWithTheNextInContiguousStreams() {
        // 11 steps of 2 channels: value = step*10 + channel. 10 pairs, 3 streams of 3 (one pair unused).
        int c = 2;
        float[] data = new float[11 * c];
        for (int t = 0; t < 11; t++) {
            data[t * c] = t * 10;
            data[t * c + 1] = t * 10 + 1;
        }
        SeriesWindows w = new SeriesWindows(data, c, 3, 2);
        ModelSpec spec = ModelSpec.real(CellType.GRU, 1, 4, c, Task.REGRESSION, c, false);
        Network net = new Network(spec, 3, 2, recur.math.Kernels.get());
        Window win = net.newWindow();
        RecurrentState state = net.newState();
        assertEquals(2, w.next(win, state));
        // (t=1, b=2): stream 2 starts at step 6, so its second input is step 7 and its target step 8.
        int row = (1 * 3 + 2) * c;
        assertArrayEquals(new float[] {70, 71}, new float[] {win.inputs[row], win.inputs[row + 1]});
        assertArrayEquals(new float[] {80, 81}, new float[] {win.targetValues[row], win.targetValues[row + 1]});
        assertEquals(1, w.next(win, state), "the stream's tail is a shorter window");
        assertEquals(1, w.epoch());
        assertEquals(0, w.position());
    }
}
