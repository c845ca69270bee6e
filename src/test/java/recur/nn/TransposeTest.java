package recur.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The tiled weight transpose against the plain double loop, at shapes that leave every kind of tail. */
class TransposeTest {

    @Test
    void tiledTransposeEqualsThePlainLoop() {
        SplittableRandom rng = new SplittableRandom(17);
        int[][] shapes = {{1024, 256}, {65, 256}, {13, 7}, {9, 70}, {1, 5}, {8, 8}, {130, 67}};
        for (int[] shape : shapes) {
            int rows = shape[0];
            int cols = shape[1];
            int off = 3;
            float[] src = new float[off + rows * cols];
            for (int i = 0; i < src.length; i++) {
                src[i] = (float) rng.nextDouble(-1, 1);
            }
            float[] expected = new float[rows * cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    expected[c * rows + r] = src[off + r * cols + c];
                }
            }
            float[] got = new float[rows * cols];
            RecurrentLayer.transpose(got, src, off, rows, cols);
            assertArrayEquals(expected, got, rows + " x " + cols);
        }
    }
}
