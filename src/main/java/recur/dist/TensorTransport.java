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

    /**
     * What a worker asks for in JoinRequest.tensor_transport: a link's frame layout is part of its name.
     * "tcp2" frames carry a message's values after its protobuf part ({@link TensorLink}); "tcp" was the
     * layout before, whose frames held whole protobuf messages: a server answers such a worker (of an
     * older build) without a link, so that its tensors take the event bus rather than a link it would
     * misread.
     */
    public static final String LINK_V2 = "tcp2";

    /** The name on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The name in JoinRequest.tensor_transport ({@link #LINK_V2} for a link). */
    public String joinLabel() {
        return this == TCP ? LINK_V2 : label();
    }
}
