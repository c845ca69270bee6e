package recur.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LearningRateScheduleTest {

    @Test
    void constant() {
        LearningRateSchedule s = LearningRateSchedule.parse("constant", 0.01, 100);
        assertInstanceOf(LearningRateSchedule.Constant.class, s);
        assertEquals(0.01, s.lr(0), 0.0);
        assertEquals(0.01, s.lr(1_000_000), 0.0);
    }

    @Test
    void stepDecay() {
        LearningRateSchedule s = LearningRateSchedule.parse("step:1000:0.5", 0.1, 0);
        assertEquals(0.1, s.lr(0), 0.0);
        assertEquals(0.1, s.lr(999), 0.0);
        assertEquals(0.05, s.lr(1000), 1e-15);
        assertEquals(0.05, s.lr(1999), 1e-15);
        assertEquals(0.025, s.lr(2500), 1e-15);
        assertEquals(0.1 * Math.pow(0.5, 10), s.lr(10_000), 1e-18);
    }

    @Test
    void cosineWithWarmup() {
        LearningRateSchedule s = LearningRateSchedule.parse("cosine:warmup=100:min=1e-4", 1.0, 1100);
        assertEquals(0.01, s.lr(0), 1e-15); // lr * (0 + 1) / 100
        assertEquals(0.5, s.lr(49), 1e-15);
        assertEquals(1.0, s.lr(99), 1e-15); // end of warm-up reaches lr
        assertEquals(1.0, s.lr(100), 1e-15); // cosine starts at lr
        assertEquals((1.0 + 1e-4) / 2, s.lr(600), 1e-12); // halfway
        assertEquals(1e-4 + (1 - 1e-4) * 0.5 * (1 + Math.cos(Math.PI * 0.25)), s.lr(350), 1e-12);
        assertEquals(1e-4, s.lr(1100), 1e-15);
        assertEquals(1e-4, s.lr(5000), 1e-15); // stays at min after the horizon
        for (long t = 101; t < 1100; t++) {
            assertTrue(s.lr(t) <= s.lr(t - 1), "not decreasing at " + t);
        }
    }

    @Test
    void cosineDefaultsAndExplicitTotal() {
        LearningRateSchedule s = LearningRateSchedule.parse("cosine", 0.1, 10);
        assertEquals(0.1, s.lr(0), 0.0);
        assertEquals(0.05, s.lr(5), 1e-15);
        assertEquals(0.0, s.lr(10), 1e-15);
        LearningRateSchedule t = LearningRateSchedule.parse("cosine:total=20", 0.1, 0);
        assertEquals(0.05, t.lr(10), 1e-15);
    }

    @Test
    void specRoundTrips() {
        for (String spec : new String[] {"constant", "step:1000:0.5", "cosine:warmup=100:min=1e-4:total=500"}) {
            LearningRateSchedule s = LearningRateSchedule.parse(spec, 0.01, 1000);
            assertEquals(s, LearningRateSchedule.parse(s.spec(), 0.01, 1000));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "linear", "constant:1", "step", "step:100", "step:0:0.5", "step:100:-1",
            "step:abc:0.5", "cosine:warmup", "cosine:warmup=x", "cosine:foo=1", "cosine:min=2"})
    void badSpecsGiveOneLineErrors(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LearningRateSchedule.parse(spec, 0.1, 1000));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("constant | step"), e.getMessage());
    }

    @Test
    void cosineNeedsATotal() {
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.parse("cosine", 0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.parse("constant", 0.1, 0).lr(-1));
    }
}
