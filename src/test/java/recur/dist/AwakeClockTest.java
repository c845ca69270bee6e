package recur.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AwakeClockTest {
    private long wall = 1_000_000_000L;

    @Test
    void readingsCloserThanTheCapFollowWallTime() {
        AwakeClock c = new AwakeClock(() -> wall, 200);
        for (int i = 1; i <= 10; i++) {
            wall += 150;
            assertEquals(150L * i, c.now());
        }
    }

    @Test
    void aLongGapCountsAsTheCapOnly() {
        AwakeClock c = new AwakeClock(() -> wall, 200);
        wall += 100;
        assertEquals(100, c.now());
        wall += 5_000; // a stall between two readings
        assertEquals(300, c.now());
        wall += 0; // a catch-up reading right after it
        assertEquals(300, c.now());
        wall += 50;
        assertEquals(350, c.now());
    }

    @Test
    void aClockThatStepsBackAddsNothing() {
        AwakeClock c = new AwakeClock(() -> wall, 200);
        wall -= 1_000;
        assertEquals(0, c.now());
        wall += 100;
        assertEquals(100, c.now());
    }

    @Test
    void aCapThatIsNotPositiveIsRefused() {
        assertEquals("the gap cap must be positive, got 0 ns",
                assertThrows(IllegalArgumentException.class, () -> new AwakeClock(() -> wall, 0)).getMessage());
    }
}
