package recur.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import recur.math.Kernels;
import recur.math.ScalarKernels;
import recur.math.VectorKernels;
import recur.optim.GradientClipping;

/**
 * The elementwise and reduction kernels on {@code len} floats (default 4096, an LSTM gate row block that
 * stays in L1), single thread. Throughput in calls per second; {@link BenchMain} reports elements per
 * nanosecond.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:CompileCommand=quiet", "-XX:CompileCommand=inline,recur.math.VectorMath::*", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
public class VectorOpsBench {

    @Param({"4096"})
    public int len;

    @Param({"vector"})
    public String impl;

    float[] x;
    float[] y;
    float[] out;
    int[] targets;
    Kernels kernels;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom r = new SplittableRandom(7);
        x = KernelBench.fill(r, len);
        y = KernelBench.fill(r, len);
        out = new float[len];
        targets = new int[] {len / 3};
        kernels = "scalar".equals(impl) ? new ScalarKernels() : new VectorKernels();
    }

    @Benchmark
    public float dot() {
        return kernels.dot(x, 0, y, 0, len);
    }

    @Benchmark
    public double sumSquares() {
        return kernels.sumSquares(x, 0, len);
    }

    /** The finiteness check on every pushed gradient and every averaged one (x is all finite: a full scan). */
    @Benchmark
    public int firstNonFinite() {
        return kernels.firstNonFinite(x, 0, len);
    }

    /** The same check as GradientClipping's static scan does it (plain Java), for comparison. */
    @Benchmark
    public int firstNonFiniteStatic() {
        return GradientClipping.firstNonFinite(x, 0, len);
    }

    @Benchmark
    public float[] axpy() {
        kernels.axpy(out, 0, 1e-3f, x, 0, len);
        return out;
    }

    @Benchmark
    public float[] sigmoid() {
        kernels.sigmoid(out, 0, x, 0, len);
        return out;
    }

    @Benchmark
    public float[] tanh() {
        kernels.tanh(out, 0, x, 0, len);
        return out;
    }

    @Benchmark
    public float[] tanhBackward() {
        kernels.tanhBackward(out, 0, x, 0, y, 0, len);
        return out;
    }

    /** One row of len logits: max, exp-sum, loss and gradient. */
    @Benchmark
    public double crossEntropy() {
        return kernels.crossEntropy(out, 0, x, 0, len, targets, 0, 1, len, 1f);
    }

    /** 64 rows x len/64 columns through a gemv. */
    @Benchmark
    public float[] gemv() {
        kernels.gemv(out, 0, x, 0, len / 64, y, 0, 64, len / 64);
        return out;
    }
}
