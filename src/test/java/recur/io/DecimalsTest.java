package recur.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Decimals writes exactly what String.format writes. */
class DecimalsTest {

    private static String fixed(double x, int d) {
        return Decimals.fixed(new StringBuilder(), x, d).toString();
    }

    private static String general(double x) {
        return Decimals.general6(new StringBuilder(), x).toString();
    }

    @Test
    void edgeCasesAsFormatterWritesThem() {
        double[] values = {0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 5678.25, 12.3456, -0.0004, 1e-5, 3.25e-7, 0.123456789,
                999999.5, 123456.7, 1234567, 9.9999995, 0.000123456, 0.0001, 0.00009999999, 1e100, -1e-300, 1e15,
                Double.MIN_VALUE, Double.MAX_VALUE, 7, 0.1, 0.2, 0.3};
        for (double x : values) {
            for (int d : new int[] {0, 1, 3, 6}) {
                assertEquals(String.format(Locale.ROOT, "%." + d + "f", x), fixed(x, d), x + " %." + d + "f");
            }
            assertEquals(String.format(Locale.ROOT, "%.6g", x), general(x), x + " %.6g");
        }
        for (double x : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertEquals(String.format(Locale.ROOT, "%.3f", x), fixed(x, 3));
            assertEquals(String.format(Locale.ROOT, "%.6g", x), general(x));
        }
    }

    @Test
    void randomValuesAsFormatterWritesThem() {
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 200_000; i++) {
            // magnitudes from 1e-12 to 1e12, both signs; a third rounded to three decimals, where ties are common
            double x = Math.pow(10, r.nextDouble(-12, 12)) * (r.nextBoolean() ? 1 : -1);
            if (i % 3 == 0) {
                x = Math.round(x * 1000) / 1000.0;
            }
            int d = new int[] {1, 3, 6}[i % 3];
            assertEquals(String.format(Locale.ROOT, "%." + d + "f", x), fixed(x, d), x + " %." + d + "f");
            assertEquals(String.format(Locale.ROOT, "%.6g", x), general(x), x + " %.6g");
        }
    }

    @Test
    void decimalsOutsideZeroToNineAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> fixed(1, 10));
        assertThrows(IllegalArgumentException.class, () -> fixed(1, -1));
    }
}
