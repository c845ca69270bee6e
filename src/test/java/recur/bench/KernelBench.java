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

/**
 * Matrix-product kernels, single thread. Shapes are "MxNxK": C (M, N) += A (M, K) B (K, N); for gemmAt A is
 * stored (K, M), for gemmBt B is stored (N, K). Throughput is calls per second; {@link BenchMain} turns it
 * into GFLOP/s (2 M N K flops a call).
 *
 * <p>Square sizes 256/512/1024 and the RNN shapes: 32x1024x256 (input projection of a batch-32 window,
 * 4 gates of H=256), 1x512x128 (one recurrent step at batch 1), 64x4096x1024 (recurrent step, batch 64,
 * LSTM H=1024).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:CompileCommand=quiet", "-XX:CompileCommand=inline,recur.math.VectorMath::*", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
public class KernelBench {

    @Param({"256x256x256", "512x512x512", "1024x1024x1024", "32x1024x256", "1x512x128", "64x4096x1024"})
    public String shape;

    @Param({"vector"})
    public String impl;

    int m;
    int n;
    int k;
    float[] a;
    float[] b;
    float[] c;
    Kernels kernels;

    @Setup(Level.Trial)
    public void setUp() {
        String[] s = shape.split("x");
        m = Integer.parseInt(s[0]);
        n = Integer.parseInt(s[1]);
        k = Integer.parseInt(s[2]);
        SplittableRandom r = new SplittableRandom(42);
        a = fill(r, m * k);
        b = fill(r, k * n);
        c = new float[m * n];
        kernels = switch (impl) {
            case "vector" -> new VectorKernels();
            case "scalar" -> new ScalarKernels();
            default -> throw new IllegalArgumentException("impl must be vector or scalar: " + impl);
        };
    }

    /** Keeps C bounded: the products accumulate into it call after call. */
    @Setup(Level.Iteration)
    public void clearC() {
        java.util.Arrays.fill(c, 0f);
    }

    static float[] fill(SplittableRandom r, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** C (M, N) += A (M, K) B (K, N). */
    @Benchmark
    public float[] gemm() {
        kernels.gemm(c, 0, n, a, 0, k, b, 0, n, m, n, k);
        return c;
    }

    /** C (M, N) += A^T B with A stored (K, M). */
    @Benchmark
    public float[] gemmAt() {
        kernels.gemmAt(c, 0, n, a, 0, m, b, 0, n, m, n, k);
        return c;
    }

    /** C (M, N) += A B^T with B stored (N, K). */
    @Benchmark
    public float[] gemmBt() {
        kernels.gemmBt(c, 0, n, a, 0, k, b, 0, k, m, n, k);
        return c;
    }
}
