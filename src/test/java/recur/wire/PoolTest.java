package recur.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PoolTest {

    @Test
    void aBufferIsReusedOnlyAfterItsLastHolderReleasedIt() {
        Pool<float[]> pool = new Pool<>(() -> new float[4], 4);
        Pooled<float[]> a = pool.acquire();
        a.retain();                                   // a second holder (a message in flight)
        a.release();
        assertNotSame(a, pool.acquire(), "still held: a new buffer is made");
        a.release();
        assertSame(a, pool.acquire(), "released by both holders: reused");
        assertEquals(2, pool.made());
    }

    @Test
    void aBufferNeverReleasedIsReplacedAndTheFreeListIsBounded() {
        Pool<float[]> pool = new Pool<>(() -> new float[4], 1);
        Pooled<float[]> lost = pool.acquire();        // e.g. a dropped message: never released
        Pooled<float[]> b = pool.acquire();
        Pooled<float[]> c = pool.acquire();
        b.release();
        c.release();                                  // the free list holds one: c is left to the GC
        assertSame(b, pool.acquire());
        assertNotSame(c, pool.acquire());
        assertEquals(1, lost.references());
        assertEquals(4, pool.made());
    }

    @Test
    void releasingMoreOftenThanRetainedFails() {
        Pooled<float[]> a = new Pool<>(() -> new float[1], 2).acquire();
        a.release();
        assertThrows(IllegalStateException.class, a::release);
        assertThrows(IllegalStateException.class, a::retain);
    }
}
