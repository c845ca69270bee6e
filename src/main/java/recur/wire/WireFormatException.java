package recur.wire;

/** A message that does not decode: wrong format version, sizes that do not add up, malformed bytes. */
public final class WireFormatException extends IllegalArgumentException {
    public WireFormatException(String message) {
        super(message);
    }

    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
