package recur.dist;

import java.util.UUID;

/** Event-bus addresses of one run; {@code run} keeps several runs on one bus apart. */
public record Addresses(String run) {
    public static final String DEFAULT_RUN = "default";

    public Addresses {
        if (run == null || run.isBlank()) {
            run = DEFAULT_RUN;
        }
    }

    public String join() {
        return "recur." + run + ".ps.join";
    }

    public String push() {
        return "recur." + run + ".ps.push";
    }

    public String heartbeat() {
        return "recur." + run + ".ps.heartbeat";
    }

    public String leave() {
        return "recur." + run + ".ps.leave";
    }

    /**
     * Addresses of parameter shard {@code k} (1..K-1) of a sharded server: {@code push} (gradient
     * slices), {@code weights} (slice requests), {@code reduce}, {@code commit} (from the server).
     */
    public String slice(int k, String what) {
        return "recur." + run + ".ps" + k + "." + what;
    }

    /** A fresh, unique address for one worker's incoming weights. */
    public String newWorkerAddress() {
        return "recur." + run + ".worker." + UUID.randomUUID();
    }
}
