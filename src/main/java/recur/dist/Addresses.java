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

    /** Where parameter shard nodes ({@code recur ps-shard}) offer themselves to the server. */
    public String shardOffer() {
        return "recur." + run + ".ps.shard-offer";
    }

    /** A fresh, unique address for one parameter shard node's setup and end messages. */
    public String newShardNodeAddress() {
        return "recur." + run + ".shard-node." + UUID.randomUUID();
    }

    /** A fresh, unique address for one worker's incoming weights. */
    public String newWorkerAddress() {
        return "recur." + run + ".worker." + UUID.randomUUID();
    }
}
