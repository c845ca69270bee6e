package recur.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import recur.model.CellType;
import recur.nn.RecurrentState;
import recur.nn.Window;

class MemoryTasksTest {

    @Test
    void addingHasTwoMarkersOneInEachHalfAndLabelsTheirSum() {
        AddingTask task = new AddingTask(17);
        var spec = task.spec(CellType.LSTM, 4);
        Window w = new Window(spec, 64, task.steps());
        task.fill(w, new SplittableRandom(3));
        assertEquals(17, w.steps);
        for (int s = 0; s < w.batch; s++) {
            int markers = 0;
            double sum = 0;
            for (int t = 0; t < 17; t++) {
                float value = w.inputs[(t * w.batch + s) * 2];
                float marker = w.inputs[(t * w.batch + s) * 2 + 1];
                assertTrue(value >= 0f && value < 1f);
                assertTrue(marker == 0f || marker == 1f);
                if (marker == 1f) {
                    assertTrue(markers == 0 ? t < 8 : t >= 8, "first marker in the first half, second in the second");
                    markers++;
                    sum += value;
                }
            }
            assertEquals(2, markers);
            assertEquals(sum, AddingTask.exactSum(w, s), 0.0);
            assertEquals(Math.round(sum * 10), w.labels[s]);
        }
    }

    @Test
    void addingErrorIsTheSquaredErrorOfTheExpectedSum() {
        AddingTask task = new AddingTask(4);
        Window w = new Window(task.spec(CellType.GRU, 4), 2, 4);
        task.fill(w, new SplittableRandom(5));
        float[] logits = new float[2 * AddingTask.BINS]; // uniform: the answer is the mean centre, 1.0
        double expected = 0;
        for (int s = 0; s < 2; s++) {
            expected += Math.pow(1.0 - AddingTask.exactSum(w, s), 2);
        }
        double[] e = task.errors(w, logits);
        assertEquals(expected, e[0], 1e-9);
        assertEquals(2, e[1]);
        for (int s = 0; s < 2; s++) { // certain of the right bin: only the rounding remains
            logits[s * AddingTask.BINS + w.labels[s]] = 100f;
        }
        e = task.errors(w, logits);
        assertTrue(e[0] / e[1] <= 0.05 * 0.05 + 1e-9, "rounding error only: " + e[0]);
        assertEquals(1.0 / 6.0, task.chanceError(), 0.0);
    }

    @Test
    void copyRecallsTheSymbolsAfterTheDelay() {
        CopyTask task = new CopyTask(6);
        assertEquals(2 * CopyTask.SYMBOLS + 6 + 1, task.steps());
        Window w = new Window(task.spec(CellType.LSTM, 4), 5, task.steps());
        task.fill(w, new SplittableRandom(9));
        int b = w.batch;
        for (int s = 0; s < b; s++) {
            for (int t = 0; t < task.steps(); t++) {
                int tok = w.tokens[t * b + s];
                int target = w.targets[t * b + s];
                if (t < CopyTask.SYMBOLS) {
                    assertTrue(tok >= 0 && tok < CopyTask.ALPHABET);
                } else if (t == task.recallStart() - 1) {
                    assertEquals(CopyTask.GO, tok);
                } else {
                    assertEquals(CopyTask.BLANK, tok);
                }
                if (t >= task.recallStart()) {
                    assertEquals(w.tokens[(t - task.recallStart()) * b + s], target);
                } else {
                    assertEquals(CopyTask.BLANK, target);
                }
            }
        }
        // Perfect logits score 0; logits that always say blank are scored on the symbols only (chance or worse).
        int o = CopyTask.ALPHABET + 2;
        float[] logits = new float[task.steps() * b * o];
        for (int r = 0; r < task.steps() * b; r++) {
            logits[r * o + w.targets[r]] = 10f;
        }
        assertArrayEquals(new double[] {0, CopyTask.SYMBOLS * b}, task.errors(w, logits));
        assertEquals(0.75, task.chanceError(), 0.0);
    }

    @Test
    void windowsAreReproducibleAndRevisitable() {
        CopyTask task = new CopyTask(3);
        var spec = task.spec(CellType.GRU, 4);
        TaskWindows a = new TaskWindows(task, 4, 42);
        TaskWindows b = new TaskWindows(task, 4, 42);
        Window wa = new Window(spec, 4, task.steps());
        Window wb = new Window(spec, 4, task.steps());
        RecurrentState state = new RecurrentState(spec, 4);
        a.next(wa, state);
        state.atStart[1] = false;
        a.next(wa, state);
        assertTrue(state.atStart[1], "every window starts every stream afresh");
        b.seek(1, 0);
        b.next(wb, state);
        assertArrayEquals(wa.tokens, wb.tokens);
        assertArrayEquals(wa.targets, wb.targets);
        b.next(wb, state);
        assertTrue(!java.util.Arrays.equals(wa.tokens, wb.tokens), "the next window differs");
    }
}
