package recur.dist;

/** Why the parameter server refused a gradient push (it counts each and leaves the model alone). */
public enum Reject {
    UNKNOWN_WORKER, WRONG_SIZE, NON_FINITE, FUTURE_VERSION, TOO_STALE, DUPLICATE, MALFORMED
}
