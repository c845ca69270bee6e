package recur.dist;

import java.util.Locale;

/**
 * How gradients and weights travel in cluster mode: {@link #TCP}, a connection of each worker's own to
 * the parameter server ({@link TensorLink}), or {@link #BUS}, the clustered event bus like every other
 * message. Local mode passes messages by reference and has neither.
 */
public enum TensorTransport {
    TCP,
    BUS;

    /** "tcp" or "bus" (any case); anything else is an {@link IllegalArgumentException} saying what is expected. */
    public static TensorTransport parse(String s) {
        return switch (s == null ? "" : s.toLowerCase(Locale.ROOT)) {
            case "tcp" -> TCP;
            case "bus" -> BUS;
            default -> throw new IllegalArgumentException("expected tcp or bus, got '" + s + "'");
        };
    }

    /** The name on the command line and in JoinRequest.tensor_transport. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
