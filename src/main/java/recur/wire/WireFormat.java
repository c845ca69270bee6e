package recur.wire;

/** The wire format version every message carries, and the check decoders apply to it. */
public final class WireFormat {
    /** Current format of every message in {@code proto/recur.proto}. */
    public static final int VERSION = 1;

    private WireFormat() {}

    /** Throws unless {@code found} is {@link #VERSION}. */
    public static void check(int found, String message) {
        if (found != VERSION) {
            throw new WireFormatException(message + ": expected format " + VERSION + ", found " + found);
        }
    }
}
