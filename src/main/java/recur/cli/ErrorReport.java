package recur.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;
import recur.io.ModelFormatException;

/**
 * The single place errors become output: one line {@code recur: <problem>} on stderr and an exit code,
 * 2 for problems with the input or the options, 1 for anything unexpected. The stack trace only with
 * {@code --debug}.
 */
final class ErrorReport {
    static final int USER = 2;
    static final int INTERNAL = 1;

    private final PrintStream err;
    private final boolean debug;

    ErrorReport(PrintStream err, boolean debug) {
        this.err = err;
        this.debug = debug;
    }

    int report(Throwable e) {
        int code = isUserError(e) ? USER : INTERNAL;
        String message = code == USER ? userMessage(e) : internalMessage(e);
        err.println("recur: " + oneLine(message));
        if (debug) { // --debug asks for the trace the one-line message hides
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    static boolean isUserError(Throwable e) {
        return e instanceof UserError || e instanceof ParameterException || e instanceof ModelFormatException
                || e instanceof IllegalArgumentException || e instanceof UncheckedIOException
                || e instanceof IOException;
    }

    private static String userMessage(Throwable e) {
        if (e instanceof UnmatchedArgumentException u) {
            return unmatched(u);
        }
        if (e instanceof ParameterException p) {
            String msg = p.getMessage();
            msg = msg.isEmpty() ? msg : Character.toLowerCase(msg.charAt(0)) + msg.substring(1);
            return msg + " (see '" + p.getCommandLine().getCommandSpec().qualifiedName() + " --help')";
        }
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            return u.getMessage();
        }
        String msg = e.getMessage();
        return msg == null || msg.isBlank() ? e.getClass().getSimpleName() : msg;
    }

    private static String unmatched(UnmatchedArgumentException u) {
        CommandLine cl = u.getCommandLine();
        String command = cl.getCommandSpec().qualifiedName();
        List<String> args = u.getUnmatched();
        String arg = args.isEmpty() ? "?" : args.getFirst();
        List<String> suggestions = u.getSuggestions();
        boolean option = arg.startsWith("-");
        StringBuilder sb = new StringBuilder();
        sb.append(option ? "unknown option '" : "unexpected argument '").append(arg).append("' for '")
                .append(command).append("'");
        if (!suggestions.isEmpty()) {
            sb.append("; did you mean ").append(String.join(" or ", suggestions.stream().limit(3).toList()))
                    .append('?');
        } else {
            sb.append("; see '").append(command).append(" --help'");
        }
        return sb.toString();
    }

    private static String internalMessage(Throwable e) {
        if (e instanceof OutOfMemoryError) {
            return "out of memory; use a smaller model, batch or window, or give the JVM more heap "
                    + "(RECUR_JAVA_OPTS=-Xmx8g)";
        }
        return "unexpected error: " + e + (e.getStackTrace().length > 0 ? " at " + e.getStackTrace()[0] : "")
                + "; rerun with --debug for the stack trace";
    }

    static String oneLine(String s) {
        return s.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    }
}
