package recur.cli;

/**
 * A problem with what the user asked for (a bad option value, a missing or malformed input file,
 * impossible settings). The message is one line that says what is wrong and what to do; the CLI prints
 * it after {@code recur: } and exits with code 2, without a stack trace unless {@code --debug}.
 */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
