package recur.dist;

import java.time.Duration;

/**
 * Liveness timing: workers send a heartbeat every {@code heartbeat}; the server declares a worker
 * dead after {@code deadAfter} without one (sooner in cluster mode when Hazelcast reports its node
 * gone), and a worker re-joins after {@code deadAfter} without an answer from the server.
 * {@code requestTimeout} bounds join and heartbeat requests.
 */
public record DistTiming(Duration heartbeat, Duration deadAfter, Duration requestTimeout) {
    public static final DistTiming DEFAULT = new DistTiming(Duration.ofMillis(500), Duration.ofSeconds(5),
            Duration.ofSeconds(5));

    public DistTiming {
        if (heartbeat.isNegative() || heartbeat.isZero() || deadAfter.compareTo(heartbeat) <= 0) {
            throw new IllegalArgumentException("heartbeat must be positive and shorter than the dead-after timeout, got "
                    + heartbeat + " and " + deadAfter);
        }
    }

    public static DistTiming of(long heartbeatMs, long deadAfterMs) {
        return new DistTiming(Duration.ofMillis(heartbeatMs), Duration.ofMillis(deadAfterMs),
                Duration.ofMillis(Math.max(deadAfterMs, 1000)));
    }
}
