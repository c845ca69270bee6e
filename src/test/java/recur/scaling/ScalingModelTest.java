package recur.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import recur.dist.NetworkProfile;

class ScalingModelTest {

    @Test
    void withoutNetworkCostsSyncScalesLinearly() {
        ScalingModel m = new ScalingModel(10, 0, 0, 1_000_000, 512, 4, NetworkProfile.LOOPBACK, 1, 0);
        assertEquals(64, m.speedup(64, "sync"), 1e-9);
        assertEquals(Double.POSITIVE_INFINITY, m.saturationWorkers());
    }

    @Test
    void oneServerLinkSaturatesWhereItsTrafficEqualsTheComputeTime() {
        // P = 1M floats = 4 MB a message; 10 Gbit/s: 3.2 ms a message on each direction of the server link.
        NetworkProfile net = new NetworkProfile("t", 0, 0, 10e9, 0);
        ScalingModel m = new ScalingModel(64, 0, 0, 1_000_000, 512, 4, net, 1, 0);
        assertEquals(20, m.saturationWorkers(), 0.01);
        double s16 = m.speedup(16, "sync");
        double s256 = m.speedup(256, "sync");
        // beyond saturation a round grows by m per worker: the speed-up tends to (compute + 4 m) / m = 24
        assertTrue(s16 < 16 && s256 > s16 && s256 < 24, "speed-up flattens below 24: " + s16 + ", " + s256);
        // bf16 halves the bytes: saturation twice as far; 4 shards: four times as far
        assertEquals(40, new ScalingModel(64, 0, 0, 1_000_000, 512, 2, net, 1, 0).saturationWorkers(), 0.01);
        assertEquals(80, new ScalingModel(64, 0, 0, 1_000_000, 512, 4, net, 4, 0).saturationWorkers(), 0.01);
        assertEquals(2 * 16 * (4_000_000 + 64), m.predict(16, "sync").bytesPerRound(), 1e-6);
        // the round: compute, the worker's own 2 m, and (N + 1) m of the server link, m = 3.2 ms
        double mMs = (4_000_000 + 64) * 8 / 10e9 * 1e3;
        assertEquals(64 + 2 * mMs + 17 * mMs, m.predict(16, "sync").roundMs(), 1e-9);
    }

    @Test
    void asyncIsCappedByTheServer() {
        ScalingModel m = new ScalingModel(10, 0, 1, 1000, 100, 4, NetworkProfile.LOOPBACK, 1, 0);
        // one update per ms at most: 100 tokens/ms = 100k tokens/s
        assertEquals(100_000, m.predict(256, "async").tokensPerSecond(), 1e-6);
        // on 2 cores, 4 workers compute half as fast each
        ScalingModel shared = new ScalingModel(10, 0, 0, 1000, 100, 4, NetworkProfile.LOOPBACK, 1, 2);
        assertEquals(2, shared.speedup(4, "sync"), 1e-9);
    }

    @Test
    void aGivenComputeTimeReplacesTheStretchedOne() {
        ScalingModel shared = new ScalingModel(10, 1, 0, 1000, 100, 4, NetworkProfile.LOOPBACK, 1, 2);
        // 4 workers on 2 cores: compute stretched to 20 ms, round 21 ms
        assertEquals(21, shared.predict(4, "sync").roundMs(), 1e-9);
        // measured 12 ms a window in that run: round 13 ms, and the stretch no longer applies
        assertEquals(13, shared.withComputeMs(12).predict(4, "sync").roundMs(), 1e-9);
        assertEquals(4 * 100 / 0.013, shared.withComputeMs(12).predict(4, "sync").tokensPerSecond(), 1e-6);
    }
}
