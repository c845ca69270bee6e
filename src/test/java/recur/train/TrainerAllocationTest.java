package recur.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import recur.data.TokenStreams;
import recur.math.Kernels;
import recur.model.CellType;
import recur.model.Initializer;
import recur.model.ModelSpec;
import recur.model.Task;
import recur.optim.LearningRateSchedule;
import recur.optim.Optimizers;

/**
 * Once warmed up, a training step allocates (almost) nothing: every workspace is made once. Measured
 * with the thread's allocated-bytes counter over blocks of 200 steps once the JIT has settled; the bound (256 bytes per step) leaves
 * room for the one small StepStats record a step returns.
 */
class TrainerAllocationTest {

    @ParameterizedTest
    @EnumSource(CellType.class)
    void steadyStateStepAllocatesAlmostNothing(CellType cell) {
        List<String> vocab = new ArrayList<>();
        for (char c = 'a'; c <= 'p'; c++) {
            vocab.add(String.valueOf(c));
        }
        ModelSpec spec = ModelSpec.tokens(cell, 2, 24, 8, vocab, Task.LM, vocab.size(), true);
        float[] params = Initializer.initialize(spec, 3, true);
        int[] tokens = new SplittableRandom(5).ints(4 * 16 * 50 + 1, 0, vocab.size()).toArray();
        TokenStreams streams = TokenStreams.of(tokens, 4, 16);
        Trainer trainer = new Trainer(spec, params, streams, 16, Optimizers.parse("adam", params.length),
                new LearningRateSchedule.Constant(1e-3), 1.0, 0.5, Kernels.get());
        // Steady state is reached once the JIT has compiled the kernels with their vectors kept in
        // registers; that takes seconds on a loaded machine, so measure successive blocks of steps until
        // one is clean, and fail if none is within the time limit.
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        int steps = 200;
        long deadline = System.nanoTime() + 60_000_000_000L;
        long perStep;
        do {
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < steps; i++) {
                trainer.step();
            }
            perStep = (threads.getThreadAllocatedBytes(tid) - before) / steps;
        } while (perStep > 256 && System.nanoTime() < deadline);
        assertTrue(perStep <= 256, cell + ": a warmed-up step allocated " + perStep + " bytes");
    }
}
