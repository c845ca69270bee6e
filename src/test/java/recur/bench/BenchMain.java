package recur.bench;

import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs JMH with its ordinary command line (benchmark regex, -f, -wi, -w, -i, -r, -p ...) and then prints the
 * kernel results in useful units: GFLOP/s for {@link KernelBench} (2 M N K flops a call) and {@link PeakBench},
 * elements per nanosecond for {@link VectorOpsBench}. Started by {@code scripts/jmh}.
 */
public final class BenchMain {

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions options = new CommandLineOptions(args);
        if (options.shouldHelp() || options.shouldList() || options.shouldListWithParams()
                || options.shouldListProfilers() || options.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        Collection<RunResult> results = new Runner(options).run();
        System.out.println();
        System.out.printf(Locale.ROOT, "%-34s %-16s %-7s %12s %10s%n", "benchmark", "shape/len", "impl", "calls/s",
                "rate");
        for (RunResult rr : results) {
            var params = rr.getParams();
            String bench = params.getBenchmark().replaceFirst("^recur\\.bench\\.", "");
            double callsPerSecond = rr.getPrimaryResult().getScore();
            String impl = params.getParam("impl");
            String shape = params.getParam("shape");
            String len = params.getParam("len");
            String rate = "";
            if (bench.startsWith("PeakBench.")) {
                double flops = bench.endsWith("256") ? PeakBench.FLOPS_PER_CALL_256 : PeakBench.FLOPS_PER_CALL;
                rate = String.format(Locale.ROOT, "%.1f GFLOP/s", callsPerSecond * flops / 1e9);
            } else if (shape != null) {
                String[] s = shape.split("x");
                double flops = 2.0 * Long.parseLong(s[0]) * Long.parseLong(s[1]) * Long.parseLong(s[2]);
                rate = String.format(Locale.ROOT, "%.1f GFLOP/s", callsPerSecond * flops / 1e9);
            } else if (len != null) {
                rate = String.format(Locale.ROOT, "%.2f elem/ns", callsPerSecond * Integer.parseInt(len) / 1e9);
            }
            String size = shape != null ? shape : len != null ? len : "-";
            System.out.printf(Locale.ROOT, "%-34s %-16s %-7s %12.1f %10s%n", bench, size, impl != null ? impl : "-",
                    callsPerSecond, rate);
        }
    }
}
