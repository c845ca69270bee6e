package recur.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code recur} command line. {@link #run(String[], PrintStream, PrintStream)} is the whole program
 * without {@code System.exit} (tests call it); {@link #main} adds signal handling and the exit code.
 *
 * <p>Exit codes: 0 success, 2 a problem with the input or the options (one line on stderr that says
 * what to do), 1 an unexpected failure. {@code --debug} adds the stack trace.
 */
@Command(name = "recur",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        subcommands = {TrainCommand.class, WorkerCommand.class, PsShardCommand.class, EvalCommand.class, SampleCommand.class, ScoreCommand.class, ForecastCommand.class, BenchCommand.class, ExperimentCommand.class, CommandLine.HelpCommand.class},
        description = {"Train and use recurrent neural networks (RNN, LSTM, GRU) with truncated BPTT.", ""},
        synopsisSubcommandLabel = "COMMAND",
        commandListHeading = "%nCommands:%n",
        footerHeading = "%nExamples:%n",
        footer = {
            "  recur train                        train the default job on generated English-like text",
            "  recur train --text book.txt --hidden 256 --steps 2000 --out runs/book",
            "  recur train --cluster --expect-workers 2 --text book.txt   with two 'recur worker --cluster'",
            "  recur eval --model runs/latest/model.safetensors --text held-out.txt --json",
            "  recur sample --model runs/latest/model.safetensors --prime \"The \" --length 300",
            "",
            "Run 'recur COMMAND --help' for the options of a command. --debug shows stack traces."})
public final class Main implements Callable<Integer> {

    /** What the commands write to and listen to; tests pass their own. */
    record Context(PrintStream out, PrintStream err, boolean terminal, StopSignal stop) {
    }

    final Context context;

    @CommandLine.Option(names = "--debug", description = "Show the stack trace of an error.")
    boolean debug;

    @Spec
    CommandSpec spec;

    Main(Context context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        throw new UserError("say which command to run: train, eval or sample (e.g. 'recur train'; "
                + "'recur --help' lists them)");
    }

    public static void main(String[] args) {
        // Library logs (Vert.x, Hazelcast, the trainer's verticles) only when something is wrong; a
        // signal is handled by the training loop, which leaves the cluster itself (see StopSignal).
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        System.setProperty("hazelcast.logging.type", System.getProperty("hazelcast.logging.type", "slf4j"));
        // Hazelcast warns (with stack traces) about things that are normal here: members leaving at the end
        // of a run, partition migrations while nodes join, the CP subsystem being off. Cluster problems that
        // matter reach the user as recur's own one-line errors (join timeouts, lost workers or shards).
        System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast",
                System.getProperty("org.slf4j.simpleLogger.log.com.hazelcast", "error"));
        System.setProperty("hazelcast.shutdownhook.enabled", System.getProperty("hazelcast.shutdownhook.enabled", "false"));
        StopSignal stop = new StopSignal();
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        java.io.Console console = System.console();
        boolean terminal = console != null && console.isTerminal();
        stop.installShutdownHook();
        int code = run(args, new Context(out, System.err, terminal, stop));
        out.flush();
        stop.finished();
        if (stop.signalled()) {
            return; // the JVM is already shutting down because of a signal; it picks the exit status
        }
        System.exit(code);
    }

    /** Runs the command line, writing to {@code out} and {@code err}; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, new Context(out, err, false, new StopSignal()));
    }

    static int run(String[] args, Context context) {
        boolean debug = Arrays.asList(args).contains("--debug");
        ErrorReport errors = new ErrorReport(context.err(), debug);
        try {
            CommandLine cl = new CommandLine(new Main(context));
            cl.setOut(new PrintWriter(context.out(), true));
            cl.setErr(new PrintWriter(context.err(), true));
            cl.setCaseInsensitiveEnumValuesAllowed(true);
            cl.setOverwrittenOptionsAllowed(true); // the last one wins: scripts append overrides
            cl.setParameterExceptionHandler((e, a) -> errors.report(e));
            cl.setExecutionExceptionHandler((e, c, r) -> errors.report(e));
            return cl.execute(args);
        } catch (RuntimeException | Error e) {
            return errors.report(e);
        } finally {
            context.out().flush();
            context.err().flush();
        }
    }
}
