package recur.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import recur.dist.NetworkProfile;

class ScalingModelTest {

    @Test
    void withoutNetworkCostsSyncScalesLinearly() {
        ScalingModel m = new ScalingModel(10, 0, 0, 1_000_000, 512, 4, NetworkProfile.LOOPBACK, 1, 0, -1);
        assertEquals(64, m.speedup(64, "sync"), 1e-9);
        assertEquals(Double.POSITIVE_INFINITY, m.saturationWorkers());
    }

    @Test
    void oneServerLinkSaturatesWhereItsTrafficEqualsTheComputeTime() {
        // P = 1M floats = 4 MB a message; 10 Gbit/s: 3.2 ms a message on each direction of the server link.
        NetworkProfile net = new NetworkProfile("t", 0, 0, 10e9, 0);
        ScalingModel m = new ScalingModel(64, 0, 0, 1_000_000, 512, 4, net, 1, 0, -1);
        assertEquals(20, m.saturationWorkers(), 0.01);
        double s16 = m.speedup(16, "sync");
        double s256 = m.speedup(256, "sync");
        // beyond saturation a round grows by m per worker: the speed-up tends to (compute + 4 m) / m = 24
        assertTrue(s16 < 16 && s256 > s16 && s256 < 24, "speed-up flattens below 24: " + s16 + ", " + s256);
        // bf16 halves the bytes: saturation twice as far; 4 shards: four times as far
        assertEquals(40, new ScalingModel(64, 0, 0, 1_000_000, 512, 2, net, 1, 0, -1).saturationWorkers(), 0.01);
        assertEquals(80, new ScalingModel(64, 0, 0, 1_000_000, 512, 4, net, 4, 0, -1).saturationWorkers(), 0.01);
        assertEquals(2 * 16 * (4_000_000 + 64), m.predict(16, "sync").bytesPerRound(), 1e-6);
        // the round: compute, the worker's own 2 m, and (N + 1) m of the server link, m = 3.2 ms
        double mMs = (4_000_000 + 64) * 8 / 10e9 * 1e3;
        assertEquals(64 + 2 * mMs + 17 * mMs, m.predict(16, "sync").roundMs(), 1e-9);
    }

    @Test
    void asyncIsCappedByTheServer() {
        ScalingModel m = new ScalingModel(10, 0, 1, 1000, 100, 4, NetworkProfile.LOOPBACK, 1, 0, -1);
        // one update per ms at most: 100 tokens/ms = 100k tokens/s
        assertEquals(100_000, m.predict(256, "async").tokensPerSecond(), 1e-6);
        // on 2 cores, 4 workers compute half as fast each
        ScalingModel shared = new ScalingModel(10, 0, 0, 1000, 100, 4, NetworkProfile.LOOPBACK, 1, 2, -1);
        assertEquals(2, shared.speedup(4, "sync"), 1e-9);
    }

    @Test
    void aGivenComputeTimeReplacesTheStretchedOne() {
        ScalingModel shared = new ScalingModel(10, 1, 0, 1000, 100, 4, NetworkProfile.LOOPBACK, 1, 2, -1);
        // 4 workers on 2 cores: compute stretched to 20 ms, round 21 ms
        assertEquals(21, shared.predict(4, "sync").roundMs(), 1e-9);
        // measured 12 ms a window in that run: round 13 ms, and the stretch no longer applies
        assertEquals(13, shared.withComputeMs(12).predict(4, "sync").roundMs(), 1e-9);
        assertEquals(4 * 100 / 0.013, shared.withComputeMs(12).predict(4, "sync").tokensPerSecond(), 1e-6);
    }

    @Test
    void theStalenessBoundRejectsAShareOfAsyncPushesThatGrowsWithWorkers() {
        ScalingModel m = new ScalingModel(10, 0, 0, 1000, 100, 4, NetworkProfile.LOOPBACK, 1, 0, 4);
        // up to s + 1 workers every push is at most s versions old
        assertEquals(1, m.acceptedShare(5), 0);
        // a = P(Binomial(7, a) <= 4): at a = 0.5937 both sides agree (checked by hand: 1 - P(5) - P(6) - P(7))
        double a8 = m.acceptedShare(8);
        double p = a8, q = 1 - p;
        double tail = 21 * Math.pow(p, 5) * q * q + 7 * Math.pow(p, 6) * q + Math.pow(p, 7);
        assertEquals(1 - tail, a8, 1e-6);
        assertEquals(0.594, a8, 0.002);
        // more workers, fewer accepted pushes; throughput follows the accepted ones
        assertTrue(m.acceptedShare(14) < a8 && m.acceptedShare(256) < m.acceptedShare(14));
        assertEquals(8 * a8 * 100 / 0.010, m.predict(8, "async").tokensPerSecond(), 1e-6);
        // no bound: everything is accepted
        assertEquals(1, new ScalingModel(10, 0, 0, 1000, 100, 4, NetworkProfile.LOOPBACK, 1, 0, -1).acceptedShare(256), 0);
        assertEquals(1, m.predict(64, "sync").acceptedShare(), 0);
    }

    @Test
    void theBinomialTailIsExactForSmallCases() {
        assertEquals(0.5, ScalingModel.binomialCdf(1, 0.5, 0), 1e-12);
        assertEquals(0.875, ScalingModel.binomialCdf(3, 0.5, 2), 1e-12);
        assertEquals(1, ScalingModel.binomialCdf(3, 0.7, 3), 1e-12);
        assertEquals(Math.pow(0.9, 1000), ScalingModel.binomialCdf(1000, 0.1, 0), 1e-15);
    }
}
