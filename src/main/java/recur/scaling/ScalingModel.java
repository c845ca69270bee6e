package recur.scaling;

import recur.dist.NetworkProfile;

/**
 * Predicts throughput of the parameter-server trainer for N workers from a few measured numbers and
 * a network profile (a roofline-style model in the spirit of Dean et al. 2012 and Li et al. 2014,
 * "Scaling Distributed Machine Learning with the Parameter Server").
 *
 * <p>One message carries the P parameters (or gradients) at {@code bytesPerValue} (4: f32, 2: bf16).
 * A link moves {@code bytes / bandwidth}; the server's link is shared by all workers, split over
 * {@code shards} parameter servers when the vector is sharded.
 * <ul>
 *   <li><b>sync</b>: round = compute(N) + overhead + 2 latency + 2 m (the worker's own link: the
 *       weights in, the gradient out) + (N + 1) m / K (the server link) + N apply, with m = msg / bw.
 *       Links are full duplex and a message is stored and forwarded (it takes m on the sender's
 *       outgoing side, then m on the receiver's incoming side), as {@code NetworkEmulator} does: the
 *       broadcast leaves the server one message after another, so worker i starts i m / K later,
 *       computes and pushes while the rest of the broadcast goes out, and its gradient reaches the
 *       server's incoming side i m / K later than the first; the last gradient is in after
 *       (N + 1) m / K of server-link time plus the worker's own 2 m. tokens/s = N B T / round. Each
 *       round moves N P b bytes out of and N P b bytes into the server link(s).
 *   <li><b>async</b>: a worker cycles through compute(N) + overhead + 2 latency + 2 msg/bw + apply;
 *       the server applies one gradient at a time and its link moves one message in and one out per
 *       push, so updates/s is at most min(1 / apply, a K bw / msg). tokens/s = B T min(a N / cycle, cap),
 *       where a is the share of pushes accepted under the staleness bound s ({@link #acceptedShare}).
 * </ul>
 * compute(N) is the measured one-worker compute time, stretched by {@code max(1, N / cores)} when all
 * workers share {@code cores} cores of one machine (0: one machine per worker, no stretch).
 *
 * @param computeMs     one window's compute on one worker (forward, backward, local clip), measured
 * @param overheadMs    per-round cost the network does not explain (event bus, scheduling), measured
 *                      with one worker on loopback
 * @param applyMs       the server's averaging and optimizer step per gradient, measured
 * @param params        P
 * @param tokensPerWindow B T: tokens one worker processes per window
 * @param staleness     async: the server rejects a gradient computed more than this many versions
 *                      ago; negative: no bound (and ignored in sync mode)
 */
public record ScalingModel(double computeMs, double overheadMs, double applyMs, long params, long tokensPerWindow,
                           int bytesPerValue, NetworkProfile network, int shards, int cores, int staleness) {

    public ScalingModel {
        if (shards < 1 || bytesPerValue < 1 || params < 1 || tokensPerWindow < 1) {
            throw new IllegalArgumentException("model: shards, bytes per value, parameters and tokens must be positive");
        }
    }

    /** What the model says for one setting. */
    public record Prediction(int workers, String mode, double tokensPerSecond, double roundMs, double computeMs,
                             double networkMs, double serverLinkMs, double bytesPerRound, double acceptedShare) {
    }

    /** Bytes of one gradient or weights message. */
    public double messageBytes() {
        return (double) params * bytesPerValue + 64;
    }

    private double linkMs(double bytes) {
        return network.transferSeconds(bytes) * 1e3;
    }

    private double computeMs(int n) {
        return computeMs * (cores > 0 ? Math.max(1.0, (double) n / cores) : 1.0);
    }

    public Prediction predict(int n, String mode) {
        double msg = messageBytes();
        double compute = computeMs(n);
        double lat = 2 * network.latencyMs();
        double own = 2 * linkMs(msg);
        return switch (mode) {
            case "sync" -> {
                double server = (n + 1) * linkMs(msg / shards);
                double round = compute + overheadMs + lat + own + server + n * applyMs;
                yield new Prediction(n, mode, n * tokensPerWindow / (round / 1e3), round, compute, lat + own, server,
                        2 * n * msg, 1);
            }
            case "async" -> {
                double cycle = compute + overheadMs + lat + own + applyMs;
                double a = acceptedShare(n);
                double linkCapPerMs = a * shards / Math.max(1e-9, linkMs(msg)); // rejected pushes use the link too
                double updatesPerMs = Math.min(a * n / cycle, Math.min(1 / Math.max(applyMs, 1e-9), linkCapPerMs));
                yield new Prediction(n, mode, updatesPerMs * 1e3 * tokensPerWindow, cycle, compute, lat + own,
                        linkMs(msg) / shards, 2 * msg, a);
            }
            default -> throw new IllegalArgumentException("mode must be sync or async, got " + mode);
        };
    }

    /**
     * Async: the share a of pushes the staleness bound lets through with {@code n} workers. A push's
     * staleness is the number of updates the server applied while its worker computed; with workers of
     * equal speed each of the other n - 1 pushes once in that time and is itself accepted with
     * probability a, so the staleness is Binomial(n - 1, a) and a = P(Binomial(n - 1, a) <= s): a fixed
     * point (the right side falls as a grows), found by bisection. 1 when n - 1 <= s or unbounded.
     */
    public double acceptedShare(int n) {
        if (staleness < 0 || n - 1 <= staleness) {
            return 1;
        }
        double lo = 0, hi = 1;
        for (int i = 0; i < 60; i++) {
            double a = (lo + hi) / 2;
            if (a < binomialCdf(n - 1, a, staleness)) {
                lo = a;
            } else {
                hi = a;
            }
        }
        return (lo + hi) / 2;
    }

    /** P(Binomial(m, p) <= k), summed in log space so that large m does not overflow. */
    static double binomialCdf(int m, double p, int k) {
        if (p <= 0) {
            return 1;
        }
        if (p >= 1) {
            return k >= m ? 1 : 0;
        }
        double sum = 0, logC = 0; // log C(m, j)
        for (int j = 0; j <= Math.min(k, m); j++) {
            if (j > 0) {
                logC += Math.log(m - j + 1) - Math.log(j);
            }
            sum += Math.exp(logC + j * Math.log(p) + (m - j) * Math.log1p(-p));
        }
        return Math.min(1, sum);
    }

    /**
     * The same model with the compute time of one window given (e.g. the median measured in an
     * N-worker run) instead of stretched for shared cores: what is left to predict is the
     * communication, the waiting and the server's work, which is the part that decides beyond one
     * machine.
     */
    public ScalingModel withComputeMs(double ms) {
        return new ScalingModel(ms, overheadMs, applyMs, params, tokensPerWindow, bytesPerValue, network, shards, 0,
                staleness);
    }

    /** Speed-up over one worker in the same mode. */
    public double speedup(int n, String mode) {
        return predict(n, mode).tokensPerSecond() / predict(1, mode).tokensPerSecond();
    }

    /**
     * Sync: the worker count at which each direction of the server link is busy for as long as a
     * window's compute (N msg / (K bw) = compute), beyond which adding workers mostly adds waiting
     * (infinite when bandwidth is unlimited).
     */
    public double saturationWorkers() {
        double perWorker = linkMs(messageBytes() / shards);
        return perWorker == 0 ? Double.POSITIVE_INFINITY : computeMs / perWorker;
    }
}
